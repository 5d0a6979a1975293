"""Charts of the customer report: the period's promises, the 12-month trends, the service mix."""

from __future__ import annotations

import plotly.graph_objects as go

from ..columns import label
from ..messages import t
from . import ACCENT, SEVERITY_COLORS, STATUS_COLORS, base_layout, compliance_line, status_bars


def sla_statuses(report, lang: str) -> go.Figure | None:
    """Stacked status counts per promise of the period (met, breached, no record, pending)."""
    frame = report.sla.assign(label=[t(f"metric_{m}", lang, terms=report.terms)
                                     for m in report.sla["metric"]])
    if frame[["met", "breached", "no_record", "pending"]].to_numpy().sum() == 0:
        return None
    return status_bars(frame, "label", lang, t("customer_report_sec_sla", lang), horizontal=True)


def sla_trend(report, lang: str) -> go.Figure | None:
    """Compliance per promise over the 12 months to the period's end, one line per promise."""
    frame = report.sla_trend.dropna(subset=["compliance"])
    if frame.empty:
        return None
    labels = {m: t(f"metric_{m}", lang, terms=report.terms)
              for m in report.sla_trend["metric"].unique()}
    fig = compliance_line(report.sla_trend, "month", lang, t("customer_report_sec_sla_trend", lang),
                          series="metric", labels=labels)
    fig.update_traces(connectgaps=False)
    return fig


def categories(report, lang: str) -> go.Figure | None:
    """Tickets per service category of the period."""
    frame = report.by_category
    if frame.empty:
        return None
    names = [t(f"category_{c}", lang) for c in frame["category"]]
    fig = go.Figure(go.Bar(x=names, y=frame["tickets"], marker_color=ACCENT,
                           name=label("tickets", lang)))
    fig.update_xaxes(type="category")
    return base_layout(fig, t("customer_report_sec_by_category", lang), height=300)


def severity(report, lang: str) -> go.Figure | None:
    """Faults of the period by the agreement's severity rule."""
    frame = report.severity
    if frame["faults"].sum() == 0:
        return None
    fig = go.Figure(go.Bar(x=[t(f"severity_{s}", lang) for s in frame["severity"]],
                           y=frame["faults"],
                           marker_color=[SEVERITY_COLORS[s] for s in frame["severity"]],
                           name=label("faults", lang)))
    fig.update_xaxes(type="category")
    return base_layout(fig, t("customer_report_sec_severity", lang), height=300)


def satisfaction(report, lang: str) -> go.Figure | None:
    """CSAT and survey response rate over the 12 months to the period's end."""
    frame = report.satisfaction_trend
    if frame["csat"].isna().all() and frame["response_rate"].isna().all():
        return None
    fig = go.Figure()
    fig.add_scatter(x=frame["month"], y=frame["csat"], mode="lines+markers",
                    name=label("csat", lang), line=dict(color=STATUS_COLORS["met"]))
    fig.add_scatter(x=frame["month"], y=frame["response_rate"], mode="lines+markers",
                    name=label("response_rate", lang), line=dict(color=ACCENT))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return base_layout(fig, t("customer_report_chart_csat", lang))


# The report's sections name their chart by these keys.
BUILDERS = {"sla": sla_statuses, "sla_trend": sla_trend, "category": categories,
            "severity": severity, "satisfaction": satisfaction}
