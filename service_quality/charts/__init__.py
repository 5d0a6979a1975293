"""Chart builders: DataFrame in, plotly Figure out. One palette on every page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..columns import label
from ..messages import t
from ..text import chart_text

# One colour per status, the same on every page and in every export.
STATUS_COLORS = {
    "met": "#2e7d32",
    "breached": "#c62828",
    "pending": "#f9a825",
    "no_record": "#6a1b9a",
    "na": "#9e9e9e",
}
STATUS_ORDER = ("met", "breached", "no_record", "pending", "na")
SEVERITY_COLORS = {"general": "#1565c0", "severe": "#c62828", "unknown": "#9e9e9e"}
ACCENT = "#1565c0"
# CJK glyphs in SVG text: the browser falls back through this list (fonts-noto-cjk on Debian).
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


# Trace properties plotly draws as text (axis categories, labels, legend, hover). customdata is
# left as it is: pages read it back as ids and codes; a hovertemplate shows only codes from it.
_TRACE_TEXT = ("x", "y", "text", "hovertext", "labels", "name")
_AXIS_TEXT = ("ticktext", "tickvals", "categoryarray")


def _escaped(value):
    """VALUE with every string in it passed through chart_text (numbers, dates as they are)."""
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OUS":
            return value
        return np.array([_escaped(v) for v in value.tolist()], dtype=object)
    if isinstance(value, list | tuple):
        return type(value)(_escaped(v) for v in value)
    return value


def escape_figure(fig: go.Figure) -> go.Figure:
    """FIG with every text plotly would render as HTML escaped (& < > as entities), in place.

    Chart builders put data text (names, categories, ids) into figures as it is; the app's
    figure() and the report's chart images pass every figure through here once.
    """
    for trace in fig.data:
        for prop in _TRACE_TEXT:
            if prop in trace and trace[prop] is not None:
                trace[prop] = _escaped(trace[prop])
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        for prop in _AXIS_TEXT:
            if axis[prop] is not None:
                axis[prop] = _escaped(axis[prop])
        if axis.title.text is not None:
            axis.title.text = chart_text(axis.title.text)
    if fig.layout.title.text is not None:
        fig.layout.title.text = chart_text(fig.layout.title.text)
    if fig.layout.legend.title.text is not None:
        fig.layout.legend.title.text = chart_text(fig.layout.legend.title.text)
    for note in fig.layout.annotations:
        if note.text is not None:
            note.text = chart_text(note.text)
    return fig


def base_layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    """Shared look: CJK font, compact margins, legend on top."""
    fig.update_layout(
        title=title, height=height, font_family=FONT, margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        template="plotly_white",
    )
    return fig


def month_axis(fig: go.Figure) -> go.Figure:
    """Month labels ("2025-01") stay categories, never dates."""
    fig.update_xaxes(type="category")
    return fig


def status_bars(frame: pd.DataFrame, x: str, lang: str, title: str | None = None,
                x_label: str | None = None, horizontal: bool = False,
                height: int = 360) -> go.Figure:
    """Stacked counts per status over `x` (columns x + the status names)."""
    fig = go.Figure()
    for status in STATUS_ORDER:
        if status not in frame or status == "na":
            continue
        values = frame[status]
        common = dict(name=t(f"status_{status}", lang), marker_color=STATUS_COLORS[status],
                      customdata=[status] * len(frame))
        if horizontal:
            fig.add_bar(y=frame[x], x=values, orientation="h", **common)
        else:
            fig.add_bar(x=frame[x], y=values, **common)
    fig.update_layout(barmode="stack")
    axis = fig.update_yaxes if horizontal else fig.update_xaxes
    axis(title=x_label, type="category")
    return base_layout(fig, title, height)


def compliance_line(frame: pd.DataFrame, x: str, lang: str, title: str | None = None,
                    series: str | None = None, labels: dict | None = None) -> go.Figure:
    """Compliance (0–1) over months, one line per `series` value (or one line)."""
    fig = go.Figure()
    groups = frame.groupby(series, sort=False) if series else [(None, frame)]
    for name, g in groups:
        label = (labels or {}).get(name, name) if series else t("compliance", lang)
        fig.add_scatter(x=g[x], y=g["compliance"], mode="lines+markers", name=str(label),
                        customdata=g[[x]].assign(series=name).to_numpy())
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title=t("compliance", lang))
    return month_axis(base_layout(fig, title))


def timeline(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """One ticket's steps as points on a time axis, each deadline as a hollow marker."""
    labels = [t(f"step_{s}", lang) if s else "" for s in frame["step"]]
    colors = [STATUS_COLORS.get(s, ACCENT) for s in frame["status"].fillna("")]
    fig = go.Figure()
    fig.add_scatter(x=frame["at"], y=labels, mode="markers", name=label("at", lang),
                    marker=dict(size=12, color=colors))
    has_deadline = frame["deadline"].notna()
    fig.add_scatter(x=frame.loc[has_deadline, "deadline"],
                    y=[lbl for lbl, d in zip(labels, has_deadline, strict=True) if d],
                    mode="markers", name=label("deadline", lang),
                    marker=dict(size=12, symbol="line-ns-open", color=STATUS_COLORS["breached"],
                                line=dict(width=3)))
    fig.update_yaxes(type="category", autorange="reversed")
    return base_layout(fig, title, height=80 + 32 * max(len(set(labels)), 1))
