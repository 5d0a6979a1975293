"""Time reading one export through an import profile against the same tickets as a canonical file.

Usage: python benchmarks/profiles.py [--tickets 200000] [--seed 1]
Stages (read + check, nothing written) five files of the same tickets: canonical tickets.csv,
a ServiceNow list export (ISO dates), the same with day/month/year dates, a ServiceNow export
of three updates per ticket (collapsed, with pause events), and the same updates as the event
log of issue 12 writes them (sys_updated_at, day-first, '?' for empty, "Self service").
Prints wall and CPU seconds and their ratio to the canonical file; appends the figures to
benchmarks/results/profiles.jsonl. --only times some layouts (e.g. the first four on older code).
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

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "profiles.jsonl"

from etl.stage import ImportOptions, stage_file  # noqa: E402


def tickets(n: int, seed: int) -> pd.DataFrame:
    """n synthetic incidents: number, company, opened, channel, priority, engineer, resolved."""
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2025-01-01") + pd.to_timedelta(
        rng.integers(0, 300 * 86400, n), unit="s").floor("min")
    return pd.DataFrame({
        "number": [f"INC{i:07d}" for i in range(n)],
        "company": rng.choice([f"C{i:03d}" for i in range(40)], n),
        "opened": opened,
        "channel": rng.choice(["Phone", "Email", "Self-service"], n),
        "priority": rng.choice(["1 - Critical", "3 - Moderate", "4 - Low"], n),
        "engineer": rng.choice([f"E{i:02d}" for i in range(60)], n),
        "resolved": opened + pd.to_timedelta(rng.integers(30, 3000, n), unit="min"),
    })


def write_files(t: pd.DataFrame, work: Path) -> dict[str, tuple[Path, ImportOptions | None]]:
    """The same tickets in four layouts."""
    iso = "%Y-%m-%d %H:%M:%S"
    canonical = pd.DataFrame({
        "工单号": t["number"], "客户编号": t["company"], "报障时间": t["opened"].dt.strftime(iso),
        "报障方式": t["channel"].map({"Phone": "电话", "Email": "邮件", "Self-service": ""}),
        "故障级别": t["priority"].map({"1 - Critical": "严重"}).fillna("一般"),
        "工程师": t["engineer"], "解决时间": t["resolved"].dt.strftime(iso),
    })
    snow = pd.DataFrame({
        "number": t["number"], "company": t["company"], "opened_at": t["opened"].dt.strftime(iso),
        "contact_type": t["channel"], "state": "Resolved", "priority": t["priority"],
        "assigned_to": t["engineer"], "resolved_at": t["resolved"].dt.strftime(iso),
        "sys_updated_on": t["resolved"].dt.strftime(iso),
    })
    dmy = snow.copy()
    for col, src in (("opened_at", "opened"), ("resolved_at", "resolved"),
                     ("sys_updated_on", "resolved")):
        dmy[col] = t[src].dt.strftime("%d/%m/%Y %H:%M:%S")
    # three updates per ticket: New at opening, On Hold 20 minutes later, Resolved
    new = snow.assign(state="New", resolved_at="", assigned_to="",
                      sys_updated_on=snow["opened_at"])
    hold = snow.assign(state="On Hold", resolved_at="",
                       sys_updated_on=(t["opened"] + pd.Timedelta(minutes=20)).dt.strftime(iso))
    history = pd.concat([new, hold, snow]).sort_values("sys_updated_on", kind="stable")
    # The issue 12 export: the same three updates a ticket headed sys_updated_at, day-first
    # dates, '?' for empty, "Self service" where the profile writes "self-service".
    log = history.rename(columns={"sys_updated_on": "sys_updated_at"}).replace("", "?")
    for col in ("opened_at", "resolved_at", "sys_updated_at"):
        when = pd.to_datetime(log[col].where(log[col] != "?"), format=iso)
        log[col] = when.dt.strftime("%d/%m/%Y %H:%M").fillna("?")
    log["contact_type"] = log["contact_type"].replace("Self-service", "Self service")
    files = {
        "canonical": (work / "tickets.csv", canonical, None),
        "servicenow": (work / "incident.csv", snow, ImportOptions(profile="servicenow")),
        "servicenow dmy": (work / "incident_dmy.csv", dmy,
                           ImportOptions(profile="servicenow", date_order="dmy")),
        "servicenow 3 updates/ticket": (work / "incident_history.csv", history,
                                        ImportOptions(profile="servicenow")),
        "servicenow event log (issue 12)": (work / "incident_log.csv", log,
                                            ImportOptions(profile="servicenow")),
    }
    for path, frame, _ in files.values():
        frame.to_csv(path, index=False)
    return {k: (p, o) for k, (p, _, o) in files.items()}


def stage_seconds(path: Path, options: ImportOptions | None) -> tuple[float, float, int]:
    """Best of two: wall seconds and CPU seconds (all threads) to stage the file, and the ticket
    rows that would load. On a shared machine the CPU time is the steadier figure."""
    best, cpu, loaded = float("inf"), float("inf"), 0
    for _ in range(2):
        start, start_cpu = time.perf_counter(), time.process_time()
        staged = stage_file(path, options=options)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
        loaded = sum(len(s.good) for s in staged if s.entity == "tickets")
    return best, cpu, loaded


def commit() -> str:
    """The checkout's commit, "+changes" when the staging code differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout
    changed = git("status", "--porcelain", "--", "etl", "service_quality").strip()
    return git("rev-parse", "--short", "HEAD").strip() + ("+changes" if changed else "")


def main() -> None:
    """Generate, stage each layout, compare, report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tickets", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", help="comma-separated layouts to time (default: all)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-profiles-"))
    files = write_files(tickets(args.tickets, args.seed), work)
    if args.only:
        files = {k: v for k, v in files.items() if k in args.only.split(",")}
    figures, cpu = {}, {}
    for name, (path, options) in files.items():
        figures[name], cpu[name], loaded = stage_seconds(path, options)
        assert loaded == args.tickets, (name, loaded)
    base, base_cpu = figures["canonical"], cpu["canonical"]
    print(f"{args.tickets} tickets, staged (read + checked), best of 2")
    print(f"{'layout':<32} {'seconds':>8} {'× canonical':>12} {'CPU s':>8} {'× canonical':>12}")
    for name, seconds in figures.items():
        print(f"{name:<32} {seconds:>8.2f} {seconds / base:>12.2f} {cpu[name]:>8.2f} "
              f"{cpu[name] / base_cpu:>12.2f}")
    record = {"at": datetime.now().isoformat(timespec="seconds"), "tickets": args.tickets,
              "seconds": figures, "cpu_seconds": cpu, "host": platform.node(),
              "python": platform.python_version(), "code": commit(),
              "loadavg": round(os.getloadavg()[0], 2)}
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
