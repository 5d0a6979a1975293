"""Time `python -m etl load` on generated data against DuckDB's own read_csv of the same tickets.

Usage: python benchmarks/load_vs_read_csv.py [--tickets 1000000] [--seed 1] [--keep DIR]
Prints a table and appends the figures to benchmarks/results/load.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "load.jsonl"


def timed(cmd: list[str]) -> float:
    """Wall-clock seconds of one command, which must succeed."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def duckdb_read_csv(path: Path) -> float:
    """Seconds for DuckDB to read every row of the tickets file into a table (the baseline)."""
    # DuckDB has no GBK decoder offline; reading the same bytes as latin-1 costs it the same
    # scan and split of every byte, so it is a fair baseline for the same file.
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, encoding = 'latin-1')",
                [str(path)])
    n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    con.close()
    seconds = time.perf_counter() - start
    assert n > 0
    return seconds


def main() -> None:
    """Generate, load, compare, report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="reuse/keep the generated files in this folder")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    sample = work / "sample"
    if not (sample / "tickets.csv").exists():
        gen = timed([sys.executable, "-m", "etl", "sample", str(sample),
                     "--tickets", str(args.tickets), "--seed", str(args.seed)])
    else:
        gen = float("nan")
    db = work / "bench.duckdb"
    db.unlink(missing_ok=True)
    load_s = timed([sys.executable, "-m", "etl", "load", str(sample), "--db", str(db)])
    baseline = duckdb_read_csv(sample / "tickets.csv")
    con = duckdb.connect(str(db), read_only=True)
    loaded = con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
    con.close()
    size_mb = sum(p.stat().st_size for p in sample.iterdir()) / 1e6
    row = {
        "when": datetime.now().isoformat(timespec="seconds"), "tickets": args.tickets,
        "input_mb": round(size_mb, 1), "generate_s": round(gen, 2), "etl_load_s": round(load_s, 2),
        "duckdb_read_csv_tickets_s": round(baseline, 2), "ratio": round(load_s / baseline, 1),
        "tickets_loaded": loaded, "machine": f"{platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}",
    }
    print(f"{'tickets':>10} {'input MB':>9} {'etl load s':>11} {'read_csv s':>11} {'ratio':>6}")
    print(f"{args.tickets:>10} {size_mb:>9.1f} {load_s:>11.2f} {baseline:>11.2f} "
          f"{load_s / baseline:>6.1f}")
    print("(etl load reads and checks every entity file and computes every rule; read_csv only "
          "reads tickets.csv)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
