"""Queries of the overview page: headline compliance per promise and volumes."""

from __future__ import annotations

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run

TICKET_METRICS = ("response", "arrival", "confirm", "report", "upgrade", "handling")
COMPLAINT_METRICS = ("complaint_first_reply", "complaint_resolution")
STATUS_COUNTS = ("met", "breached", "no_record", "pending", "na")


def compliance(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Status counts and compliance per promise, every promise listed even with no rows."""
    frame = run(db, "compliance_by_metric", scope, filters, base="_tickets")
    frame = frame.set_index("metric").reindex(TICKET_METRICS + COMPLAINT_METRICS)
    frame[list(STATUS_COUNTS)] = frame[list(STATUS_COUNTS)].fillna(0).astype("int64")
    return frame.reset_index()


def ticket_volume(db: Database, scope: Scope, filters: Filters) -> int:
    """Number of tickets the filters select."""
    return int(run(db, "ticket_volume", scope, filters, base="_tickets").iloc[0, 0])
