"""Queries of the improvement-actions page (改进措施): funnel, on-time rates, overdue, notices."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run
from .tickets import DRILL_LIMIT

STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
SOURCE_TYPES = ("survey", "complaint", "fault_report", "inspection")
COMPLETIONS = ("on_time", "late", "open", "cancelled")
GROUPS = ("owner_dept", "source_type", "month", "all")
_COUNTS = ("actions", "on_time", "late", "open", "cancelled", "overdue", "finished", "notified")


@dataclass(frozen=True)
class ActionDrill:
    """What a clicked number stands for; None / False fields do not narrow."""

    status: str | None = None
    source_type: str | None = None
    owner_dept: str | None = None
    completion: str | None = None
    month: str | None = None
    overdue: bool = False
    not_notified: bool = False

    def params(self) -> dict:
        """The $d_* parameters of actions_list.sql."""
        return {f"d_{k}": v for k, v in asdict(self).items()}


def action_funnel(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per status: actions now at it, reached it or beyond, overdue; cancelled last."""
    return run(db, "actions_funnel", scope, filters, base="_actions")


def actions_by(db: Database, scope: Scope, filters: Filters, group: str) -> pd.DataFrame:
    """On-time / late / open / overdue counts, on-time and notified rates per group, worst first."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    frame = run(db, "actions_by", scope, filters, base="_actions", group=group)
    fixed = {"source_type": SOURCE_TYPES, "all": ("all",)}.get(group)
    if fixed:
        # Every source type (and the total) listed, so a missing one reads as zeros.
        frame = frame.set_index("grp")
        frame = frame.reindex([*fixed, *sorted(set(frame.index) - set(fixed))])
        frame[list(_COUNTS)] = frame[list(_COUNTS)].fillna(0).astype("int64")
        frame = frame.reset_index()
    return frame


def action_list(db: Database, scope: Scope, filters: Filters, drill: ActionDrill = ActionDrill(),
                whole_history: bool = False, limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Actions narrowed by `drill`, most overdue first (column `matching` = total).

    whole_history drops the period: an overdue action stays due whenever it was created.
    """
    period = {"start": None, "end": None} if whole_history else {}
    return run(db, "actions_list", scope, filters, base="_actions", d_limit=limit,
               **drill.params(), **period)


def action_drill_for(group: str | None, clicked=None, status: str | None = None) -> ActionDrill:
    """The actions behind a click on a completion chart of GROUP (owner_dept or source_type),
    whose points carry (group value, completion); narrowed to STATUS when one is chosen."""
    if group in ("owner_dept", "source_type") and isinstance(clicked, list | tuple) \
            and len(clicked) == 2:
        return ActionDrill(status=status, completion=str(clicked[1]),
                           **{group: str(clicked[0])})
    return ActionDrill(status=status)
