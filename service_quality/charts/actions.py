"""Charts of the improvement-actions page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import STATUS_COLORS, base_layout

# Progress colours: from grey (not started) to the palette's "met" green (verified).
ACTION_STATUS_COLORS = {
    "open": "#78909c",
    "in_progress": STATUS_COLORS["pending"],
    "done": "#66bb6a",
    "verified": STATUS_COLORS["met"],
    "cancelled": STATUS_COLORS["na"],
}
# Completion as the palette's statuses: on time = met, late = breached, still open = pending.
COMPLETION_COLORS = {
    "on_time": STATUS_COLORS["met"],
    "late": STATUS_COLORS["breached"],
    "open": STATUS_COLORS["pending"],
}
FUNNEL_STAGES = ("open", "in_progress", "done", "verified")


def status_funnel(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Actions reaching each stage open → in progress → done → verified (cancelled left out)."""
    f = frame.set_index("status").reindex(list(FUNNEL_STAGES))
    text = [t("act_funnel_text", lang, reached=int(r), now=int(n))
            for r, n in zip(f["reached"].fillna(0), f["actions"].fillna(0), strict=True)]
    fig = go.Figure(go.Funnel(
        y=[t(f"act_status_{s}", lang) for s in FUNNEL_STAGES], x=f["reached"].fillna(0),
        text=text, textinfo="text", customdata=list(FUNNEL_STAGES),
        marker=dict(color=[ACTION_STATUS_COLORS[s] for s in FUNNEL_STAGES]),
        hovertemplate="%{y}: %{text}<extra></extra>"))
    return base_layout(fig, title, height=320)


def completion_bars(frame: pd.DataFrame, x: str, lang: str, title: str | None = None,
                    labels: list[str] | None = None) -> go.Figure:
    """On-time, late and open actions per `x` value, stacked horizontally, first row on top."""
    names = labels if labels is not None else [str(v) for v in frame[x]]
    fig = go.Figure()
    for completion, color in COMPLETION_COLORS.items():
        fig.add_bar(y=frame[x], x=frame[completion], orientation="h", marker_color=color,
                    name=t(f"act_completion_{completion}", lang),
                    customdata=[[v, completion] for v in frame[x]])
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    fig.update_yaxes(type="category", autorange="reversed", tickvals=list(frame[x]),
                     ticktext=names)
    fig.update_xaxes(title=t("count", lang))
    return base_layout(fig, title, height=max(260, 30 * len(frame) + 100))
