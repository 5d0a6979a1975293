"""The supervision worklist (监督待办): what needs following up now, at the load's as_of.

Every list ignores the selected period (it is about now) but keeps the caller's scope and the
customer / severity / service-mode / team filters where they describe the rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, load_info, run
from .tickets import DRILL_LIMIT

KINDS = ("clocks", "reports", "complaints", "actions", "low_scores", "reproduction", "severity")
# The kinds that list tickets start from the filtered ticket base; the others apply the scope
# and the customer filter themselves.
TICKET_KINDS = ("clocks", "reports", "reproduction", "severity")


@dataclass(frozen=True)
class Thresholds:
    """How close to a deadline counts as "near", and how far back the lists look."""

    # An arrival or confirmation clock with 30 minutes or less left needs a phone call now …
    near_minutes: float = 30
    # … and so does one with a quarter or less of its own limit left (long holiday clocks).
    near_share: float = 0.25
    # A fault report due within a day must be chased before it is late.
    report_within_hours: float = 24
    # A complaint without a first reply, 30 minutes or less before its reply limit.
    reply_near_minutes: float = 30
    # An unresolved complaint two days or less before its resolution limit.
    resolution_near_days: float = 2
    # Under-classified severity is a finding to correct while the ticket is fresh: last 30 days.
    severity_days: int = 30

    def params(self) -> dict:
        """The thresholds as SQL parameters of the same names."""
        return asdict(self)


@dataclass(frozen=True)
class Worklist:
    """One frame per kind of follow-up, most urgent first; each has `matching` = the full count.

    `params` holds the moment and thresholds the lists were judged with (the agreement's limits
    are each customer's, in ticket_sla and complaint_sla).
    """

    params: dict
    clocks: pd.DataFrame
    reports: pd.DataFrame
    complaints: pd.DataFrame
    actions: pd.DataFrame
    low_scores: pd.DataFrame
    reproduction: pd.DataFrame
    severity: pd.DataFrame

    def count(self, kind: str) -> int:
        """How many rows of `kind` need follow-up (the lists are capped, the count is not)."""
        frame = getattr(self, kind)
        return 0 if frame.empty else int(frame["matching"].iloc[0])


def _now(db: Database) -> dict:
    # "Now" is the load's moment of judgement; the agreement's limits are those each row was
    # judged by (ticket_sla, complaint_sla), so the worklist agrees with the statuses.
    return {"as_of": pd.Timestamp(load_info(db)["as_of"])}


def worklist(db: Database, scope: Scope, filters: Filters,
             thresholds: Thresholds = Thresholds(), limit: int = DRILL_LIMIT) -> Worklist:
    """Every kind of follow-up due at as_of, each list capped at `limit` rows."""
    params = {**_now(db), **thresholds.params(), "limit": limit}
    frames = {}
    for kind in KINDS:
        base = "_worklist_tickets" if kind in TICKET_KINDS else None
        frames[kind] = run(db, f"worklist_{kind}", scope, filters, base=base, **params)
    return Worklist(params=params, **frames)
