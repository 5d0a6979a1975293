"""Named queries; every one takes the caller's customer scope and applies it in SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .database import Database

SQL_DIR = Path(__file__).resolve().parent / "sql"

TICKET_METRICS = ("response", "arrival", "confirm", "report", "upgrade", "handling")
COMPLAINT_METRICS = ("complaint_first_reply", "complaint_resolution")


@dataclass(frozen=True)
class Scope:
    """Which customers' rows a caller may see: None means every customer."""

    customers: tuple[str, ...] | None

    @classmethod
    def everyone(cls) -> Scope:
        """The scope of a supervisor or manager."""
        return cls(None)

    @classmethod
    def customer(cls, customer_id: str) -> Scope:
        """The scope of one customer's users."""
        return cls((customer_id,))

    def params(self) -> dict:
        """The $customers parameter every scoped query takes."""
        return {"customers": list(self.customers) if self.customers is not None else None}


def _scoped(scope: Scope) -> dict:
    # A query without a scope is a bug that could leak another customer's rows: fail loudly.
    if not isinstance(scope, Scope):
        raise TypeError("a scope (queries.Scope) is required for every query")
    return scope.params()


@cache
def sql(name: str) -> str:
    """The text of sql/NAME.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def load_info(db: Database) -> dict[str, str]:
    """Facts about the last load (as_of, its source, calendar warnings); no customer data."""
    info = dict(db.query(sql("load_info")).itertuples(index=False))
    info["calendar_warnings"] = json.loads(info.get("calendar_warnings") or "[]")
    return info


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of a month written "YYYY-MM"."""
    start = pd.Timestamp(f"{month}-01")
    return start, start + pd.offsets.MonthBegin(1)


def last_full_months(as_of: pd.Timestamp, n: int = 2) -> list[str]:
    """The last `n` full months before as_of, latest first ("YYYY-MM")."""
    first = pd.Timestamp(as_of).to_period("M")
    return [str(first - i) for i in range(1, n + 1)]


def compliance(db: Database, scope: Scope, month: str) -> pd.DataFrame:
    """Met/breached/no_record/pending/na counts and compliance per promise for one month."""
    start, end = month_bounds(month)
    frame = db.query(sql("compliance_by_metric"), {"start": start, "end": end, **_scoped(scope)})
    order = TICKET_METRICS + COMPLAINT_METRICS
    frame = frame.set_index("metric").reindex(order)
    counts = ["met", "breached", "no_record", "pending", "na"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame.reset_index()


def ticket_count(db: Database, scope: Scope, month: str) -> int:
    """Tickets reported in one month."""
    start, end = month_bounds(month)
    frame = db.query(sql("ticket_counts"), {"start": start, "end": end, **_scoped(scope)})
    return int(frame.iloc[0, 0])
