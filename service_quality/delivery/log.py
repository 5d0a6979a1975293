"""The delivery log: every attempt to mail a report or a digest, beside the database, never in it.

A load builds a new DuckDB file and swaps it in, so nothing written into the database survives
the next load. The log is a small SQLite file beside it (owner-only, 0600): each attempt is one
row, written in one transaction, readable while another process writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

CHINA = ZoneInfo("Asia/Shanghai")
RESULTS = ("sent", "partial", "failed", "no_address")
# Results after which the addresses in `delivered` have their copy.
DELIVERED_RESULTS = ("sent", "partial")

CREATE = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    customer_name TEXT,
    period TEXT NOT NULL,
    recipients TEXT NOT NULL,
    delivered TEXT NOT NULL,
    refused TEXT NOT NULL,
    files TEXT NOT NULL,
    subject TEXT,
    attempted_at TEXT NOT NULL,
    sent_at TEXT,
    result TEXT NOT NULL,
    error TEXT,
    forced INTEGER NOT NULL DEFAULT 0,
    data_as_of TEXT
)"""
CREATE_INDEX = ("CREATE INDEX IF NOT EXISTS deliveries_by_item "
                "ON deliveries (kind, channel, customer_id, period)")
INSERT = """
INSERT INTO deliveries (run_id, kind, channel, customer_id, customer_name, period, recipients,
                        delivered, refused, files, subject, attempted_at, sent_at, result, error,
                        forced, data_as_of)
VALUES (:run_id, :kind, :channel, :customer_id, :customer_name, :period, :recipients,
        :delivered, :refused, :files, :subject, :attempted_at, :sent_at, :result, :error,
        :forced, :data_as_of)"""
DELIVERED = """
SELECT delivered FROM deliveries
WHERE kind = ? AND channel = ? AND customer_id = ? AND period = ? AND result IN ('sent', 'partial')
"""
RECENT = """
SELECT id, run_id, attempted_at, kind, channel, customer_id, customer_name, period, recipients,
       delivered, refused, files, subject, sent_at, result, error, forced, data_as_of,
       count(*) OVER () AS matching
FROM deliveries
ORDER BY id DESC
LIMIT ?
"""
COLUMNS = ("id", "run_id", "attempted_at", "kind", "channel", "customer_id", "customer_name",
           "period", "recipients", "delivered", "refused", "files", "subject", "sent_at", "result",
           "error", "forced", "data_as_of", "matching")


def now() -> datetime:
    """China time to the second, naive, like every moment the project stores."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def deliveries_path(db: Path) -> Path:
    """$DASHBOARD_DELIVERIES, else deliveries.sqlite beside the database file DB."""
    value = os.environ.get("DASHBOARD_DELIVERIES", "").strip()
    return Path(value) if value else Path(db).with_name("deliveries.sqlite")


@dataclass(frozen=True)
class FileSent:
    """An attached file: its name, size and SHA-256 (what exactly went out)."""

    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Delivery:
    """One attempt: what went to whom, when, and how it ended."""

    run_id: str
    kind: str  # report | digest
    channel: str  # email | webhook
    period: str  # "2026-10", "2026-Q3"; a digest: the load's as_of
    result: str  # one of RESULTS
    recipients: tuple[str, ...] = ()
    delivered: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)  # address → the reason
    files: tuple[FileSent, ...] = ()
    customer_id: str = ""
    customer_name: str | None = None
    subject: str | None = None
    attempted_at: datetime = field(default_factory=now)
    sent_at: datetime | None = None
    error: str | None = None
    forced: bool = False
    data_as_of: str | None = None

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"unknown delivery result {self.result!r}")

    def row(self) -> dict:
        """The row as SQL parameters."""
        def moment(value):
            return None if value is None else value.isoformat(sep=" ", timespec="seconds")

        return {
            "run_id": self.run_id, "kind": self.kind, "channel": self.channel,
            "customer_id": self.customer_id, "customer_name": self.customer_name,
            "period": self.period, "recipients": "; ".join(self.recipients),
            "delivered": json.dumps(list(self.delivered), ensure_ascii=False),
            "refused": json.dumps(self.refused, ensure_ascii=False),
            "files": json.dumps([f.__dict__ for f in self.files], ensure_ascii=False),
            "subject": self.subject, "attempted_at": moment(self.attempted_at),
            "sent_at": moment(self.sent_at), "result": self.result, "error": self.error,
            "forced": int(self.forced), "data_as_of": self.data_as_of,
        }


class DeliveryLog:
    """The log file at PATH: record attempts, ask what already went out, list the latest."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _create(self) -> None:
        # Owner-only from the first byte: the log names customers' and supervisors' addresses.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            self._create()
        con = sqlite3.connect(self.path, timeout=30)
        con.execute(CREATE)
        con.execute(CREATE_INDEX)
        return con

    def ensure(self) -> None:
        """Create the log if need be; OSError or sqlite3.Error when it cannot be written (a run
        checks this before it sends anything, so no attempt goes unrecorded)."""
        con = self._connect()
        try:
            with con:
                con.execute("BEGIN IMMEDIATE")
        finally:
            con.close()

    def record(self, delivery: Delivery) -> None:
        """Append one attempt (its own transaction: a later failure cannot lose it)."""
        con = self._connect()
        try:
            with con:
                con.execute(INSERT, delivery.row())
        finally:
            con.close()

    def delivered(self, kind: str, channel: str, customer_id: str, period: str) -> set[str]:
        """The addresses (or webhook) that already have this item for this period."""
        if not self.path.exists():
            return set()
        con = self._connect()
        try:
            rows = con.execute(DELIVERED, (kind, channel, customer_id, period)).fetchall()
        finally:
            con.close()
        return {a for (text,) in rows for a in json.loads(text)}

    def recent(self, limit: int = 500) -> pd.DataFrame:
        """The latest attempts, newest first, with `matching` = how many there are in all."""
        if not self.path.exists():
            return pd.DataFrame(columns=list(COLUMNS))
        # Read-only: the app only looks, and must not create or lock the file for writing.
        con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            try:
                rows = con.execute(RECENT, (limit,)).fetchall()
            except sqlite3.OperationalError as e:
                if "no such table" in str(e):
                    rows = []
                else:
                    raise
        finally:
            con.close()
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        for col in ("attempted_at", "sent_at"):
            frame[col] = pd.to_datetime(frame[col])
        return frame


RESULT_COLORS = {"sent": "#2e7d32", "partial": "#f9a825", "failed": "#c62828",
                 "no_address": "#9e9e9e"}
SHOWN = ("attempted_at", "kind", "channel", "customer", "period", "result", "recipients",
         "delivered", "error", "files", "sent_at")


def _files_text(text: str) -> str:
    return "; ".join(f"{f['name']} ({f['sha256'][:12]}…, {f['bytes']:,} B)"
                     for f in json.loads(text or "[]"))


def display_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The log as a table shows it: one line of addresses, files with a short SHA-256, the
    customer as "id name"; codes (kind, channel, result) kept for the caller to word."""
    out = pd.DataFrame({
        "attempted_at": frame["attempted_at"], "kind": frame["kind"],
        "channel": frame["channel"],
        "customer": (frame["customer_id"] + " " + frame["customer_name"].fillna("")).str.strip(),
        "period": frame["period"], "result": frame["result"],
        "recipients": frame["recipients"],
        "delivered": frame["delivered"].map(lambda v: "; ".join(json.loads(v or "[]"))),
        "error": frame["error"], "files": frame["files"].map(_files_text),
        "sent_at": frame["sent_at"],
    })
    return out[list(SHOWN)]


def latest_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """The failed or partial rows of the newest run in FRAME (newest first, as recent() gives)."""
    if frame.empty:
        return frame
    latest = frame[frame["run_id"] == frame["run_id"].iloc[0]] if "run_id" in frame else frame
    return latest[latest["result"].isin(["failed", "partial"])]
