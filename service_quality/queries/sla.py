"""Queries of the SLA page (服务时效): one promise by month and by dimension, arrival times."""

from __future__ import annotations

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run

METRICS = ("response", "arrival", "confirm", "report", "upgrade", "handling")
GROUPS = ("month", "customer", "engineer", "severity", "working_time", "holiday")


def sla_by(db: Database, scope: Scope, filters: Filters, metric: str, group: str) -> pd.DataFrame:
    """Status counts and compliance of `metric` per `group` value."""
    if metric not in METRICS or group not in GROUPS:
        raise ValueError(f"unknown metric {metric!r} or group {group!r}")
    if group == "engineer":
        # Engineers are not a dimension of ticket_monthly (it would hold a row per engineer).
        return run(db, "sla_by", scope, filters, base="_tickets", metric=metric, group=group)
    return run(db, "sla_by_monthly", scope, filters, base="_monthly", metric=metric, group=group)


def arrival_distribution(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """On-site arrival minutes in 10-minute bins, by working / non-working time."""
    return run(db, "arrival_distribution", scope, filters, base="_tickets")
