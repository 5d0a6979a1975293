"""Running `python -m etl` with SMTP settings and reading the delivery log it keeps."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from service_quality.delivery.log import deliveries_path

ROOT = Path(__file__).resolve().parent.parent.parent
SENDER = "reports@example.com"


def cli(*args, port=None, security="none", input_text=None, **env
        ) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` with the SMTP settings in its environment."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "DASHBOARD_"))}
    if port is not None:
        full.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY=security,
                    SMTP_FROM=SENDER)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=full,
                          input=input_text or "", capture_output=True, text=True, timeout=600)


def log_rows(db: Path) -> list[dict]:
    """The delivery log beside DB, oldest first."""
    path = deliveries_path(db)
    if not path.exists():
        return []
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM deliveries ORDER BY id")]
    finally:
        con.close()


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
