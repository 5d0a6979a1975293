"""Queries of the service-process page (服务过程, DESIGN §2.7): mix, transfers, parts, duty."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, load_info, run
from .tickets import DRILL_LIMIT

MIX_DIMENSIONS = ("channel", "service_mode")
CHANNELS = ("phone", "email", "sms", "fax", "im", "unknown")
SERVICE_MODES = ("onsite", "remote", "phone", "email", "unknown")
WARRANTIES = ("in", "out", "unknown")
QUOTE_STATUSES = ("accepted", "rejected", "pending", "none")
HOLIDAY_METRICS = ("arrival", "response", "confirm", "report", "upgrade", "handling")
# A bar of the transfer distribution at this value stands for "this many or more".
TRANSFERS_CAP = 5
# Transferred this often or more is worth a supervisor's look (the agreement's section 8).
REPEATED_TRANSFERS = 2


@dataclass(frozen=True)
class ProcessDrill:
    """What a clicked number of the process page stands for; None fields do not narrow."""

    month: str | None = None
    channel: str | None = None
    service_mode: str | None = None
    transfers_min: int | None = None
    transfers_max: int | None = None
    transfer_mismatch: bool | None = None
    warranty: str | None = None
    quote_status: str | None = None
    parts: bool | None = None
    day: str | None = None

    def params(self) -> dict:
        """The $d_* parameters of process_ticket_list.sql."""
        return {f"d_{k}": v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Transfers:
    """The transfer distribution and its totals."""

    distribution: pd.DataFrame  # transfers (0 … TRANSFERS_CAP), tickets, transfer_events, …
    tickets: int
    transferred: int
    repeated: int
    events: int
    mismatched: int


@dataclass(frozen=True)
class WarrantyQuotes:
    """The period's warranty split and the quotes of out-of-warranty tickets."""

    warranty: pd.DataFrame  # warranty, tickets, share — every value of WARRANTIES
    quotes: pd.DataFrame  # quote_status, tickets — every value of QUOTE_STATUSES
    acceptance: float | None  # accepted / (accepted + rejected)


@dataclass(frozen=True)
class LeadTimes:
    """Spare-part lead times by month and over the whole period."""

    by_month: pd.DataFrame  # month, requested, received, waiting, inconsistent, median/p90_hours
    requested: int
    received: int
    waiting: int
    inconsistent: int
    median_hours: float | None
    p90_hours: float | None


def _as_of(db: Database) -> pd.Timestamp:
    return pd.Timestamp(load_info(db)["as_of"])


def mix_by_month(db: Database, scope: Scope, filters: Filters, dimension: str) -> pd.DataFrame:
    """Tickets and share per month by reporting channel or service mode (`dimension`)."""
    if dimension not in MIX_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return run(db, "process_mix", scope, filters, base="_tickets", dimension=dimension)


def transfers(db: Database, scope: Scope, filters: Filters) -> Transfers:
    """Tickets by transfer count, transfer events, and counts that disagree with the events."""
    frame = run(db, "process_transfers", scope, filters, base="_tickets")
    n = frame["tickets"]
    return Transfers(
        distribution=frame,
        tickets=int(n.sum()),
        transferred=int(n[frame["transfers"] >= 1].sum()),
        repeated=int(n[frame["transfers"] >= REPEATED_TRANSFERS].sum()),
        events=int(frame["transfer_events"].sum()),
        mismatched=int(frame["mismatched"].sum()),
    )


def warranty_by_month(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Tickets per month and warranty (in, out, unknown)."""
    return run(db, "process_warranty_by_month", scope, filters, base="_tickets")


def warranty_quotes(db: Database, scope: Scope, filters: Filters) -> WarrantyQuotes:
    """The warranty split and out-of-warranty repair quotes, every value listed even when 0."""
    frame = run(db, "process_warranty_quotes", scope, filters, base="_tickets")
    by_kind = {k: g.set_index("value")["tickets"] for k, g in frame.groupby("kind")}
    warranty = by_kind.get("warranty", pd.Series(dtype="int64")).reindex(WARRANTIES, fill_value=0)
    quotes = by_kind.get("quote", pd.Series(dtype="int64")).reindex(QUOTE_STATUSES, fill_value=0)
    total = int(warranty.sum())
    decided = int(quotes["accepted"] + quotes["rejected"])
    return WarrantyQuotes(
        warranty=pd.DataFrame({"warranty": WARRANTIES, "tickets": warranty.astype("int64").values,
                               "share": (warranty / total).values if total else 0.0}),
        quotes=pd.DataFrame({"quote_status": QUOTE_STATUSES,
                             "tickets": quotes.astype("int64").values}),
        acceptance=int(quotes["accepted"]) / decided if decided else None,
    )


def part_lead_time(db: Database, scope: Scope, filters: Filters) -> LeadTimes:
    """Spare-part lead time in hours per month and over the period: median, p90, counts."""
    frame = run(db, "process_part_lead_time", scope, filters, base="_tickets")
    total = frame[frame["month"].isna()]
    by_month = frame[frame["month"].notna()].reset_index(drop=True)
    if total.empty or by_month.empty:
        return LeadTimes(by_month, 0, 0, 0, 0, None, None)
    row = total.iloc[0]
    return LeadTimes(
        by_month=by_month,
        requested=int(row["requested"]),
        received=int(row["received"]),
        waiting=int(row["waiting"]),
        inconsistent=int(row["inconsistent"]),
        median_hours=None if pd.isna(row["median_hours"]) else float(row["median_hours"]),
        p90_hours=None if pd.isna(row["p90_hours"]) else float(row["p90_hours"]),
    )


def engineer_workload(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per engineer (busiest first): tickets, open, on-site, arrivals, compliance, handling."""
    return run(db, "process_engineers", scope, filters, base="_tickets")


def holiday_duty(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Every statutory holiday day of the period with its duty engineers, phones and gaps."""
    return run(db, "process_holiday_duty", scope, filters, base="_tickets")


def holiday_compliance(db: Database, scope: Scope, filters: Filters,
                       metric: str = "arrival") -> pd.DataFrame:
    """Status counts and compliance of `metric` on holidays ('holiday') against other days."""
    if metric not in HOLIDAY_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    return run(db, "process_holiday_compliance", scope, filters, base="_tickets", metric=metric)


def process_tickets(db: Database, scope: Scope, filters: Filters,
                    drill: ProcessDrill = ProcessDrill(), limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The filtered tickets narrowed by `drill` (column `matching` = total before the limit)."""
    return run(db, "process_ticket_list", scope, filters, base="_tickets", d_limit=limit,
               as_of=_as_of(db), **drill.params())


def transfer_drill(clicked: int | None, listing: str = "repeated") -> ProcessDrill:
    """The transfers tab's list: the clicked bar's tickets (the capped bar stands for that many
    or more), else the chosen list, the repeatedly transferred or the count mismatches."""
    if clicked is not None:
        return ProcessDrill(transfers_min=clicked,
                            transfers_max=None if clicked >= TRANSFERS_CAP else clicked)
    if listing == "mismatch":
        return ProcessDrill(transfer_mismatch=True)
    return ProcessDrill(transfers_min=REPEATED_TRANSFERS)


def warranty_drill(chart: str | None, value=None, month: str | None = None) -> ProcessDrill:
    """The warranty tab's list: a clicked month's warranty value, else the out-of-warranty
    tickets of the clicked quote status (pending until a quote bar is clicked)."""
    if chart == "warranty":
        return ProcessDrill(month=month, warranty=value)
    return ProcessDrill(warranty="out", quote_status=value if chart == "quote" else "pending")


def shown_warranty(split: pd.DataFrame) -> pd.DataFrame:
    """The warranty values worth a card: 'unknown' only when some ticket has it."""
    return split[(split["warranty"] != "unknown") | (split["tickets"] > 0)]
