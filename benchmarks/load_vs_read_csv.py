"""Time `python -m etl load` against DuckDB's own read_csv of the same files, in the same run.

Usage: python benchmarks/load_vs_read_csv.py [--tickets 1000000] [--seed 1] [--keep DIR] [--xlsx]
                                             [--runs 1]

The sample is written with every entity as CSV (write_sample(csv_only=True)), so that read_csv
can read every file the load reads; --xlsx also times the load of the usual sample, whose five
smaller entities are workbooks (read_csv has no counterpart for those). With --runs N the load
and read_csv take turns N times and the medians are reported, the ratio being the median of
each turn's own ratio (this machine's speed drifts by a fifth between minutes). Prints a table and
appends the figures, with a description of the machine, to benchmarks/results/load.jsonl.
`bench_load(sample_dir)` is the measurement for other scripts (benchmarks/scale.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "load.jsonl"
TARGET_RATIO = 5.0


def machine() -> dict:
    """CPU, memory and versions of this machine, and how busy it was (it is shared)."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor(),
            "ram_gib": round(ram_gb, 1), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pyarrow": pa.__version__, "pandas": pd.__version__,
            "load_average_1min": round(os.getloadavg()[0], 2)}


def run_measured(cmd: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds: user + system) of one command, which must
    succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own peak memory (RUSAGE_CHILDREN would mix in earlier children).
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def write_sample(out: Path, tickets: int, seed: int, csv_only: bool) -> float:
    """Seconds to write a sample folder (in a child process, whose memory is then freed)."""
    code = ("import sys; from pathlib import Path; from etl.sample import write_sample; "
            "write_sample(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), "
            "csv_only=sys.argv[4] == '1')")
    seconds, _, _ = run_measured([sys.executable, "-c", code, str(out), str(tickets), str(seed),
                               "1" if csv_only else "0"])
    return seconds


def _encoding(path: Path) -> str:
    """utf-8 when the file is, else latin-1: DuckDB has no GBK decoder offline, and reading the
    same bytes as latin-1 costs it the same scan and split of every byte."""
    try:
        with path.open(encoding="utf-8") as f:
            while f.read(1 << 24):
                pass
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def duckdb_read_csv(files: list[Path], database: str = ":memory:") -> tuple[float, float]:
    """(wall seconds, CPU seconds of every thread) for DuckDB to read every row of every file
    into a table each (the baseline)."""
    encodings = {f: _encoding(f) for f in files}  # decided before the clock starts
    start = time.perf_counter()
    cpu = time.process_time()
    con = duckdb.connect(database)
    for i, f in enumerate(files):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?, header = true, "  # noqa: S608
                    "encoding = ?)", [str(f), encodings[f]])
    if database != ":memory:":
        con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - start, time.process_time() - cpu


def sla_throughput(db: Path) -> tuple[float, int]:
    """(tickets per second, tickets) of the working-time SLA computation on a loaded database,
    judged and written beside each ticket's columns as the load does (rules.ticket_facts_in_db;
    before 2026-12-05 the judgement alone)."""
    from service_quality import rules
    from service_quality.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-sla-") as tmp:
        copy = Path(tmp) / "sla.duckdb"
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        as_of = pd.Timestamp(con.execute(
            "SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0])
        n = con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
        start = time.perf_counter()
        # Each ticket by its customer's terms: the terms table first, as the load does.
        rules.customer_terms_in_db(con, load_settings())
        rules.ticket_facts_in_db(con, as_of)
        seconds = time.perf_counter() - start
        con.close()
    return n / seconds, n


def bench_load(sample_dir: Path, db: Path | None = None, runs: int = 1) -> dict:
    """Load `sample_dir` with `python -m etl load` and read its CSV files with DuckDB.

    Keys: load_s (wall seconds of the load, a fresh database), load_peak_rss_mb (its peak
    resident memory), read_csv_s (DuckDB read_csv of every .csv file in the folder into memory,
    same run), read_csv_to_file_s (the same into a database file), ratio (load_s / read_csv_s),
    load_cpu_s and read_csv_cpu_s (CPU seconds, every thread: on a shared machine these move
    less with the other work than wall time does) and cpu_ratio (load_cpu_s / read_csv_cpu_s),
    sla_tickets_per_s (ticket_sla judged in SQL on the loaded tickets), tickets_loaded,
    input_mb, csv_files and xlsx_files (how many of each the folder holds). With RUNS > 1 the
    load and read_csv take turns that many times: the times are medians, the ratios the medians
    of each turn's ratio, the peak the largest, and *_each keep every turn's figure.
    """
    sample_dir = Path(sample_dir)
    own = db is None
    work = Path(tempfile.mkdtemp(prefix="bench-load-")) if own else db.parent
    db = db or work / "bench.duckdb"
    db.unlink(missing_ok=True)
    try:
        csvs = sorted(sample_dir.glob("*.csv"))
        turns = []
        for _ in range(runs):
            db.unlink(missing_ok=True)
            load_s, rss, load_cpu = run_measured([sys.executable, "-m", "etl", "load",
                                                  str(sample_dir), "--db", str(db)])
            read_s, read_cpu = duckdb_read_csv(csvs)
            turns.append((load_s, rss, load_cpu, read_s, read_cpu))
        load_s, read_s, load_cpu, read_cpu = (statistics.median(t[i] for t in turns)
                                              for i in (0, 3, 2, 4))
        rss = max(t[1] for t in turns)
        ratio = statistics.median(t[0] / t[3] for t in turns)
        cpu_ratio = statistics.median(t[2] / t[4] for t in turns)
        to_file = work / "read_csv.duckdb"
        to_file.unlink(missing_ok=True)
        read_file_s, _ = duckdb_read_csv(csvs, str(to_file))
        to_file.unlink(missing_ok=True)
        per_s, tickets = sla_throughput(db)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "load_s": round(load_s, 2), "load_peak_rss_mb": round(rss), "read_csv_s": round(read_s, 2),
        "read_csv_to_file_s": round(read_file_s, 2), "ratio": round(ratio, 2),
        "load_cpu_s": round(load_cpu, 1), "read_csv_cpu_s": round(read_cpu, 1),
        "cpu_ratio": round(cpu_ratio, 2), "runs": runs,
        "load_each": [round(t[0], 2) for t in turns],
        "read_csv_each": [round(t[3], 2) for t in turns],
        "ratio_each": [round(t[0] / t[3], 2) for t in turns],
        "sla_tickets_per_s": round(per_s), "tickets_loaded": tickets,
        "input_mb": round(sum(p.stat().st_size for p in sample_dir.iterdir()) / 1e6, 1),
        "csv_files": len(csvs), "xlsx_files": len(list(sample_dir.glob("*.xlsx"))),
    }


def main() -> None:
    """Generate, load, compare, report."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="reuse/keep the generated files in this folder")
    ap.add_argument("--runs", type=int, default=1,
                    help="turns of load and read_csv (medians reported)")
    ap.add_argument("--xlsx", action="store_true",
                    help="also time the load of the usual sample (five entities as .xlsx)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [("csv", True)] + ([("xlsx", False)] if args.xlsx else [])
    rows = []
    try:
        for kind, csv_only in runs:
            sample = work / f"sample-{kind}-{args.tickets}"
            gen = None  # a kept sample is reused: no generation time (JSON has no NaN)
            if not (sample / "tickets.csv").exists():
                gen = round(write_sample(sample, args.tickets, args.seed, csv_only), 1)
            figures = bench_load(sample, work / f"bench-{kind}.duckdb", args.runs)
            rows.append({"when": datetime.now().isoformat(timespec="seconds"),
                         "tickets": args.tickets, "sample": kind, "generate_s": gen,
                         **figures, "target_ratio": TARGET_RATIO, "machine": machine()})
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'tickets':>9} {'sample':>6} {'input MB':>8} {'load s':>7} {'read_csv s':>10} "
          f"{'ratio':>5} {'to file s':>9} {'load peak MB':>12} {'SLA tickets/s':>13} "
          f"{'load CPU s':>10} {'read_csv CPU s':>14} {'CPU ratio':>9}")
    for r in rows:
        print(f"{r['tickets']:>9} {r['sample']:>6} {r['input_mb']:>8.1f} {r['load_s']:>7.2f} "
              f"{r['read_csv_s']:>10.2f} {r['ratio']:>5.2f} {r['read_csv_to_file_s']:>9.2f} "
              f"{r['load_peak_rss_mb']:>12} {r['sla_tickets_per_s']:>13} {r['load_cpu_s']:>10.1f} "
              f"{r['read_csv_cpu_s']:>14.1f} {r['cpu_ratio']:>9.2f}")
        if r["runs"] > 1:
            print(f"{'':>9} {r['sample']:>6} each turn: load {r['load_each']} s, read_csv "
                  f"{r['read_csv_each']} s, ratio {r['ratio_each']}")
    print(f"read_csv: DuckDB reading every .csv of the same folder into memory (target: load ≤ "
          f"{TARGET_RATIO:g}× it); 'to file': the same into a database file. An xlsx sample's "
          "workbooks have no read_csv counterpart, so its ratio counts its CSV files only. "
          f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
