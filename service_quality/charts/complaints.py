"""Charts of the complaints page."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ..messages import t
from . import base_layout, month_axis, status_bars

CATEGORY_PALETTE = px.colors.qualitative.Set2


def _months(fig: go.Figure, months: list[str] | None) -> go.Figure:
    # Every month of the period on the axis, in order, also the ones without a complaint.
    if months:
        fig.update_xaxes(categoryorder="array", categoryarray=list(months),
                         range=[-0.5, len(months) - 0.5])
    else:
        fig.update_xaxes(categoryorder="category ascending")
    return month_axis(fig)


def volume_by_category(frame: pd.DataFrame, lang: str, title: str | None = None,
                       months: list[str] | None = None) -> go.Figure:
    """Complaints per month, stacked by category ('' = not categorised), largest category first."""
    fig = go.Figure()
    order = frame.groupby("category")["complaints"].sum().sort_values(ascending=False).index
    for i, category in enumerate(order):
        g = frame[frame["category"] == category]
        # Category names come from the register: escape_figure shows their tags as text.
        name = category if category else t("cmp_uncategorised", lang)
        fig.add_bar(x=g["month"], y=g["complaints"], name=name,
                    marker_color=CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)],
                    customdata=g[["month", "category"]].to_numpy())
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    fig.update_yaxes(title=t("count", lang))
    fig.update_xaxes(title=t("month", lang))
    return _months(base_layout(fig, title), months)


def compliance_bars(frame: pd.DataFrame, lang: str, title: str | None = None,
                    months: list[str] | None = None) -> go.Figure:
    """One promise's statuses per month (column grp), in the shared status colours."""
    fig = status_bars(frame, "grp", lang, title)
    # Half-width chart: the legend gets its own line above the plot, under the title.
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0,
                                  traceorder="normal"),
                      title=dict(y=0.97, yanchor="top"), margin=dict(t=80), height=380)
    return _months(fig, months)
