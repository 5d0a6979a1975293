"""Charts of the overview page: the KPI cards' monthly trend lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import ACCENT, sparkline

# How a card's unit reads on hover and on the hidden axis.
UNIT_FORMATS = {"rate": ".1%", "count": ",.0f", "hours": ".1f"}
UNIT_SUFFIX = {"rate": "", "count": "", "hours": " h"}


def kpi_sparkline(trend: pd.DataFrame, column: str, unit: str,
                  color: str = ACCENT) -> go.Figure:
    """The monthly trend of one card (`column` of the monthly frame) as a tiny line.

    Months without data stay gaps; each point keeps its month as a category label.
    """
    fig = sparkline(trend[column].astype("float64"), trend["month"], color=color)
    fmt = UNIT_FORMATS[unit]
    fig.update_traces(mode="lines+markers", marker=dict(size=3), connectgaps=False,
                      hovertemplate=f"%{{x}}: %{{y:{fmt}}}{UNIT_SUFFIX[unit]}<extra></extra>")
    fig.update_yaxes(tickformat=fmt)
    # A little room at the edges so the first and last points and the extremes are not clipped.
    fig.update_layout(height=60, margin=dict(l=4, r=4, t=4, b=4))
    return fig
