"""Render time of every page through AppTest, cold and warm cache, on one or more databases.

Usage: python benchmarks/pages.py DB [DB ...] [--runs 3]
Cold = caches cleared before the run (a fresh connection and every query executed);
warm = the same page again with the caches filled. Prints a table and appends the figures to
benchmarks/results/pages.jsonl. Compare a 10 k and a 1 M database in one run for the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import datetime
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.jsonl"
QUERY = {"from": "2025-11", "to": "2026-10"}   # a year of data: the heaviest common view


def render(page: Path) -> float:
    """Seconds for one AppTest run of `page`; fails loudly on an exception."""
    at = AppTest.from_file(str(page), default_timeout=300)
    for key, value in QUERY.items():
        at.query_params[key] = value
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page.name}: {at.exception[0].message}")
    return seconds


def main() -> None:
    """Time every page on every database given."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dbs", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    pages = sorted((ROOT / "pages").glob("*.py"))
    rows = []
    for db in args.dbs:
        os.environ["DASHBOARD_DB"] = str(db)
        con = duckdb.connect(str(db), read_only=True)
        tickets = con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
        con.close()
        for page in pages:
            cold, warm = [], []
            for _ in range(args.runs):
                st.cache_data.clear()
                st.cache_resource.clear()
                cold.append(render(page))
                warm.append(render(page))
            rows.append({"db": str(db), "tickets": tickets, "page": page.stem,
                         "cold_s": round(statistics.median(cold), 3),
                         "warm_s": round(statistics.median(warm), 3)})
            print(f"{tickets:>9} {page.stem:<16} cold {rows[-1]['cold_s']:>6.2f} s   "
                  f"warm {rows[-1]['warm_s']:>6.2f} s", flush=True)
    if len(args.dbs) > 1:
        small, large = rows[0]["tickets"], rows[-1]["tickets"]
        print(f"\ncold ratio {large} / {small} tickets:")
        for page in pages:
            a = next(r for r in rows if r["tickets"] == small and r["page"] == page.stem)
            b = next(r for r in rows if r["tickets"] == large and r["page"] == page.stem)
            print(f"  {page.stem:<16} {b['cold_s'] / a['cold_s']:.1f}×")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    with RESULTS.open("a") as f:
        for row in rows:
            f.write(json.dumps({"when": datetime.now().isoformat(timespec="seconds"),
                                "machine": machine, **row}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
