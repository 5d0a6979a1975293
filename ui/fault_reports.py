"""The fault-report lists and charts: compliance by month and customer, the reports and the
reports due, each row opening its ticket's timeline."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from service_quality import charts
from service_quality.charts.fault_reports import compliance_bars
from service_quality.queries.fault_reports import ReportOverview, report_compliance_by
from service_quality.queries.tickets import Drill

from .columns import column_label
from .data import figure, query
from .drill import clickable, latest_click, localise_statuses, showing, status_chips, ticket_rows
from .export import show_table
from .frame import Context
from .metrics import Card, counts_help, rate_card
from .tabs import open_tabs
from .text import chart_value

# What the supervisor acts on first, the dates after.
REPORT_COLUMNS = ("ticket_id", "customer_name", "completeness", "missing", "decision",
                  "reject_reasons", "no_reason_rejections", "versions", "report_status",
                  "submitted_at", "decided_at", "first_submitted_at", "report_due_at",
                  "resolved_at", "reported_at")
DUE_COLUMNS = ("ticket_id", "customer_name", "stage", "days_past_due", "report_due_at",
               "first_submitted_at", "versions", "report_status", "resolved_at", "reported_at")


def label(ctx: Context, column: str) -> str:
    """A column's heading on the fault-report page."""
    return column_label(ctx, column)


def overview_cards(ctx: Context, overview: ReportOverview) -> list[Card]:
    """The page's seven cards: compliance, breaches, due, reports, completeness, rejections."""
    decisions = overview.decisions.set_index("decision")["reports"]
    return [
        rate_card(ctx, ctx.t("fault_reports_kpi_compliance"), overview.compliance,
                  counts_help(ctx, overview.statuses)),
        Card(ctx.t("fault_reports_kpi_breached"), overview.statuses["breached"]),
        Card(ctx.t("fault_reports_kpi_due"), overview.stages["due"]),
        Card(ctx.t("fault_reports_kpi_reports"), overview.reports),
        rate_card(ctx, ctx.t("fault_reports_kpi_completeness"), overview.mean_completeness,
                  ctx.t("fault_reports_kpi_completeness_help"), reason="empty_completeness"),
        Card(ctx.t("fault_reports_kpi_rejected"), int(decisions["rejected"])),
        # The agreement requires a reason for every rejection: one without is a finding.
        Card(ctx.t("fault_reports_kpi_no_reason"), overview.rejected_no_reason,
             ctx.t("fault_reports_kpi_no_reason_help")),
    ]


def compliance_drill(ctx: Context, trend) -> tuple[Drill, Context, list[str]]:
    """Report compliance by month (the trend) and by customer, a tab each; the clicked bar's
    drill, the context its tickets are listed in (a month's: the trend's), and what it narrows
    to in words."""
    events = {}
    # Only the open tab's chart is made and drawn (a plotly chart costs the browser ~0.1 s
    # per run); a chart not drawn drills nothing.
    by_customer = None
    for name, tab in open_tabs([ctx.t("fault_reports_by_month"),
                                ctx.t("fault_reports_by_customer")], ("month", "customer"),
                               key="fault_reports_by"):
        with tab:
            if name == "month":
                by_month = query(report_compliance_by, ctx.scope, trend, "month")
                if by_month.empty:
                    st.info(ctx.t("empty"))
                else:
                    events["month"] = clickable(
                        figure(compliance_bars, by_month, "grp", ctx.lang,
                               x_label=ctx.t("month")), "fault_reports_month_chart")
            else:
                by_customer = query(report_compliance_by, ctx.scope, ctx.filters, "customer")
                if by_customer.empty:
                    st.info(ctx.t("empty"))
                else:
                    events["customer"] = clickable(
                        figure(compliance_bars, by_customer, "label", ctx.lang,
                               horizontal=True), "fault_reports_customer_chart")
    st.caption(ctx.t("rate_rule") + " " + ctx.t("drill_hint"))
    chart, point = latest_click("fault_reports_sla", events)
    status = (point or {}).get("customdata")
    status = status if status in charts.STATUS_COLORS else "breached"
    words = [ctx.t("metric_report"), ctx.t(f"status_{status}")]
    if chart == "month":
        month = str(point.get("x"))
        return Drill(metric="report", status=status, month=month), replace(ctx, filters=trend), \
            [*words, month]
    if chart == "customer":
        # The chart's labels are escaped for plotly: compare the text they stand for.
        name = chart_value(point.get("y"))
        row = by_customer[by_customer["label"] == name]
        customer = row["grp"].iloc[0] if not row.empty else None
        return Drill(metric="report", status=status, customer=customer), ctx, [*words, name]
    return Drill(metric="report", status="breached"), ctx, words


def report_rows(ctx: Context, frame: pd.DataFrame, kind: str, message: str, **table) -> None:
    """The reports (KIND "reports") or the reports due ("due") as a table, codes as words; the
    selected row opens its ticket's timeline."""
    if frame.empty:
        st.info(ctx.t("empty"))
        return
    showing(ctx, frame, message)
    columns = REPORT_COLUMNS if kind == "reports" else DUE_COLUMNS
    view = frame[list(columns)]
    if kind == "reports":
        view["missing"] = view["missing"].map(
            lambda codes: "、".join(ctx.t(f"fault_reports_section_{c}") for c in codes))
        view["decision"] = view["decision"].map(lambda d: ctx.t(f"fault_reports_decision_{d}"))
    else:
        view["stage"] = view["stage"].map(lambda s: ctx.t(f"fault_reports_stage_{s}"))
        # One text column, so a report never submitted can say so (Arrow wants one type a column).
        view["first_submitted_at"] = view["first_submitted_at"].dt.strftime(
            "%Y-%m-%d %H:%M:%S").fillna(ctx.t("fault_reports_not_submitted"))
    view = localise_statuses(ctx, view, ["report_status"])
    labels = {c: label(ctx, c) for c in columns}
    flagged = "no_reason_rejections" if kind == "reports" else "days_past_due"
    config = {labels["completeness"]: st.column_config.ProgressColumn(
        format="percent", min_value=0, max_value=1)} if kind == "reports" \
        else {labels["days_past_due"]: st.column_config.NumberColumn(format="%.1f")}
    ticket_rows(ctx, frame, view.rename(columns=labels), kind,
                "fault_reports_list" if kind == "reports" else "fault_reports_due_list",
                lookup=False, chips=status_chips(ctx, [labels["report_status"]]),
                flag_positive=[labels[flagged]], column_config=config, **table)


def reasons_table(ctx: Context, reasons: pd.DataFrame) -> str | None | bool:
    """The rejection reasons as a table; the selected reason (None: rejected without one), or
    False when no row is selected."""
    st.markdown(f"**{ctx.t('fault_reports_reasons_title')}**")
    if reasons.empty:
        st.info(ctx.t("empty"))
        return False
    # Reasons are the customer's words: shown in a table cell, never as Markdown or HTML.
    view = reasons.assign(reason=reasons["reason"].fillna(ctx.t("fault_reports_reason_none")))
    view = view.rename(columns={c: label(ctx, c) for c in view.columns})
    event = show_table(ctx, view, "reasons", "fault_reports_reasons",
                       sheet=ctx.t("fault_reports_reasons_title"), hide_index=True,
                       width="stretch", on_select="rerun", selection_mode="single-row")
    st.caption(ctx.t("fault_reports_reasons_hint"))
    rows = event.selection.rows if event is not None else []
    if not rows:
        return False
    reason = reasons["reason"].iloc[rows[0]]
    return None if reason is None or reason != reason else str(reason)


def report_drill_words(ctx: Context, chart: str | None, value) -> str | None:
    """What a click on a report chart (or a picked rejection reason) narrows the list to."""
    if chart == "reason":
        return ctx.t("fault_reports_drill_no_reason") if value is None \
            else ctx.t("fault_reports_drill_reason", reason=value)
    if chart is None or value is None:
        return None
    if chart == "sections":
        return ctx.t("fault_reports_drill_sections", n=int(value))
    if chart == "missing":
        return ctx.t("fault_reports_drill_missing", section=ctx.t(f"fault_reports_section_{value}"))
    return ctx.t(f"fault_reports_decision_{value}")
