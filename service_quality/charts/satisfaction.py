"""Charts of the satisfaction page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..messages import has, t
from ..text import chart_text
from . import ACCENT, STATUS_COLORS, base_layout

TYPE_COLORS = {"case": ACCENT, "onsite": "#00897b", "unknown": "#9e9e9e"}
ALERT_COLOR = STATUS_COLORS["breached"]
CUMULATIVE_COLOR = "#ef6c00"


def type_label(survey_type: str, lang: str) -> str:
    """A survey type in words."""
    key = f"sat_type_{survey_type}"
    return t(key, lang) if has(key) else str(survey_type)


def satisfaction_trend(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """CSAT, mean score and response rate by month, one line per survey type; alerts in red."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.45, 0.3, 0.25],
                        subplot_titles=(t("sat_csat", lang), t("sat_mean_score", lang),
                                        t("sat_response_rate", lang)))
    rows = (("csat", 1, "%{y:.1%}"), ("mean_score", 2, "%{y:.2f}"),
            ("response_rate", 3, "%{y:.1%}"))
    for survey_type, g in frame.groupby("survey_type", sort=False):
        name = type_label(survey_type, lang)
        color = TYPE_COLORS.get(survey_type, ACCENT)
        custom = g[["month", "survey_type"]].to_numpy()
        for column, row, fmt in rows:
            fig.add_scatter(x=g["month"], y=g[column], mode="lines+markers", name=name,
                            legendgroup=survey_type, showlegend=row == 1, customdata=custom,
                            line=dict(color=color), marker=dict(color=color, size=7),
                            hovertemplate=f"%{{fullData.name}} %{{x}}: {fmt}<extra></extra>",
                            row=row, col=1)
        fig.add_scatter(x=g["month"], y=g["threshold"], mode="lines", name=t("sat_threshold", lang),
                        legendgroup="threshold", showlegend=False, customdata=custom,
                        line=dict(color=color, dash="dot", width=1),
                        hovertemplate=f"{chart_text(name)} %{{x}} {t('sat_threshold', lang)}: "
                                      "%{y:.1%}<extra></extra>", row=1, col=1)
    alerts = frame[frame["alert"].astype(bool)]
    fig.add_scatter(x=alerts["month"], y=alerts["csat"], mode="markers", name=t("sat_alert", lang),
                    customdata=alerts[["month", "survey_type"]].to_numpy(),
                    marker=dict(color=ALERT_COLOR, size=15, symbol="circle",
                                line=dict(color="white", width=2)),
                    hovertemplate=f"{t('sat_alert', lang)} %{{x}}: %{{y:.1%}}<extra></extra>",
                    row=1, col=1)
    # A dotted line per type is the alert threshold; one legend entry explains all of them.
    fig.add_scatter(x=[None], y=[None], mode="lines", name=t("sat_threshold", lang),
                    line=dict(color="#607d8b", dash="dot", width=1), row=1, col=1)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_yaxes(range=[1, 5.2], row=2, col=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=3, col=1)
    fig = base_layout(fig, title, height=660)
    # Room above the first panel's title for the legend.
    fig.update_layout(margin=dict(t=100), legend=dict(y=1.08))
    return fig


def rate_bars(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """CSAT per engineer or customer as horizontal bars, the first row (worst) on top."""
    labels = [str(x) for x in frame["label"]]
    text = [f"{c:.0%} · {t('sat_answered_n', lang, n=int(n))}" if pd.notna(c) else "—"
            for c, n in zip(frame["csat"], frame["answered"], strict=True)]
    fig = go.Figure(go.Bar(
        y=frame["grp"], x=frame["csat"], orientation="h", marker_color=ACCENT,
        text=text, textposition="auto", customdata=frame[["grp", "label"]].to_numpy(),
        name=t("sat_csat", lang),
        hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed", tickvals=list(frame["grp"]),
                     ticktext=labels)
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05], title=t("sat_csat", lang))
    fig = base_layout(fig, title, height=max(260, 26 * len(frame) + 90))
    fig.update_layout(showlegend=False)
    return fig


def pareto(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Surveys per problem category, largest first, with the cumulative share on a second axis."""
    labels = [str(x) for x in frame["problem_category"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=labels, y=frame["surveys"], name=t("sat_surveys", lang), marker_color=ACCENT,
                customdata=frame["problem_category"], secondary_y=False)
    fig.add_scatter(x=labels, y=frame["cumulative_share"], mode="lines+markers",
                    name=t("sat_cumulative", lang), line=dict(color=CUMULATIVE_COLOR),
                    customdata=frame["problem_category"],
                    hovertemplate="%{x}: %{y:.1%}<extra></extra>", secondary_y=True)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=t("sat_surveys", lang), secondary_y=False)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1],
                     showgrid=False, secondary_y=True)
    # The 80 % line: the categories left of where the cumulative share crosses it matter most.
    fig.add_hline(y=0.8, line_dash="dot", line_color=CUMULATIVE_COLOR, opacity=0.6,
                  secondary_y=True)
    return base_layout(fig, title)
