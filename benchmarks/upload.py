"""Time the app's upload path against loading the same file straight away (what the CLI does).

Usage: python benchmarks/upload.py [--tickets 200000] [--seed 1]
Builds a database from a generated sample, then for its tickets.csv times: saving the uploaded
bytes, the preview (read + check, nothing written), confirm (the load of the saved file), and,
as the baseline, etl.load.load of the same file into another copy of the database. Prints
seconds and ratios to the baseline; appends the figures to benchmarks/results/upload.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "upload.jsonl"

from etl.load import load  # noqa: E402
from etl.sample import write_sample  # noqa: E402
from service_quality.accounts import User  # noqa: E402
from service_quality.settings import load_settings  # noqa: E402


def timed(fn, *args, **kwargs):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    """Generate, build, upload, compare, report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tickets", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        sample = work / "sample"
        write_sample(sample, tickets=args.tickets, seed=args.seed)
        base = work / "base.duckdb"
        load([sample], base, load_settings())
        data = (sample / "tickets.csv").read_bytes()
        direct, app = work / "direct" / "service.duckdb", work / "app" / "service.duckdb"
        for db in (direct, app):
            db.parent.mkdir()
            shutil.copyfile(base, db)

        baseline, _ = timed(load, [sample / "tickets.csv"], direct, load_settings())
        os.environ["DASHBOARD_DB"] = str(app)   # uploads/ goes beside the app's database
        from etl import upload

        save, up = timed(upload.save_upload, [("tickets.csv", data)])
        preview_s, preview = timed(upload.build_preview, up, "canonical")
        confirm, summary = timed(upload.confirm, preview, User("bench", "supervisor"))
        assert summary.files[0].rows_read == preview.files[0].rows_read
    finally:
        shutil.rmtree(work, ignore_errors=True)

    seconds = {"load (baseline)": baseline, "save": save, "preview": preview_s,
               "confirm": confirm, "save + preview + confirm": save + preview_s + confirm}
    mb = len(data) / (1 << 20)
    print(f"tickets.csv: {args.tickets} tickets, {mb:.1f} MB, "
          f"{preview.files[0].rows_read} rows read")
    print(f"{'step':<26}{'seconds':>9}{'× load':>9}")
    for name, s in seconds.items():
        print(f"{name:<26}{s:>9.2f}{s / baseline:>9.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps({"at": datetime.now().isoformat(timespec="seconds"),
                            "tickets": args.tickets, "mb": round(mb, 1), "seconds": seconds,
                            "host": platform.node(), "python": platform.python_version()}) + "\n")


if __name__ == "__main__":
    main()
