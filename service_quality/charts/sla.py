"""Charts of the SLA page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import STATUS_COLORS, base_layout

PERIOD_COLORS = {"working": "#1565c0", "non_working": "#8e24aa"}


def arrival_histogram(frame: pd.DataFrame, lang: str, limits: dict[str, list[float]],
                      title: str | None = None) -> go.Figure:
    """Arrival minutes per 10-minute bin, working vs non-working time, with the limits drawn.

    `limits` lists each period's limits in minutes: one each, or several when the customers
    shown agreed different ones (a line for each).
    """
    fig = go.Figure()
    for period, g in frame.groupby("period", sort=False):
        fig.add_bar(x=g["bin_start"] + 5, y=g["tickets"], width=9, name=t(f"period_{period}", lang),
                    marker_color=PERIOD_COLORS.get(period, "#607d8b"), )
    for period, values in limits.items():
        for minutes in values:
            fig.add_vline(x=minutes, line_dash="dash", line_color=STATUS_COLORS["breached"],
                          annotation_text=t(f"limit_{period}", lang, minutes=f"{minutes:g}"),
                          annotation_position="top")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("arrival_minutes_axis", lang))
    fig.update_yaxes(title=t("count", lang))
    return base_layout(fig, title)
