"""Queries of the Data page (数据): load log, rejected rows, freshness, calendar.

The terms in force per customer come from queries.terms (every page reads them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from ..database import Database
from . import Scope, load_info, run, scope_params
from .tickets import DRILL_LIMIT

# Rejected rows and the load log are supervisor-only: a row that did not load has no established
# customer (the customer column may be missing or be the very reason it was rejected), and a
# file's counts add up every customer's rows. So a customer scope gets none of them — chosen over
# matching the raw customer id, which would trust exactly the text that failed validation.
# The SQL applies this with `$customers IS NULL`.


@dataclass(frozen=True)
class Freshness:
    """How fresh the loaded data is."""

    as_of: pd.Timestamp
    as_of_source: str
    loaded_at: pd.Timestamp | None
    last_finished: pd.Timestamp | None
    newest_ticket: pd.Timestamp | None
    newest_ticket_age_hours: float | None
    tickets: int


@dataclass(frozen=True)
class CalendarCoverage:
    """Which source the working calendar came from, per year."""

    by_year: pd.DataFrame  # year, first/last_day, days_<source>, holidays, estimated, tickets…
    tickets_estimated: int
    estimated_years: tuple[int, ...]


def _nat_to_none(value):
    return None if pd.isna(value) else value


def load_batches(db: Database, scope: Scope, filters=None,
                 limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The load log, newest first (column `matching` = all rows); none for a customer scope."""
    return run(db, "data_load_batches", scope, limit=limit)


def rejected_files(db: Database, scope: Scope, filters=None) -> pd.DataFrame:
    """Files with rejected rows: file, file_name, entity, rows; none for a customer scope."""
    return run(db, "data_rejected_files", scope)


def rejected_rows(db: Database, scope: Scope, filters=None, file: str | None = None,
                  search: str | None = None, limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Rejected rows of `file` whose reason contains `search`; none for a customer scope."""
    return run(db, "data_rejected_rows", scope, file=file, search=(search or "").strip() or None,
               limit=limit)


def raw_row(db: Database, scope: Scope, filters, file: str, row_number: int) -> pd.DataFrame:
    """One rejected row as read: columns `column` (the file's header) and `value` (its text)."""
    frame = run(db, "data_rejected_raw", scope, file=file, row_number=int(row_number))
    if frame.empty:
        return pd.DataFrame({"column": pd.Series(dtype="object"),
                             "value": pd.Series(dtype="object")})
    text = frame["raw"].iloc[0]
    try:
        # Pairs, not a dict: a file may repeat a header, and the file's column order is kept.
        pairs = json.loads(text, object_pairs_hook=list)
    except (TypeError, ValueError):
        pairs = None
    if not isinstance(pairs, list):
        pairs = [("raw", text)]
    return pd.DataFrame({"column": [str(k) for k, _ in pairs],
                         "value": ["" if v is None else str(v) for _, v in pairs]},
                        dtype="object")


def freshness(db: Database, scope: Scope, filters=None) -> Freshness:
    """as_of, when the last load finished, and the newest ticket in scope with its age at as_of."""
    info = load_info(db)
    as_of = pd.Timestamp(info["as_of"])
    row = run(db, "data_freshness", scope, as_of=as_of).iloc[0]
    age = _nat_to_none(row["newest_ticket_age_hours"])
    return Freshness(
        as_of=as_of,
        as_of_source=info.get("as_of_source") or "",
        loaded_at=pd.Timestamp(info["loaded_at"]) if info.get("loaded_at") else None,
        last_finished=_nat_to_none(row["last_finished"]),
        newest_ticket=_nat_to_none(row["newest_ticket"]),
        newest_ticket_age_hours=None if age is None else float(age),
        tickets=int(row["tickets"]),
    )


def calendar_coverage(db: Database, scope: Scope, filters=None) -> CalendarCoverage:
    """Per year: days by calendar source, holidays, tickets and tickets on an estimated calendar."""
    frame = run(db, "data_calendar_coverage", scope)
    return CalendarCoverage(
        by_year=frame,
        tickets_estimated=int(frame["tickets_estimated"].sum()),
        estimated_years=tuple(int(y) for y in frame.loc[frame["estimated"], "year"]),
    )


def calendar_warnings(db: Database, scope: Scope, filters=None) -> list[str]:
    """The last load's calendar warnings; none for a customer scope (they count every customer)."""
    if scope_params(scope)["customers"] is not None:
        return []
    return list(load_info(db)["calendar_warnings"])
