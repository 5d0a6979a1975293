"""故障报告 — submission in time, completeness of the seven sections, the customer's decisions."""

from dataclasses import replace
from functools import partial

import streamlit as st

from service_quality import charts
from service_quality.charts.fault_reports import (
    completeness_bars,
    compliance_bars,
    decision_bars,
    missing_sections_bars,
)
from service_quality.queries.fault_reports import (
    STAGES,
    rejection_reasons,
    report_compliance_by,
    report_drill_for,
    report_list,
    report_overview,
    reports_due,
)
from service_quality.queries.tickets import Drill
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import (
    latest_click,
    localise_statuses,
    show_timeline,
    status_chips,
    ticket_drilldown,
)
from ui.export import show_table
from ui.frame import context, terms_caption
from ui.text import chart_value, md_escape, pct, why_empty

# What the supervisor acts on first, the dates after.
REPORT_COLUMNS = ("ticket_id", "customer_name", "completeness", "missing", "decision",
                  "reject_reasons", "no_reason_rejections", "versions", "report_status",
                  "submitted_at", "decided_at", "first_submitted_at", "report_due_at",
                  "resolved_at", "reported_at")
DUE_COLUMNS = ("ticket_id", "customer_name", "stage", "days_past_due", "report_due_at",
               "first_submitted_at", "versions", "report_status", "resolved_at", "reported_at")
COMMON_COLUMNS = ("ticket_id", "customer_name", "reported_at", "report_status")



ctx = context(__file__)
label = partial(column_label, ctx, prefix="fault_reports_")
st.title(ctx.t("page_fault_reports"))
st.caption(ctx.t("fault_reports_rule"))
terms_caption(ctx, "report_due_hours", "report_required_for")

overview = query(report_overview, ctx.scope, ctx.filters)
if sum(overview.statuses.values()) == 0 and overview.reports == 0:
    st.info(ctx.t("empty"))
    st.stop()

cards = st.columns(7)
rate = overview.compliance
cards[0].metric(ctx.t("fault_reports_kpi_compliance"), pct(rate),
                border=True, help=why_empty(rate, ctx.t("empty_rate"), ctx.t(
                    "counts_help", **{k: overview.statuses[k] for k in
                                      ("met", "breached", "no_record", "pending")})))
cards[1].metric(ctx.t("fault_reports_kpi_breached"), overview.statuses["breached"], border=True)
cards[2].metric(ctx.t("fault_reports_kpi_due"), overview.stages["due"], border=True)
cards[3].metric(ctx.t("fault_reports_kpi_reports"), overview.reports, border=True)
mean = overview.mean_completeness
cards[4].metric(ctx.t("fault_reports_kpi_completeness"), pct(mean),
                border=True, help=why_empty(mean, ctx.t("empty_completeness"),
                                            ctx.t("fault_reports_kpi_completeness_help")))
decisions = overview.decisions.set_index("decision")["reports"]
cards[5].metric(ctx.t("fault_reports_kpi_rejected"), int(decisions["rejected"]), border=True)
# The agreement requires a reason for every rejection: one without is a finding, not an answer.
cards[6].metric(ctx.t("fault_reports_kpi_no_reason"), overview.rejected_no_reason, border=True,
                help=ctx.t("fault_reports_kpi_no_reason_help"))
if overview.rejected_no_reason:
    st.warning(ctx.t("fault_reports_no_reason_warning", n=overview.rejected_no_reason))

# --- compliance by month and customer --------------------------------------------------------
st.subheader(ctx.t("fault_reports_compliance_title"))
trend = ctx.filters.trend()
events = {}
tab_month, tab_customer = st.tabs([ctx.t("fault_reports_by_month"),
                                   ctx.t("fault_reports_by_customer")])
with tab_month:
    by_month = query(report_compliance_by, ctx.scope, trend, "month")
    if by_month.empty:
        st.info(ctx.t("empty"))
    else:
        events["month"] = st.plotly_chart(
            figure(compliance_bars, by_month, "grp", ctx.lang, x_label=ctx.t("month")),
            key="fault_reports_month_chart", on_select="rerun", selection_mode="points")
with tab_customer:
    by_customer = query(report_compliance_by, ctx.scope, ctx.filters, "customer")
    if by_customer.empty:
        st.info(ctx.t("empty"))
    else:
        events["customer"] = st.plotly_chart(
            figure(compliance_bars, by_customer, "label", ctx.lang, horizontal=True),
            key="fault_reports_customer_chart", on_select="rerun", selection_mode="points")
st.caption(ctx.t("rate_rule") + " " + ctx.t("drill_hint"))

chart, point = latest_click("fault_reports_sla", events)
status = (point or {}).get("customdata")
status = status if status in charts.STATUS_COLORS else "breached"
if chart == "month":
    drill, drill_ctx = Drill(metric="report", status=status, month=str(point.get("x"))), \
        replace(ctx, filters=trend)
elif chart == "customer":
    # The chart's labels are escaped for plotly: compare the text they stand for.
    row = by_customer[by_customer["label"] == chart_value(point.get("y"))]
    drill = Drill(metric="report", status=status,
                  customer=row["grp"].iloc[0] if not row.empty else None)
    drill_ctx = ctx
else:
    drill, drill_ctx = Drill(metric="report", status="breached"), ctx
shown = [ctx.t("metric_report"), ctx.t(f"status_{drill.status}"), drill.month,
         chart_value(point.get("y")) if chart == "customer" else None]
st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(p for p in shown if p))))
ticket_drilldown(drill_ctx, drill, key="fault_reports_tickets")

# --- completeness of the latest version -----------------------------------------------------------
st.subheader(ctx.t("fault_reports_completeness_title"))
report_events = {}
left, right = st.columns(2)
with left:
    report_events["sections"] = st.plotly_chart(
        figure(completeness_bars, overview.completeness, ctx.lang,
               ctx.t("fault_reports_completeness_chart")),
        key="fault_reports_completeness_chart", on_select="rerun", selection_mode="points")
with right:
    report_events["missing"] = st.plotly_chart(
        figure(missing_sections_bars, overview.missing, ctx.lang,
               ctx.t("fault_reports_missing_chart")),
        key="fault_reports_missing_chart", on_select="rerun", selection_mode="points")

# --- customer decisions, rejection reasons and what followed ----------------------------------
st.subheader(ctx.t("fault_reports_decisions_title"))
left, right = st.columns([2, 3])
with left:
    report_events["decision"] = st.plotly_chart(
        figure(decision_bars, overview.decisions, ctx.lang, ctx.t("fault_reports_decision_chart")),
        key="fault_reports_decision_chart", on_select="rerun", selection_mode="points")
    st.caption(ctx.t("fault_reports_versions", counts=" · ".join(
        ctx.t("fault_reports_versions_item", versions=int(v), tickets=int(n))
        for v, n in overview.versions.itertuples(index=False))))
with right:
    st.markdown(f"**{ctx.t('fault_reports_reasons_title')}**")
    reasons = query(rejection_reasons, ctx.scope, ctx.filters)
    if reasons.empty:
        st.info(ctx.t("empty"))
        reason_rows = []
    else:
        # Reasons are the customer's words: shown in a table cell, never as Markdown or HTML.
        view = reasons.assign(reason=reasons["reason"].fillna(ctx.t("fault_reports_reason_none")))
        view = view.rename(columns={c: label(c) for c in view.columns})
        picked = show_table(ctx, view, "reasons", "fault_reports_reasons",
                            sheet=ctx.t("fault_reports_reasons_title"), hide_index=True,
                            width="stretch", on_select="rerun", selection_mode="single-row")
        reason_rows = picked.selection.rows if picked is not None else []
        st.caption(ctx.t("fault_reports_reasons_hint"))
if reason_rows:
    # The reason table is drawn after the charts, so its row wins while it stays selected.
    reason = reasons["reason"].iloc[reason_rows[0]]
    reason = None if reason is None or reason != reason else str(reason)
    report_drill = report_drill_for("reason", reason)
    what = ctx.t("fault_reports_drill_no_reason") if reason is None \
        else ctx.t("fault_reports_drill_reason", reason=md_escape(reason))
else:
    chart, point = latest_click("fault_reports_report", report_events)
    value = (point or {}).get("customdata")
    report_drill = report_drill_for(chart, value)
    what = None if chart is None or value is None \
        else ctx.t("fault_reports_drill_sections", n=int(value)) if chart == "sections" \
        else ctx.t("fault_reports_drill_missing", section=ctx.t(f"fault_reports_section_{value}")) \
        if chart == "missing" else ctx.t(f"fault_reports_decision_{value}")

st.subheader(ctx.t("fault_reports_list_title"))
st.caption(ctx.t("drill_filter", what=what) if what else ctx.t("fault_reports_list_default"))
reports = query(report_list, ctx.scope, ctx.filters, report_drill)
if reports.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("fault_reports_list_showing", matching=int(reports["matching"].iloc[0]),
                     shown=len(reports)))
    view = reports[list(REPORT_COLUMNS)]
    view["missing"] = view["missing"].map(
        lambda codes: "、".join(ctx.t(f"fault_reports_section_{c}") for c in codes))
    view["decision"] = view["decision"].map(lambda d: ctx.t(f"fault_reports_decision_{d}"))
    view = localise_statuses(ctx, view, ["report_status"])
    labels = {c: label(c) for c in REPORT_COLUMNS}
    event = show_table(
        ctx, view.rename(columns=labels), "reports", "fault_reports_list",
        chips=status_chips(ctx, [labels["report_status"]]),
        sheet=ctx.t("fault_reports_list_title"),
        flag_positive=[labels["no_reason_rejections"]],
        hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row",
        column_config={labels["completeness"]: st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1)})
    if event is not None and event.selection.rows:
        show_timeline(ctx, reports["ticket_id"].iloc[event.selection.rows[0]])

# --- reports due or late --------------------------------------------------------------------------
st.subheader(ctx.t("fault_reports_due_title"))
stage = st.segmented_control(
    ctx.t("fault_reports_due_pick"), STAGES, key="fault_reports_stage",
    format_func=lambda s: f"{ctx.t(f'fault_reports_stage_{s}')} ({overview.stages[s]})")
due = query(reports_due, ctx.scope, ctx.filters, stage)
if due.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("fault_reports_due_showing", matching=int(due["matching"].iloc[0]),
                     shown=len(due)))
    view = due[list(DUE_COLUMNS)]
    view["stage"] = view["stage"].map(lambda s: ctx.t(f"fault_reports_stage_{s}"))
    # One text column, so a report never submitted can say so (Arrow wants one type per column).
    view["first_submitted_at"] = view["first_submitted_at"].dt.strftime(
        "%Y-%m-%d %H:%M:%S").fillna(ctx.t("fault_reports_not_submitted"))
    view = localise_statuses(ctx, view, ["report_status"])
    labels = {c: label(c) for c in DUE_COLUMNS}
    event = show_table(
        ctx, view.rename(columns=labels), "due", "fault_reports_due_list",
        chips=status_chips(ctx, [labels["report_status"]]),
        sheet=ctx.t("fault_reports_due_title"),
        flag_positive=[labels["days_past_due"]], hide_index=True, width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        column_config={labels["days_past_due"]: st.column_config.NumberColumn(format="%.1f")})
    if event is not None and event.selection.rows:
        show_timeline(ctx, due["ticket_id"].iloc[event.selection.rows[0]])
