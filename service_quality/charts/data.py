"""Charts of the Data page (数据)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import STATUS_COLORS, base_layout

# Rejected rows are rows lost to the rules until the source is fixed: the breach colour.
REJECTED_COLOR = STATUS_COLORS["breached"]


def rejected_by_file(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Rejected rows per file, one horizontal bar each (frame: file, file_name, entity, rows)."""
    labels = [f"{e} · {n}" for e, n in zip(frame["entity"], frame["file_name"], strict=True)]
    fig = go.Figure(go.Bar(y=labels, x=frame["rows"], orientation="h",
                           marker_color=REJECTED_COLOR, customdata=frame["file"],
                           name=t("data_rejected_rows", lang),
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(title=t("data_rejected_rows", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title, height=max(160, 40 * len(frame) + 90))
