"""Charts of the complaints page."""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go
import plotly.express as px

from ..messages import t
from . import base_layout, month_axis

CATEGORY_PALETTE = px.colors.qualitative.Set2


def volume_by_category(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Complaints per month, stacked by category ('' = not categorised)."""
    fig = go.Figure()
    order = frame.groupby("category")["complaints"].sum().sort_values(ascending=False).index
    for i, category in enumerate(order):
        g = frame[frame["category"] == category]
        # Category names come from the register: plotly reads tags in labels, so escape them.
        name = escape(category, quote=False) if category else t("cmp_uncategorised", lang)
        fig.add_bar(x=g["month"], y=g["complaints"], name=name,
                    marker_color=CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)],
                    customdata=g[["month", "category"]].to_numpy())
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("count", lang))
    fig.update_xaxes(title=t("month", lang))
    return month_axis(base_layout(fig, title))
