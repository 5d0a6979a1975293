"""Drill-down queries: the tickets behind a number, and one ticket's timeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run

DRILL_LIMIT = 500


@dataclass(frozen=True)
class Drill:
    """What a clicked number stands for; None fields do not narrow."""

    metric: str | None = None
    status: str | None = None
    month: str | None = None
    customer: str | None = None
    engineer: str | None = None
    severity_check: str | None = None
    working_time: bool | None = None
    holiday: bool | None = None

    def params(self) -> dict:
        """The $d_* parameters of ticket_list.sql."""
        return {f"d_{k}": v for k, v in asdict(self).items()}

    def is_empty(self) -> bool:
        """Whether nothing was clicked."""
        return all(v is None for v in asdict(self).values())


def ticket_list(db: Database, scope: Scope, filters: Filters, drill: Drill = Drill(),
                limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The filtered tickets narrowed by `drill`, newest first (column `matching` = total)."""
    return run(db, "ticket_list", scope, filters, base="_tickets", d_limit=limit,
               **drill.params())


def ticket_timeline(db: Database, scope: Scope, filters: Filters | None,
                    ticket_id: str) -> pd.DataFrame:
    """One ticket's steps (reported … closed) with each deadline; empty outside the scope."""
    return run(db, "ticket_timeline", scope, ticket_id=ticket_id)
