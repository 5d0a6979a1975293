"""Signing in through AppTest: the app, the form, the audit log, the fixture's customers."""

import json
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent.parent
START = 1_800_000_000.0


def customers(db: Path) -> list[tuple[str, str]]:
    """Every (customer_id, name), by id."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT customer_id, name FROM customers ORDER BY 1").fetchall()
    con.close()
    return rows


def events(log: Path) -> list[dict]:
    """The audit log's lines."""
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def app(page: str = "dashboard.py") -> AppTest:
    """PAGE (the app by default) in AppTest on the period 2025-07 … 2025-12."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    """Fill in the sign-in form, submit it and run the app."""
    at.text_input(key="auth_username").input(name)
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_submit").click().run()
