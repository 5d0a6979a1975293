"""Queries of the complaints page (投诉): volume, both promises by month, open complaints, list."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, load_info, run
from .tickets import DRILL_LIMIT

PROMISES = ("first_reply", "resolution")
GROUPS = ("month", "category", "all")
STATUS_COUNTS = ("met", "breached", "no_record", "pending", "na")


@dataclass(frozen=True)
class ComplaintDrill:
    """What a clicked number stands for; None fields do not narrow."""

    month: str | None = None
    category: str | None = None
    promise: str | None = None
    status: str | None = None

    def params(self) -> dict:
        """The $d_* parameters of complaints_list.sql."""
        if self.promise is not None and self.promise not in PROMISES:
            raise ValueError(f"unknown promise {self.promise!r}")
        return {f"d_{k}": v for k, v in asdict(self).items()}


def complaint_volume(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Complaints per month and category ('' = not categorised)."""
    return run(db, "complaints_volume", scope, filters, base="_complaints")


def complaint_compliance(db: Database, scope: Scope, filters: Filters,
                         group: str = "month") -> pd.DataFrame:
    """Status counts and compliance of both promises per month, category or `all`."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    frame = run(db, "complaints_compliance", scope, filters, base="_complaints", group=group)
    if group == "all":
        # Both promises always listed, so a period without complaints reads as zeros.
        frame = frame.set_index("promise").reindex(list(PROMISES))
        counts = ["complaints", *STATUS_COUNTS]
        frame[counts] = frame[counts].fillna(0).astype("int64")
        frame = frame.assign(grp="all").reset_index()
    return frame


def open_complaints(db: Database, scope: Scope, filters: Filters, whole_history: bool = True,
                    limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Unresolved complaints with each due time and the time left at as_of, most urgent first."""
    period = {"start": None, "end": None} if whole_history else {}
    return run(db, "complaints_open", scope, filters, as_of=load_info(db)["as_of"], limit=limit,
               **period)


def complaint_list(db: Database, scope: Scope, filters: Filters,
                   drill: ComplaintDrill = ComplaintDrill(), limit: int = DRILL_LIMIT
                   ) -> pd.DataFrame:
    """The filtered complaints narrowed by `drill`, newest first (column `matching` = total)."""
    return run(db, "complaints_list", scope, filters, base="_complaints", d_limit=limit,
               **drill.params())
