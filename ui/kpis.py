"""The overview's KPI cards: each figure, its change against the previous period, why it reads
"—", the counts behind it and its trend line."""

from __future__ import annotations

import pandas as pd

from service_quality.charts.overview import kpi_trend
from service_quality.messages import has

from .frame import Context
from .metrics import Card, hours, metric_row
from .text import pct, why_empty

VALUE = {"rate": pct, "count": lambda v: f"{v:,.0f}", "hours": hours}
# Why a card reads "—" (first in its help): by card, else by unit.
EMPTY = {"csat": "empty_csat", "survey_response": "empty_survey_response",
         "hours": "empty_handling_hours", "rate": "empty_rate"}
DELTA = {"rate": lambda d: f"{d * 100:+.1f} pp", "count": lambda d: f"{d:+,.0f}",
         "hours": lambda d: f"{d:+.1f} h"}
DELTA_COLOR = {"higher": "normal", "lower": "inverse", "none": "off"}


def card_label(ctx: Context, kpi: str) -> str:
    """The card's title."""
    if kpi == "tickets":
        return ctx.t("tickets_in_period")
    return ctx.t(f"metric_{kpi}") if has(f"metric_{kpi}") else ctx.t(f"overview_kpi_{kpi}")


def card_counts(ctx: Context, card: pd.Series) -> str:
    """The denominators behind a card (or the previous period's figure)."""
    counts = {k: int(card[k]) if pd.notna(card[k]) else 0
              for k in ("met", "breached", "no_record", "pending", "numerator", "denominator")}
    previous = "—" if pd.isna(card["previous"]) else f"{card['previous']:,.0f}"
    if card["kpi"] == "tickets":
        return ctx.t("overview_help_tickets", previous=previous)
    if card["kpi"] == "overdue_actions":
        return ctx.t("overview_help_overdue", as_of=f"{ctx.as_of:%Y-%m-%d %H:%M}",
                     start=f"{ctx.filters.start}-01", previous=previous)
    if card["unit"] == "hours":
        return ctx.t("overview_help_handling_hours", **counts)
    if card["kpi"] in ("csat", "survey_response"):
        return ctx.t(f"overview_help_{card['kpi']}", **counts)
    return ctx.t("overview_help_rate", **counts)


def card_help(ctx: Context, card: pd.Series) -> str:
    """The denominators behind a card, led by why it is empty when it reads "—"."""
    reason = EMPTY.get(card["kpi"]) or EMPTY.get(card["unit"])
    return why_empty(card["value"], ctx.t(reason) if reason else "", card_counts(ctx, card))


def kpi_card(ctx: Context, card: pd.Series, trend: pd.DataFrame) -> Card:
    """One KPI card: value and delta in its unit, the delta's colour by which way is better."""
    unit, delta = card["unit"], card["delta"]
    return Card(card_label(ctx, card["kpi"]),
                "—" if pd.isna(card["value"]) else VALUE[unit](card["value"]),
                card_help(ctx, card),
                dict(delta=None if pd.isna(delta) else DELTA[unit](delta),
                     # No change is neither good nor bad: no arrow, no colour.
                     delta_color="off" if delta == 0 else DELTA_COLOR[card["better"]],
                     delta_arrow="off" if delta == 0 else "auto",
                     delta_description=ctx.t("overview_vs_previous"),
                     # The trend months as a line drawn by the browser itself (a chart
                     # library per card kept the page drawing for seconds).
                     chart_data=kpi_trend(trend, card["trend"])))


def kpi_rows(ctx: Context, cards: pd.DataFrame, trend: pd.DataFrame) -> None:
    """The KPI cards four a row."""
    metric_row([kpi_card(ctx, card, trend) for _, card in cards.iterrows()])
