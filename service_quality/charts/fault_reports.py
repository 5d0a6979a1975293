"""Charts of the fault-report page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import ACCENT, STATUS_COLORS, base_layout, status_bars

# A decision reads like a status: accepted is a pass, rejected a failure, pending still open.
DECISION_COLORS = {"accepted": STATUS_COLORS["met"], "rejected": STATUS_COLORS["breached"],
                   "pending": STATUS_COLORS["pending"]}
COMPLETE_COLOR = STATUS_COLORS["met"]


def compliance_bars(frame: pd.DataFrame, x: str, lang: str, title: str | None = None,
                    x_label: str | None = None, horizontal: bool = False) -> go.Figure:
    """report_status counts stacked per `x`; vertical (months) adds compliance on a second axis."""
    fig = status_bars(frame, x, lang, title, x_label, horizontal=horizontal)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        return fig.update_layout(height=max(260, 28 * len(frame) + 100))
    fig.add_scatter(x=frame[x], y=frame["compliance"], yaxis="y2", mode="lines+markers",
                    name=t("compliance", lang), line=dict(color=ACCENT),
                    marker=dict(color=ACCENT), hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", tickformat=".0%",
                                  range=[0, 1.05], showgrid=False, title=t("compliance", lang)))
    fig.update_layout(yaxis_title=t("count", lang))
    return fig


def completeness_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Latest report versions per number of sections present (columns sections, reports)."""
    total = len(frame) - 1
    labels = [f"{n}/{total}" for n in frame["sections"]]
    colors = [COMPLETE_COLOR if n == total else ACCENT for n in frame["sections"]]
    fig = go.Figure(go.Bar(x=labels, y=frame["reports"], marker_color=colors,
                           customdata=frame["sections"], text=frame["reports"],
                           textposition="outside", name=t("fault_reports_reports", lang)))
    fig.update_xaxes(type="category", title=t("fault_reports_sections_axis", lang))
    fig.update_yaxes(title=t("fault_reports_reports", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title, height=320)


def missing_sections_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Latest versions lacking each section, most missed on top (columns section, reports)."""
    labels = [t(f"fault_reports_section_{s}", lang) for s in frame["section"]]
    fig = go.Figure(go.Bar(y=labels, x=frame["reports"], orientation="h",
                           marker_color=STATUS_COLORS["breached"], customdata=frame["section"],
                           text=frame["reports"], textposition="outside",
                           name=t("fault_reports_reports", lang)))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(title=t("fault_reports_reports", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title, height=320)


def decision_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """The customer's decision on each latest version (columns decision, reports)."""
    fig = go.Figure(go.Bar(
        x=[t(f"fault_reports_decision_{d}", lang) for d in frame["decision"]], y=frame["reports"],
        marker_color=[DECISION_COLORS[d] for d in frame["decision"]],
        customdata=frame["decision"], text=frame["reports"], textposition="outside",
        name=t("fault_reports_reports", lang)))
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=t("fault_reports_reports", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title, height=320)
