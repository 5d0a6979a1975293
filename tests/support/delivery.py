"""Running `python -m etl` with SMTP settings and reading the delivery log it keeps."""

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
import traceback
from pathlib import Path

from service_quality.delivery.log import deliveries_path

ROOT = Path(__file__).resolve().parent.parent.parent
SENDER = "reports@example.com"


def cli(*args, port=None, security="none", input_text=None, **env
        ) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` run in this process (etl.cli.main, what `python -m etl` calls) with
    the SMTP settings as its whole environment; its exit status, stdout and stderr as a
    subprocess would give them. In-process because a new interpreter per call (imports, a cold
    Chromium for the charts) cost the suite minutes; `subprocess_cli` is the real command."""
    from etl.cli import main

    argv = list(map(str, args))
    full = _environment(port, security, env)
    saved_env, saved_stdin, saved_cwd = dict(os.environ), sys.stdin, os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(full)
        sys.stdin = io.StringIO(input_text or "")
        os.chdir(ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as e:   # argparse's refusals, as `python -m etl` exits
                if isinstance(e.code, str):
                    print(e.code, file=sys.stderr)
                code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
            except Exception:  # noqa: BLE001 — a crash is what a subprocess would print
                traceback.print_exc()
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
    return subprocess.CompletedProcess([sys.executable, "-m", "etl", *argv], code or 0,
                                       out.getvalue(), err.getvalue())


def subprocess_cli(*args, port=None, security="none", input_text=None, **env
                   ) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` in a new interpreter with the SMTP settings in its environment."""
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT,
                          env=_environment(port, security, env), input=input_text or "",
                          capture_output=True, text=True, timeout=600)


def _environment(port, security: str, env: dict) -> dict:
    """This process's environment without SMTP_* and DASHBOARD_*, then the SMTP settings, ENV."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "DASHBOARD_"))}
    if port is not None:
        full.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY=security,
                    SMTP_FROM=SENDER)
    full.update(env)
    return full


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
