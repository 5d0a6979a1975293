"""Excel export of 100,000 ticket rows: our builder against a bare XlsxWriter dump.

Usage: python benchmarks/excel_export.py [--db data/service.duckdb] [--rows 100000] [--runs 3]
The rows are the drill-down ticket list (queries.tickets.ticket_list) as the page shows it:
statuses and codes in words, headers in Chinese. A database with fewer tickets has its rows
repeated up to --rows. Each writer runs in its own subprocess, so its peak RSS is its own; a
third subprocess only loads the rows, the baseline both writers start from. The two writers
take turns, --runs times each, so a busy moment of a shared machine hits both alike; the ratio
is of the medians, in wall and in CPU seconds (CPU time waits less for other work). Prints a
table and appends the figures, with the machine and its load average, to
benchmarks/results/excel.jsonl. Target (issue 16): ours ≤ 1.5× the bare XlsxWriter dump.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "excel.jsonl"
WRITERS = ("load_only", "ours", "xlsxwriter")


def load_rows(db_path: Path, rows: int):
    """The ticket list as shown on screen (a Styler) with `rows` rows, and the db's tickets."""
    import pandas as pd

    from service_quality.database import Database
    from service_quality.filters import Filters
    from service_quality.queries import Scope
    from service_quality.queries.tickets import Drill, ticket_list
    from ui.drill import ticket_list_view
    from ui.frame import Context

    db = Database(db_path)
    first, last, tickets = db.query(
        "SELECT min(month), max(month), count(*) FROM ticket_facts").iloc[0]
    filters = Filters(first, last)
    frame = ticket_list(db, Scope.everyone(), filters, Drill(), rows)
    if len(frame) < rows:
        # A small database: the same tickets again until there are enough rows.
        repeats = -(-rows // len(frame))
        frame = pd.concat([frame] * repeats, ignore_index=True).head(rows)
    ctx = Context("zh", Scope.everyone(), filters, pd.Timestamp.now(), {})
    return ctx, ticket_list_view(ctx, frame), int(tickets)


def write_ours(ctx, shown, path: Path) -> None:
    """The page's download: ui.export's sheet (red flags, formats) through our builder."""
    from service_quality.excel import write_workbook
    from ui.export import export_sheet

    write_workbook([export_sheet(ctx, shown, ctx.t("drill_title"))], path)


def write_xlsxwriter(shown, path: Path) -> None:
    """The same rows dumped with XlsxWriter in constant-memory mode, nothing else."""
    import pandas as pd
    import xlsxwriter

    frame = _data(shown)
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet("tickets")
    ws.write_row(0, 0, list(frame.columns))
    for i in range(0, len(frame), 2000):
        part = frame.iloc[i:i + 2000]
        values = part.astype("object").where(part.notna(), None).to_numpy()
        for r, row in enumerate(values, start=i + 1):
            ws.write_row(r, 0, [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
                                for v in row])
    wb.close()


def _data(shown):
    """The frame behind what the page shows (a DataFrame, or a Styler's data)."""
    return getattr(shown, "data", shown)


def worker(kind: str, db: Path, rows: int) -> None:
    """One measurement in this process; prints its figures as JSON."""
    ctx, shown, tickets = load_rows(db, rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        start, start_cpu = time.perf_counter(), time.process_time()
        if kind == "ours":
            write_ours(ctx, shown, path)
        elif kind == "xlsxwriter":
            write_xlsxwriter(shown, path)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - start_cpu
        size = path.stat().st_size if path.exists() else 0
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"writer": kind, "seconds": round(seconds, 2),
                      "cpu_s": round(cpu, 2), "peak_mb": round(peak_mb, 1),
                      "file_mb": round(size / 1e6, 2), "rows": len(_data(shown)),
                      "columns": _data(shown).shape[1], "tickets": tickets}))


def measure(kind: str, db: Path, rows: int) -> dict:
    """One writer's figures, from its own subprocess."""
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--db", str(db),
                          "--rows", str(rows)], check=True, capture_output=True, text=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run each writer in its own process, taking turns, and compare."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "service.duckdb")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--worker", choices=WRITERS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.db, args.rows)
        return
    from bench_env import commit, loadavg, machine

    described = machine()
    base = measure("load_only", args.db, args.rows)
    runs: dict[str, list[dict]] = {"ours": [], "xlsxwriter": []}
    for n in range(args.runs):
        for kind in runs:
            runs[kind].append(measure(kind, args.db, args.rows))
            f = runs[kind][-1]
            print(f"run {n + 1}/{args.runs} {kind:<11} {f['seconds']:>7.2f} s wall "
                  f"{f['cpu_s']:>7.2f} s CPU  (load average {loadavg()})", flush=True)
    median = {kind: {"writer": kind, **{key: statistics.median(f[key] for f in found)
                                        for key in ("seconds", "cpu_s", "peak_mb", "file_mb")},
                     **{key: base[key] for key in ("rows", "columns", "tickets")}}
              for kind, found in runs.items()}
    ours, bare = median["ours"], median["xlsxwriter"]
    print(f"{base['rows']:,} rows × {base['columns']} columns from {args.db} "
          f"({base['tickets']:,} tickets), median of {args.runs}")
    print(f"{'writer':<12}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}{'above load':>12}"
          f"{'file MB':>10}")
    print(f"{'load_only':<12}{'':>10}{'':>10}{base['peak_mb']:>10.1f}{0:>12.1f}{'':>10}")
    for kind, f in median.items():
        print(f"{kind:<12}{f['seconds']:>10.2f}{f['cpu_s']:>10.2f}{f['peak_mb']:>10.1f}"
              f"{f['peak_mb'] - base['peak_mb']:>12.1f}{f['file_mb']:>10.2f}")
    ratio_s = ours["seconds"] / bare["seconds"]
    ratio_cpu = ours["cpu_s"] / bare["cpu_s"]
    peak_ratio = ours["peak_mb"] / bare["peak_mb"]
    print(f"ours / xlsxwriter: wall ×{ratio_s:.2f}, CPU ×{ratio_cpu:.2f}, "
          f"peak RSS ×{peak_ratio:.2f} (target ≤ 1.5×; load average {loadavg()} on "
          f"{described['cpus']} cores — re-measure on a quiet machine)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"at": datetime.now().isoformat(timespec="seconds"),
                             "db": str(args.db), "machine": described,
                             "loadavg_end": loadavg(), "code": commit(), "runs": args.runs,
                             **{k: base[k] for k in ("rows", "columns", "tickets")},
                             "writers": {"load_only": base, **median},
                             "each_run": runs, "time_ratio": round(ratio_s, 2),
                             "cpu_ratio": round(ratio_cpu, 2),
                             "peak_ratio": round(peak_ratio, 2)},
                            ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    main()
