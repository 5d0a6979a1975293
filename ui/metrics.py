"""Metric cards: the figures a page leads with, side by side, each in its border."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from .frame import Context
from .text import pct, why_empty

STATUS_COUNTS = ("met", "breached", "no_record", "pending")


@dataclass(frozen=True)
class Card:
    """One card: its title, the figure as shown, its help, and st.metric's other arguments."""

    label: str
    value: object
    help: str | None = None
    more: Mapping = field(default_factory=dict)


def metric_row(cards: Sequence[Card], columns: int = 4) -> None:
    """The cards `columns` a row (rows wrap), each bordered; a short last row keeps its width."""
    for first in range(0, len(cards), columns):
        for column, card in zip(st.columns(columns), cards[first:first + columns], strict=False):
            column.metric(card.label, card.value, help=card.help or None, border=True,
                          **card.more)


def rate_card(ctx: Context, label: str, rate, help_text: str, reason: str = "empty_rate") -> Card:
    """A rate's card: one decimal percent, its help led by why it reads "—" (message REASON)
    when there was nothing to divide."""
    return Card(label, pct(rate), why_empty(rate, ctx.t(reason), help_text))


def counts_help(ctx: Context, counts: Mapping) -> str:
    """The met / breached / no record / pending counts behind a compliance rate."""
    return ctx.t("counts_help", **{k: int(counts[k]) for k in STATUS_COUNTS})


def hours(value) -> str:
    """Hours as the cards show them: one decimal and "h", "—" when there is no figure."""
    return "—" if value is None or bool(pd.isna(value)) else f"{value:.1f} h"
