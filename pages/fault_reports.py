"""故障报告 — submission in time, completeness of the seven sections, the customer's decisions."""

import streamlit as st

from service_quality.charts.fault_reports import (
    completeness_bars,
    decision_bars,
    missing_sections_bars,
)
from service_quality.queries.fault_reports import (
    STAGES,
    rejection_reasons,
    report_drill_for,
    report_list,
    report_overview,
    reports_due,
)
from ui.data import figure, query
from ui.drill import clickable, drill_caption, latest_click, ticket_drilldown
from ui.fault_reports import (
    compliance_drill,
    overview_cards,
    reasons_table,
    report_drill_words,
    report_rows,
)
from ui.frame import context, terms_caption
from ui.metrics import metric_row

ctx = context(__file__)
st.title(ctx.t("page_fault_reports"))
st.caption(ctx.t("fault_reports_rule"))
terms_caption(ctx, "report_due_hours", "report_required_for")

overview = query(report_overview, ctx.scope, ctx.filters)
if sum(overview.statuses.values()) == 0 and overview.reports == 0:
    st.info(ctx.t("empty"))
    st.stop()

metric_row(overview_cards(ctx, overview), columns=7)
if overview.rejected_no_reason:
    st.warning(ctx.t("fault_reports_no_reason_warning", n=overview.rejected_no_reason))

# --- compliance by month and customer --------------------------------------------------------
st.subheader(ctx.t("fault_reports_compliance_title"))
drill, drill_ctx, what = compliance_drill(ctx, ctx.filters.trend())
drill_caption(ctx, *what)
ticket_drilldown(drill_ctx, drill, key="fault_reports_tickets")

# --- completeness of the latest version -----------------------------------------------------------
st.subheader(ctx.t("fault_reports_completeness_title"))
report_events = {}
left, right = st.columns(2)
with left:
    report_events["sections"] = clickable(figure(
        completeness_bars, overview.completeness, ctx.lang,
        ctx.t("fault_reports_completeness_chart")), "fault_reports_completeness_chart")
with right:
    report_events["missing"] = clickable(figure(
        missing_sections_bars, overview.missing, ctx.lang,
        ctx.t("fault_reports_missing_chart")), "fault_reports_missing_chart")

# --- customer decisions, rejection reasons and what followed ----------------------------------
st.subheader(ctx.t("fault_reports_decisions_title"))
left, right = st.columns([2, 3])
with left:
    report_events["decision"] = clickable(figure(
        decision_bars, overview.decisions, ctx.lang, ctx.t("fault_reports_decision_chart")),
        "fault_reports_decision_chart")
    st.caption(ctx.t("fault_reports_versions", counts=" · ".join(
        ctx.t("fault_reports_versions_item", versions=int(v), tickets=int(n))
        for v, n in overview.versions.itertuples(index=False))))
with right:
    reason = reasons_table(ctx, query(rejection_reasons, ctx.scope, ctx.filters))
# The reason table is drawn after the charts, so its row wins while it stays selected.
chart, value = "reason", reason
if reason is False:
    chart, point = latest_click("fault_reports_report", report_events)
    value = (point or {}).get("customdata")
what = report_drill_words(ctx, chart, value)

st.subheader(ctx.t("fault_reports_list_title"))
if what:
    drill_caption(ctx, what)
else:
    st.caption(ctx.t("fault_reports_list_default"))
reports = query(report_list, ctx.scope, ctx.filters, report_drill_for(chart, value))
report_rows(ctx, reports, "reports", "fault_reports_list_showing",
            sheet=ctx.t("fault_reports_list_title"))

# --- reports due or late --------------------------------------------------------------------------
st.subheader(ctx.t("fault_reports_due_title"))
stage = st.segmented_control(
    ctx.t("fault_reports_due_pick"), STAGES, key="fault_reports_stage",
    format_func=lambda s: f"{ctx.t(f'fault_reports_stage_{s}')} ({overview.stages[s]})")
due = query(reports_due, ctx.scope, ctx.filters, stage)
report_rows(ctx, due, "due", "fault_reports_due_showing", sheet=ctx.t("fault_reports_due_title"))
