"""Render time of every page through AppTest, cold and warm cache, on one or more databases.

Usage: python benchmarks/pages.py DB [DB ...] [--runs 3] [--pages overview,sla]
Cold = caches cleared before the run (a fresh connection and every query executed);
warm = the same page again with the caches filled (what a rerun or a second visitor pays).
Prints a table and appends the figures to benchmarks/results/pages.jsonl. Compare a 10 k and
a 1 M database in one run for the ratio.

AppTest scans every installed distribution for Streamlit components on each new AppTest
(~0.2 s here); a server does that once at start. The scan is done once and shared, so the
figures are the page's own cost; `apptest_floor_s` is a one-line page timed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.jsonl"
QUERY = {"from": "2025-11", "to": "2026-10"}   # a year of data: the heaviest common view
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
_components = None


def _shared_components():
    # What a server does once at start (Runtime init), AppTest does per instance.
    global _components
    if _components is None:
        from streamlit.components.v2.component_manager import BidiComponentManager

        _components = BidiComponentManager()
        _components.discover_and_register_components(start_file_watching=False)
    return _components


def render(page: Path, cpu: list | None = None) -> float:
    """Seconds for one AppTest run of `page`; fails loudly on an exception or an error box.

    With `cpu`, the process's CPU seconds of the run are appended to it (every thread: DuckDB's
    too): on a shared machine the wall clock waits for other work, the CPU time much less.
    """
    at = AppTest.from_file(str(page), default_timeout=300)
    if hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _shared_components()
    for key, value in QUERY.items():
        at.query_params[key] = value
    start, start_cpu = time.perf_counter(), time.process_time()
    at.run()
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    if at.exception:
        raise RuntimeError(f"{page.name}: {at.exception[0].message}")
    if at.error:
        # A refused page (wrong working directory: no loopback config) would time nothing.
        raise RuntimeError(f"{page.name}: {at.error[0].value}")
    return seconds


def floor() -> float:
    """AppTest's own cost: a page that draws one title."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "floor.py"
        page.write_text("import streamlit as st\nst.title('floor')\n")
        return min(render(page) for _ in range(3))


def machine() -> dict:
    """Where the figures were taken: CPU, memory, versions, load average."""
    import pandas
    import plotly

    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpus": os.cpu_count(), "cpu_model": model, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "streamlit": st.__version__, "pandas": pandas.__version__,
            "plotly": plotly.__version__, "loadavg": os.getloadavg()[0]}


def commit() -> str:
    """The checkout's commit, "+changes" when the timed code differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout
    changed = git("status", "--porcelain", "--", "pages", "ui", "service_quality").strip()
    return git("rev-parse", "--short", "HEAD").strip() + ("+changes" if changed else "")


def tickets_in(db: Path) -> int:
    """Tickets in the database file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
    finally:
        con.close()


def time_pages(db: Path, pages: list[str], runs: int, echo=print) -> list[dict]:
    """Median cold and warm seconds of each page on `db` (one row per page)."""
    os.environ["DASHBOARD_DB"] = str(db)
    tickets = tickets_in(db)
    rows = []
    # Once, untimed: the imports (plotly, pandas' Styler, …), which a server pays at its start.
    render(ROOT / "pages" / f"{pages[0]}.py")
    for stem in pages:
        cold, warm, cold_cpu, warm_cpu = [], [], [], []
        for _ in range(runs):
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(render(ROOT / "pages" / f"{stem}.py", cold_cpu))
            warm.append(render(ROOT / "pages" / f"{stem}.py", warm_cpu))
        rows.append({"db": str(db), "tickets": tickets, "page": stem,
                     "cold_s": round(statistics.median(cold), 3),
                     "warm_s": round(statistics.median(warm), 3),
                     "cold_cpu_s": round(statistics.median(cold_cpu), 3),
                     "warm_cpu_s": round(statistics.median(warm_cpu), 3)})
        r = rows[-1]
        echo(f"{tickets:>9} {stem:<16} cold {r['cold_s']:>6.2f} s   warm {r['warm_s']:>6.2f} s"
             f"   (CPU cold {r['cold_cpu_s']:>5.2f} s, warm {r['warm_cpu_s']:>5.2f} s)")
    return rows


def ratios(rows: list[dict]) -> dict[str, float]:
    """Cold seconds on the largest database over the smallest, per page."""
    sizes = sorted({r["tickets"] for r in rows})
    by = {(r["tickets"], r["page"]): r for r in rows}
    return {page: round(by[sizes[-1], page]["cold_s"] / by[sizes[0], page]["cold_s"], 2)
            for (n, page) in by if n == sizes[0] and (sizes[-1], page) in by}


def main() -> None:
    """Time every page on every database given."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dbs", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", help="comma-separated page names (default: every page)")
    ap.add_argument("--code", help="what code was timed (default: the checkout's commit)")
    args = ap.parse_args()
    # The app's .streamlit/config.toml (loopback address: local mode) is read from the cwd.
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    pages = args.pages.split(",") if args.pages else PAGES
    base = floor()
    print(f"AppTest floor (one-title page): {base:.3f} s")
    rows = [row for db in args.dbs for row in time_pages(db, pages, args.runs,
                                                         lambda s: print(s, flush=True))]
    if len(args.dbs) > 1:
        print(f"\ncold ratio {max(r['tickets'] for r in rows)} / "
              f"{min(r['tickets'] for r in rows)} tickets:")
        for page, ratio in ratios(rows).items():
            print(f"  {page:<16} {ratio:.1f}×")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    described = machine()
    code = args.code or commit()
    when = datetime.now().isoformat(timespec="seconds")
    with RESULTS.open("a") as f:
        for row in rows:
            f.write(json.dumps({"when": when, "machine": described, "apptest_floor_s":
                                round(base, 3), "runs": args.runs, "code": code, **row},
                               ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
