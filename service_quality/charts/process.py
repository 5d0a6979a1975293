"""Charts of the service-process page (服务过程)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import ACCENT, STATUS_COLORS, STATUS_ORDER, base_layout, month_axis

# One colour per value, the same wherever the value is drawn; 'unknown' is always grey.
CHANNEL_COLORS = {"phone": "#1565c0", "email": "#00897b", "sms": "#8e24aa", "fax": "#6d4c41",
                  "im": "#ef6c00", "unknown": "#9e9e9e"}
MODE_COLORS = {"onsite": "#1565c0", "remote": "#00897b", "phone": "#8e24aa", "email": "#ef6c00",
               "unknown": "#9e9e9e"}
WARRANTY_COLORS = {"in": "#1565c0", "out": "#ef6c00", "unknown": "#9e9e9e"}
QUOTE_COLORS = {"accepted": "#00897b", "rejected": "#d84315", "pending": "#f9a825",
                "none": "#9e9e9e"}
PART_COLORS = {"median_hours": "#1565c0", "p90_hours": "#ef6c00"}
# Transferred twice or more: drawn in the breach colour, it is what the supervisor follows up.
REPEATED_COLOR = STATUS_COLORS["breached"]


def value_label(dimension: str, value: str, lang: str) -> str:
    """The shown word for a channel, service mode, warranty or quote value."""
    if dimension == "service_mode" and value != "unknown":
        return t(f"mode_{value}", lang)
    return t(f"process_{dimension}_{value}", lang)


def _stacked(frame: pd.DataFrame, column: str, dimension: str, colors: dict[str, str],
             lang: str, title: str | None) -> go.Figure:
    fig = go.Figure()
    order = [v for v in colors if v in set(frame[column])]
    for value in order:
        g = frame[frame[column] == value]
        share = g["share"] if "share" in g else None
        fig.add_bar(
            x=g["month"], y=g["tickets"], name=value_label(dimension, value, lang),
            marker_color=colors[value], customdata=[value] * len(g),
            hovertext=None if share is None else [f"{s:.1%}" for s in share],
            hovertemplate="%{x} · %{fullData.name}: %{y}"
                          + (" (%{hovertext})" if share is not None else "") + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=t("month", lang))
    fig.update_yaxes(title=t("count", lang))
    return month_axis(base_layout(fig, title))


def mix_bars(frame: pd.DataFrame, lang: str, dimension: str,
             title: str | None = None) -> go.Figure:
    """Tickets per month stacked by channel or service mode (month, value, tickets, share)."""
    colors = CHANNEL_COLORS if dimension == "channel" else MODE_COLORS
    return _stacked(frame, "value", dimension, colors, lang, title)


def warranty_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Tickets per month stacked in / out of warranty (frame: month, warranty, tickets)."""
    return _stacked(frame, "warranty", "warranty", WARRANTY_COLORS, lang, title)


def transfer_bars(frame: pd.DataFrame, lang: str, cap: int, repeated: int,
                  title: str | None = None) -> go.Figure:
    """Tickets by number of transfers (the last bar `cap` = that many or more)."""
    labels = [f"{n}+" if n >= cap else str(n) for n in frame["transfers"]]
    colors = [REPEATED_COLOR if n >= repeated else ACCENT for n in frame["transfers"]]
    # Counts on the bars: the 0 bar dwarfs the ones a supervisor reads.
    fig = go.Figure(go.Bar(x=labels, y=frame["tickets"], marker_color=colors,
                           text=frame["tickets"], textposition="outside", cliponaxis=False,
                           customdata=frame["transfers"], name=t("count", lang),
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(type="category", title=t("process_transfers_axis", lang))
    fig.update_yaxes(title=t("count", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title)


def quote_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Out-of-warranty tickets per repair-quote status (frame: quote_status, tickets)."""
    fig = go.Figure(go.Bar(
        x=[value_label("quote", s, lang) for s in frame["quote_status"]], y=frame["tickets"],
        marker_color=[QUOTE_COLORS[s] for s in frame["quote_status"]],
        text=frame["tickets"], textposition="outside", cliponaxis=False,
        customdata=frame["quote_status"], hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=t("count", lang))
    fig.update_layout(showlegend=False)
    return base_layout(fig, title)


def lead_time_lines(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Median and 90th-percentile spare-part lead time (hours) per month."""
    fig = go.Figure()
    for column, color in PART_COLORS.items():
        fig.add_scatter(x=frame["month"], y=frame[column], mode="lines+markers",
                        name=t(f"process_{column}", lang), line=dict(color=color),
                        customdata=frame[["month", "received"]].to_numpy(),
                        hovertemplate="%{x}: %{y:.1f} h · n = %{customdata[1]}<extra></extra>")
    fig.update_xaxes(title=t("month", lang))
    fig.update_yaxes(title=t("process_hours_axis", lang), rangemode="tozero")
    return month_axis(base_layout(fig, title))


def status_share_bars(frame: pd.DataFrame, y: str, lang: str,
                      title: str | None = None) -> go.Figure:
    """Each row's statuses as shares of its judged and pending tickets (100% stacked)."""
    # Shares, not counts: holidays have a few dozen tickets against thousands on other days.
    shown = [s for s in STATUS_ORDER if s != "na" and s in frame]
    total = frame[shown].sum(axis=1).where(lambda n: n > 0)
    fig = go.Figure()
    for status in shown:
        fig.add_bar(y=frame[y], x=frame[status] / total, orientation="h",
                    name=t(f"status_{status}", lang), marker_color=STATUS_COLORS[status],
                    customdata=[status] * len(frame), text=frame[status],
                    hovertemplate="%{y} · %{fullData.name}: %{text} (%{x:.1%})<extra></extra>")
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_yaxes(type="category")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return base_layout(fig, title, height=240)
