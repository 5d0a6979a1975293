"""The downloads a manager or a customer waits for: the management workbook of a month and the
customer report (its data, xlsx and PDF), each run in a fresh process.

Usage: python benchmarks/reports.py --db DB [--month 2026-10] [--customer C001] [--runs 3]
                                    [--against REF]
The month defaults to the last full month before the database's as_of; the customer to the
one with the most tickets in it. Each run is a new process that opens the database, starts
kaleido's Chromium and draws one image (untimed: the app keeps both warm), then times
management_workbook (everyone, zh), customer_report (the data), report_xlsx and report_pdf.
`--against REF` also times the code of git revision REF (an older commit, e.g. the one before
issue 16) in the same run, taking turns, and prints the ratios. Prints a table and appends the
figures, with the machine and its load average, to benchmarks/results/reports.jsonl.
Targets (issue 16, 1 M tickets, quiet machine): workbook ≤ 5 s, xlsx ≤ 1 s, PDF ≤ 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "reports.jsonl"
STEPS = ("management_s", "data_s", "xlsx_s", "pdf_s")
TARGETS = {"management_s": 5.0, "xlsx_s": 1.0, "pdf_s": 3.0}


def _timed(fn, *args):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, round(time.perf_counter() - start, 3), round(time.process_time() - cpu, 3)


def worker(db_path: Path, month: str, customer: str) -> dict:
    """One run in this process (the code on sys.path); its figures."""
    import plotly.graph_objects as go

    from service_quality.database import Database
    from service_quality.filters import Filters
    from service_quality.queries import Scope, load_info
    from service_quality.reports import customer_report as rc
    from service_quality.reports.management_workbook import management_workbook

    db = Database(db_path)
    load_info(db)  # the app's connection is open long before anyone clicks
    _, kaleido_s, _ = _timed(rc.chart_png, go.Figure(go.Bar(y=[1, 2])))
    figures = {"kaleido_start_s": kaleido_s}
    book, figures["management_s"], figures["management_cpu_s"] = _timed(
        management_workbook, db, Scope.everyone(), Filters(month, month), "zh")
    report, figures["data_s"], figures["data_cpu_s"] = _timed(
        rc.customer_report, db, customer, month, "zh")
    xlsx, figures["xlsx_s"], figures["xlsx_cpu_s"] = _timed(rc.report_xlsx, report, "zh")
    pdf, figures["pdf_s"], figures["pdf_cpu_s"] = _timed(rc.report_pdf, report, "zh")
    figures.update(management_mb=round(len(book) / 1e6, 2), xlsx_kb=round(len(xlsx) / 1e3),
                   pdf_kb=round(len(pdf) / 1e3))
    return figures


def defaults(db_path: Path) -> tuple[str, str, int]:
    """The last full month before as_of, its busiest customer, and the database's tickets."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        as_of = con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0]
        month = str(pd.Timestamp(as_of).to_period("M") - 1)
        customer = con.execute(
            "SELECT customer_id FROM ticket_facts WHERE month = ? GROUP BY 1 "
            "ORDER BY count(*) DESC, 1 LIMIT 1", [month]).fetchall()[0][0]
        tickets = con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
    finally:
        con.close()
    return month, customer, tickets


def run(code_root: Path, args, month: str, customer: str) -> dict:
    """One run of the code under `code_root` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    out = subprocess.run([sys.executable, __file__, "--worker", "--db", str(args.db),
                          "--month", month, "--customer", customer], check=True,
                         capture_output=True, text=True, cwd=code_root, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Time the reports, optionally against an older revision, and record the figures."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "service.duckdb")
    ap.add_argument("--month")
    ap.add_argument("--customer")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--against", metavar="REF", help="also time this git revision")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.db, args.month, args.customer)))
        return
    from bench_env import commit, export, loadavg, machine

    month, customer, tickets = defaults(args.db)
    month, customer = args.month or month, args.customer or customer
    described = machine()
    with tempfile.TemporaryDirectory() as tmp:
        codes = {commit(): ROOT}
        if args.against:
            codes[export(args.against, Path(tmp)) + " (--against)"] = Path(tmp)
        runs: dict[str, list[dict]] = {code: [] for code in codes}
        for n in range(args.runs):
            for code, root in codes.items():
                runs[code].append(run(root, args, month, customer))
                f = runs[code][-1]
                print(f"run {n + 1}/{args.runs} {code:<24} " + "  ".join(
                    f"{k[:-2]} {f[k]:.2f} s" for k in STEPS) + f"  (load average {loadavg()})",
                      flush=True)
    median = {code: {k: round(statistics.median(f[k] for f in found), 3)
                     for k in found[0]} for code, found in runs.items()}
    print(f"\n{args.db} ({tickets:,} tickets), month {month}, customer {customer}, "
          f"median of {args.runs}; wall seconds (CPU seconds)")
    print(f"{'code':<26}" + "".join(f"{k[:-2]:>18}" for k in STEPS))
    for code, f in median.items():
        print(f"{code:<26}" + "".join(f"{f[k]:>9.2f} ({f[k[:-2] + '_cpu_s']:>5.2f})"
                                      for k in STEPS))
    ours = median[next(iter(codes))]
    print("targets: " + ", ".join(
        f"{k[:-2]} {ours[k]:.2f} s ≤ {limit:g} s {'ok' if ours[k] <= limit else 'MISSED'}"
        for k, limit in TARGETS.items()))
    ratios = {}
    if args.against:
        base = median[list(codes)[1]]
        ratios = {k: round(ours[k] / base[k], 3) for k in STEPS if base[k]}
        print("ours / --against: " + ", ".join(f"{k[:-2]} ×{r:.2f}" for k, r in ratios.items()))
    print(f"load average {loadavg()} on {described['cpus']} cores: a shared machine's figures; "
          "re-measure on a quiet one.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"at": datetime.now().isoformat(timespec="seconds"),
                             "db": str(args.db), "tickets": tickets, "month": month,
                             "customer": customer, "runs": args.runs, "machine": described,
                             "loadavg_end": loadavg(), "median": median, "each_run": runs,
                             "ratios_vs_against": ratios, "targets": TARGETS},
                            ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if "--worker" not in sys.argv:
        sys.path.insert(0, str(ROOT))
    main()
