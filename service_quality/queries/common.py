"""Queries every page needs: the sidebar's choices."""

from __future__ import annotations

from dataclasses import dataclass

from ..database import Database
from . import Scope, run


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers: customers (id → name), teams, the months with data."""

    customers: dict[str, str]
    teams: tuple[str, ...]
    first_month: str | None
    last_month: str | None


def filter_options(db: Database, scope: Scope, filters=None) -> FilterOptions:
    """The sidebar's choices within the caller's scope."""
    frame = run(db, "filter_options", scope)
    by_kind = {k: g for k, g in frame.groupby("kind")}
    customers = by_kind.get("customer")
    months = by_kind.get("month")
    first = months["value"].iloc[0] if months is not None else None
    last = months["label"].iloc[0] if months is not None else None
    return FilterOptions(
        customers=dict(zip(customers["value"], customers["label"], strict=True))
        if customers is not None else {},
        teams=tuple(by_kind["team"]["value"]) if "team" in by_kind else (),
        first_month=first,
        last_month=last,
    )
