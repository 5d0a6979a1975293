"""Queries of the overview page: headline compliance per promise, satisfaction, open actions."""

from __future__ import annotations

import pandas as pd

from ..database import Database
from ..filters import Filters, month_start
from . import Scope, load_info, run

TICKET_METRICS = ("response", "arrival", "confirm", "report", "upgrade", "handling")
COMPLAINT_METRICS = ("complaint_first_reply", "complaint_resolution")
STATUS_COUNTS = ("met", "breached", "no_record", "pending", "na")
# The cards in reading order: volume, the ticket promises, complaints, satisfaction, actions.
CARDS = ("tickets", "response", "arrival", "confirm", "report", "upgrade", "handling",
         "complaint_first_reply", "complaint_resolution", "csat", "survey_response",
         "overdue_actions")
CARD_COLUMNS = ("kpi", "unit", "value", "previous", "delta", "better", "trend", "numerator",
                "denominator", *STATUS_COUNTS)


def compliance(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Status counts and compliance per promise, every promise listed even with no rows."""
    frame = run(db, "compliance_by_metric", scope, filters, base="_monthly")
    frame = frame.set_index("metric").reindex(TICKET_METRICS + COMPLAINT_METRICS)
    frame[list(STATUS_COUNTS)] = frame[list(STATUS_COUNTS)].fillna(0).astype("int64")
    return frame.reset_index()


def ticket_volume(db: Database, scope: Scope, filters: Filters) -> int:
    """Number of tickets the filters select."""
    return int(run(db, "ticket_volume", scope, filters, base="_monthly").iloc[0, 0])


def survey_rates(db: Database, scope: Scope, filters: Filters) -> pd.Series:
    """Surveys sent in the period: sent, answered, satisfied, csat, response_rate."""
    return run(db, "overview_surveys", scope, filters).iloc[0]


def handling_hours(db: Database, scope: Scope, filters: Filters) -> pd.Series:
    """Filtered faults resolved so far (`resolved`) and their median handling hours."""
    return run(db, "overview_handling", scope, filters, base="_monthly").iloc[0]


def overdue_actions(db: Database, scope: Scope, filters: Filters) -> pd.Series:
    """Overdue improvement actions now and at the period's start (`now`, `before`, `before_at`)."""
    before_at = month_start(filters.start)
    row = run(db, "overview_overdue", scope, filters, before=before_at).iloc[0]
    return pd.Series({"now": int(row["now"]), "before": int(row["before"]),
                      "before_at": before_at})


def monthly(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """One row per month of the filters: every card's number that month (NULL = no data)."""
    as_of = pd.Timestamp(load_info(db)["as_of"])
    frame = run(db, "overview_monthly", scope, filters, base="_monthly", as_of=as_of)
    hours = run(db, "overview_handling_monthly", scope, filters, base="_monthly")
    frame = frame.merge(hours, on="month", how="left")
    return frame[[*frame.columns[:8], "handling_hours", *frame.columns[8:-1]]]


def _rate_card(kpi: str, now: pd.Series, before: pd.Series) -> dict:
    judged = int(now["met"] + now["breached"] + now["no_record"])
    return {"kpi": kpi, "unit": "rate", "value": now["compliance"],
            "previous": before["compliance"], "better": "higher", "trend": kpi,
            "numerator": int(now["met"]), "denominator": judged,
            **{s: int(now[s]) for s in STATUS_COUNTS}}


def kpi_cards(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The overview's cards for the period against the previous one, in CARDS order.

    unit is `rate` (0–1), `count` or `hours`; delta = value − previous (rates in fractions);
    better says which direction is good (`higher`, `lower`, `none`); trend names the column of
    `monthly` to draw. Upgrade is left out when no upgrade was judged in the period; handling
    without a target (all `na`) becomes the median handling hours of the resolved faults.
    """
    prev = filters.previous()
    now, before = (compliance(db, scope, f).set_index("metric") for f in (filters, prev))
    rows = [{"kpi": "tickets", "unit": "count", "value": ticket_volume(db, scope, filters),
             "previous": ticket_volume(db, scope, prev), "better": "none", "trend": "tickets"}]
    for metric in ("response", "arrival", "confirm", "report", "upgrade"):
        card = _rate_card(metric, now.loc[metric], before.loc[metric])
        if metric == "upgrade" and card["denominator"] == 0:
            continue
        rows.append(card)
    handling = _rate_card("handling", now.loc["handling"], before.loc["handling"])
    if handling["denominator"] == 0 and handling["pending"] == 0:
        hours, old_hours = handling_hours(db, scope, filters), handling_hours(db, scope, prev)
        handling.update(unit="hours", value=hours["median_hours"],
                        previous=old_hours["median_hours"], better="lower",
                        trend="handling_hours", numerator=int(hours["resolved"]),
                        denominator=int(hours["resolved"]))
    rows.append(handling)
    for metric in COMPLAINT_METRICS:
        rows.append(_rate_card(metric, now.loc[metric], before.loc[metric]))
    surveys, old_surveys = survey_rates(db, scope, filters), survey_rates(db, scope, prev)
    rows.append({"kpi": "csat", "unit": "rate", "value": surveys["csat"],
                 "previous": old_surveys["csat"], "better": "higher", "trend": "csat",
                 "numerator": int(surveys["satisfied"]), "denominator": int(surveys["answered"])})
    rows.append({"kpi": "survey_response", "unit": "rate", "value": surveys["response_rate"],
                 "previous": old_surveys["response_rate"], "better": "higher",
                 "trend": "survey_response", "numerator": int(surveys["answered"]),
                 "denominator": int(surveys["sent"])})
    overdue = overdue_actions(db, scope, filters)
    rows.append({"kpi": "overdue_actions", "unit": "count", "value": overdue["now"],
                 "previous": overdue["before"], "better": "lower", "trend": "overdue_actions"})
    frame = pd.DataFrame(rows).reindex(columns=list(CARD_COLUMNS))
    frame[["value", "previous"]] = frame[["value", "previous"]].astype("float64")
    frame["delta"] = frame["value"] - frame["previous"]
    return frame
