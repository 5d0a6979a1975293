"""How the dashboard scales: generated data at several sizes, loaded, served and rendered.

Usage: python benchmarks/scale.py [--sizes 10k,100k,1m[,10m]] [--work /tmp/scale] [--runs 2]
       [--excel-size 1m] [--skip load,sla,pages,excel,app]
Per size, in WORK/<size>/: `python -m etl sample` (reused when present), `python -m etl load`
(against DuckDB's own read_csv of the same files, and the loader's peak RSS), the working-time SLA
computation in tickets per second, every page through AppTest cold and warm (benchmarks/pages.py),
and the peak RSS of `streamlit run dashboard.py` with five Chromium sessions open, each having
opened every page (--sessions).
Excel export of 100 k rows (benchmarks/excel_export.py) runs on one size. Prints a table and
appends one line per size to benchmarks/results/scale.jsonl with a description of the machine.
The machine may be shared: compare figures of the same run (the ratios), not across runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scale.jsonl"
QUERY = "from=2025-11&to=2026-10"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STEPS = ("load", "sla", "pages", "excel", "app")


def _module(name: str):
    """benchmarks/<name>.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tickets_of(size: str) -> int:
    """'10k' → 10000, '1m' → 1000000."""
    size = size.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(size[-1], 1)
    return int(float(size.rstrip("km")) * scale)


def run_measured(cmd: list[str], **kwargs) -> tuple[float, float]:
    """Run CMD to success; its wall seconds and its own peak RSS in MB (from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return seconds, usage.ru_maxrss / 1024


def generate(sample: Path, tickets: int) -> float | None:
    """Write the sample unless it is there already; seconds taken (None when reused)."""
    if (sample / "tickets.csv").exists():
        return None
    partial = sample.with_name(sample.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    seconds, _ = run_measured([sys.executable, "-m", "etl", "sample", str(partial),
                               "--tickets", str(tickets)], stdout=subprocess.DEVNULL)
    partial.rename(sample)
    return seconds


def read_csv_seconds(sample: Path) -> float:
    """DuckDB reading every CSV of the sample into tables: the baseline of the load."""
    con = duckdb.connect()
    start = time.perf_counter()
    for i, path in enumerate(sorted(sample.glob("*.csv"))):
        # No GBK decoder offline: a GBK file is read as latin-1, the same scan of the same bytes.
        for encoding in ("utf-8", "latin-1"):
            try:
                con.execute(f"CREATE OR REPLACE TABLE t{i} AS SELECT * FROM read_csv(?, "  # noqa: S608
                            "header = true, all_varchar = true, encoding = ?)",
                            [str(path), encoding])
                break
            except duckdb.InvalidInputException:
                continue
        else:
            raise RuntimeError(f"DuckDB cannot read {path}")
    seconds = time.perf_counter() - start
    con.close()
    return seconds


def load(sample: Path, db: Path) -> dict:
    """`python -m etl load` of the sample into DB against read_csv of the same files."""
    try:
        bench_load = _module("load_vs_read_csv").bench_load
    except AttributeError:
        bench_load = None
    if bench_load is not None:
        # The loader's own benchmark (same files, same baseline rules) when it offers one; it
        # loads into DB, which the pages then read.
        figures = dict(bench_load(sample, db))
        figures["source"] = "load_vs_read_csv.bench_load"
        return figures
    db.unlink(missing_ok=True)
    load_s, peak = run_measured([sys.executable, "-m", "etl", "load", str(sample), "--db",
                                 str(db)], stdout=subprocess.DEVNULL)
    baseline = read_csv_seconds(sample)
    return {"load_s": round(load_s, 2), "read_csv_s": round(baseline, 2),
            "ratio": round(load_s / baseline, 1), "load_peak_rss_mb": round(peak),
            "source": "scale.py"}


SLA_SNIPPET = """
import json, sys, time
import duckdb, pandas as pd
from service_quality import rules
from service_quality.settings import load_settings
settings = load_settings()   # what `python -m etl load` used without --settings
con = duckdb.connect()
con.execute("ATTACH ? AS src (READ_ONLY)", [sys.argv[1]])
info = dict(con.execute("SELECT key, value FROM src.load_info").fetchall())
stamp = pd.Timestamp(info["as_of"])
# The judgement in SQL (the load's way, the only one): its inputs copied into memory first, not
# timed.
for name in ("tickets", "ticket_events", "fault_reports", "calendar_days", "customers",
             "complaints", "surveys", "actions", "engineers"):
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM src.{name}")
start = time.perf_counter()
# Each ticket by its customer's terms: the terms table first, as the load does.
rules.customer_terms_in_db(con, settings)
rules.ticket_facts_in_db(con, stamp)
n = con.execute("SELECT count(*) FROM ticket_sla").fetchall()[0][0]
print(json.dumps({"tickets": n, "seconds": time.perf_counter() - start,
                  "how": "rules.ticket_facts_in_db"}))
"""


def sla_rate(db: Path) -> dict:
    """The ticket SLA judgement on the loaded tickets, as the load makes it: judged in SQL and
    written beside each ticket's columns (rules.ticket_facts_in_db; until 2026-12-05 the
    judgement alone, rules.ticket_sla_in_db, so older rates count less work)."""
    out = subprocess.run([sys.executable, "-c", SLA_SNIPPET, str(db)], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        return {"sla_error": out.stderr.strip().splitlines()[-1][:300]}
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return {"sla_s": round(figures["seconds"], 2), "sla_how": figures["how"],
            "sla_tickets_per_s": round(figures["tickets"] / figures["seconds"])}


def pages(db: Path, runs: int) -> dict:
    """Every page's AppTest cold and warm seconds (a subprocess: its own caches and imports)."""
    code = ("import importlib.util, json, sys; from pathlib import Path; "
            "spec = importlib.util.spec_from_file_location('bench_pages', 'benchmarks/pages.py'); "
            "b = importlib.util.module_from_spec(spec); spec.loader.exec_module(b); "
            f"rows = b.time_pages(Path({str(db)!r}), b.PAGES, {runs}, "
            "lambda s: print(s, file=sys.stderr, flush=True)); print(json.dumps(rows))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    return {r["page"]: {k: r[k] for k in ("cold_s", "warm_s", "cold_cpu_s", "warm_cpu_s")
                        if k in r} for r in rows}


def excel(db: Path) -> dict:
    """benchmarks/excel_export.py on DB: 100 k rows, seconds and peak MB of our builder."""
    results = ROOT / "benchmarks" / "results" / "excel.jsonl"
    before = results.read_text().count("\n") if results.exists() else 0
    subprocess.run([sys.executable, "benchmarks/excel_export.py", "--db", str(db), "--rows",
                    "100000"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = results.read_text().splitlines()[before:]
    row = json.loads(lines[-1])
    ours, base = row["writers"]["ours"], row["writers"]["load_only"]
    return {"excel_rows": ours["rows"], "excel_s": ours["seconds"],
            "excel_peak_mb": ours["peak_mb"], "excel_rows_only_peak_mb": base["peak_mb"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def app_memory(db: Path, page_names: list[str], sessions: int = 5) -> dict:
    """Peak RSS of `streamlit run dashboard.py` on DB with SESSIONS browser sessions open, each
    having opened every page (in Chromium: one browser, a context per session, all kept open).

    Each page is ready when its script run ended: no running-status widget and no skeleton left.
    """
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "DASHBOARD_DB": str(db)}
    env.pop("DASHBOARD_USERS", None)   # local mode on loopback: no sign-in
    log = tempfile.NamedTemporaryFile("w+", prefix="scale-streamlit-", suffix=".log",
                                      delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    seconds, errors, after = {}, [], []
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start; log: " + log.name)
        idle_kb = _status_kb(proc.pid, "VmRSS")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=CHROMIUM_ARGS)
            tabs = [browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                    for _ in range(sessions)]
            for n, page in enumerate(tabs):
                for name in page_names:
                    start = time.perf_counter()
                    page.goto(f"{url}/{name}?{QUERY}")
                    _wait_ready(page)
                    if n == 0:
                        seconds[name] = round(time.perf_counter() - start, 2)
                    if page.locator("[data-testid='stException']").count():
                        errors.append(name)
                after.append(round(_status_kb(proc.pid, "VmHWM") / 1024))
            open_rss = round(_status_kb(proc.pid, "VmRSS") / 1024)
            browser.close()
        return {"app_idle_rss_mb": round(idle_kb / 1024), "app_sessions": sessions,
                "app_rss_mb": open_rss,
                "app_peak_rss_mb": round(_status_kb(proc.pid, "VmHWM") / 1024),
                "app_peak_rss_by_sessions_mb": after,
                "browser_page_s": seconds, "browser_errors": errors}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_ready(page, timeout_ms: int = 300_000) -> None:
    """Until the page's script run ended: its app view is there, no status widget running and
    no skeleton placeholder left."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidgetRunningIcon']\")"
        " && !document.querySelector(\"[data-testid='stSkeleton']\")"
        " && !!document.querySelector(\"[data-testid='stMainBlockContainer'] h1\")",
        timeout=timeout_ms)


def main() -> None:
    """Generate, load and measure every size asked for."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "scale")
    ap.add_argument("--runs", type=int, default=2, help="AppTest runs per page (median)")
    ap.add_argument("--excel-size", help="the size whose database the Excel export reads "
                    "(default: the largest)")
    ap.add_argument("--skip", default="", help=f"steps to leave out, of {','.join(STEPS)}")
    ap.add_argument("--reload", action="store_true", help="load again over an existing db")
    ap.add_argument("--sessions", type=int, default=5,
                    help="browser sessions open at once for the app's memory (default 5)")
    args = ap.parse_args()
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    skip = {s for s in args.skip.split(",") if s}
    excel_size = (args.excel_size or sizes[-1]).lower()
    page_names = _module("pages").PAGES
    machine = _module("pages").machine()
    print(f"machine: {machine}", flush=True)
    rows = []
    for size in sizes:
        folder = args.work / size
        folder.mkdir(parents=True, exist_ok=True)
        sample, db = folder / "sample", folder / "bench.duckdb"
        row = {"size": size, "tickets_generated": tickets_of(size)}
        print(f"[{size}] sample …", flush=True)
        row["generate_s"] = generate(sample, tickets_of(size))
        if "load" not in skip and (args.reload or not db.exists()):
            print(f"[{size}] load …", flush=True)
            row.update(load(sample, db))
        elif not db.exists():
            raise SystemExit(f"{db} missing and the load skipped")
        row["tickets"] = _module("pages").tickets_in(db)
        row["db_mb"] = round(db.stat().st_size / 1e6)
        if "sla" not in skip and "sla_tickets_per_s" not in row:
            print(f"[{size}] SLA rate …", flush=True)
            row.update(sla_rate(db))
        if "pages" not in skip:
            print(f"[{size}] pages (AppTest) …", flush=True)
            row["pages"] = pages(db, args.runs)
        if "excel" not in skip and size == excel_size:
            print(f"[{size}] Excel 100k rows …", flush=True)
            row.update(excel(db))
        if "app" not in skip:
            print(f"[{size}] app in Chromium …", flush=True)
            row.update(app_memory(db, page_names, args.sessions))
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a") as f:
            f.write(json.dumps({"when": datetime.now().isoformat(timespec="seconds"),
                                "machine": machine, **row}, ensure_ascii=False) + "\n")
    report(rows, page_names)


def _fmt(value, spec: str = "") -> str:
    return "—" if value is None else format(value, spec)


def report(rows: list[dict], page_names: list[str]) -> None:
    """The table: one column per size."""
    sizes = [r["size"] for r in rows]
    print("\n" + f"{'':<28}" + "".join(f"{s:>14}" for s in sizes))
    lines = [("tickets", "tickets", ","), ("load s", "load_s", ".1f"),
             ("read_csv s", "read_csv_s", ".1f"), ("load / read_csv", "ratio", ".1f"),
             ("load peak RSS MB", "load_peak_rss_mb", ",.0f"),
             ("SLA tickets/s", "sla_tickets_per_s", ",.0f"),
             ("Excel 100k s", "excel_s", ".1f"), ("Excel 100k peak MB", "excel_peak_mb", ",.0f"),
             ("app peak RSS MB", "app_peak_rss_mb", ",.0f")]
    for label, key, spec in lines:
        print(f"{label:<28}" + "".join(f"{_fmt(r.get(key), spec):>14}" for r in rows))
    for name in page_names:
        cells = []
        for r in rows:
            p = (r.get("pages") or {}).get(name)
            cells.append(f"{p['cold_s']:.2f}/{p['warm_s']:.2f}" if p else "—")
        print(f"{'page ' + name + ' cold/warm s':<28}" + "".join(f"{c:>14}" for c in cells))
    for name in page_names:
        cells = []
        for r in rows:
            p = (r.get("pages") or {}).get(name) or {}
            cells.append(f"{p['cold_cpu_s']:.2f}/{p['warm_cpu_s']:.2f}" if "cold_cpu_s" in p
                         else "—")
        print(f"{'  CPU ' + name:<28}" + "".join(f"{c:>14}" for c in cells))
    if len(rows) > 1 and all(r.get("pages") for r in (rows[0], rows[-1])):
        print(f"{'cold ratio ' + sizes[-1] + '/' + sizes[0]:<28}" + "  ".join(
            f"{n} {rows[-1]['pages'][n]['cold_s'] / rows[0]['pages'][n]['cold_s']:.1f}×"
            for n in page_names))


if __name__ == "__main__":
    main()
