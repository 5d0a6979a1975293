"""故障级别 — general vs severe by rule and as reported, the ratios against the severe lines, and
the mismatches."""


import streamlit as st

from service_quality.charts.severity import ratio_histogram, severity_bars, severity_heatmap
from service_quality.queries.severity import (
    BASES,
    BIN_CAP,
    BIN_WIDTH,
    CHECKS,
    DEVICE_LIMIT,
    MEASURES,
    drill_for,
    fault_list,
    ratio_distribution,
    severity_by,
    severity_summary,
)
from service_quality.queries.tickets import Drill
from service_quality.terms import SEVERITY_TERMS
from ui.chart_pick import click_sets_choice
from ui.data import figure, query
from ui.drill import first_point, latest_click, ticket_drilldown
from ui.frame import context, terms_caption
from ui.severity import drill_caption, fault_table, severity_cards
from ui.tabs import open_tabs

ctx = context(__file__)
st.title(ctx.t("page_severity"))
st.caption(ctx.t("severity_rule"))
terms_caption(ctx, *SEVERITY_TERMS)

summary = query(severity_summary, ctx.scope, ctx.filters)
if summary.faults == 0:
    st.info(ctx.t("empty"))
    st.stop()

severity_cards(ctx, summary)

basis = st.segmented_control(ctx.t("severity_basis"), BASES, key="severity_basis", default="rule",
                             format_func=lambda b: ctx.t(f"severity_basis_{b}")) or "rule"

# --- general vs severe: by month, by customer and device -------------------------------------
events = {}
trend = ctx.filters.trend()
by_month = query(severity_by, ctx.scope, trend, basis, "month")
events["month"] = st.plotly_chart(
    figure(severity_bars, by_month, "grp", ctx.lang, basis, ctx.t("severity_by_month"),
           ctx.t("month")),
    key="severity_month_chart", on_select="rerun", selection_mode="points")
st.caption(ctx.t("drill_hint"))

st.subheader(ctx.t("severity_by_dimension"))
groups = ("customer", "device")
for group, tab in open_tabs([ctx.t(f"severity_group_{g}") for g in groups], groups,
                            key="severity_group"):
    with tab:
        frame = query(severity_by, ctx.scope, ctx.filters, basis, group)
        if group == "device":
            frame["label"] = frame["label"].where(frame["label"] != "",
                                                  ctx.t("severity_device_none"))
            st.caption(ctx.t("severity_device_caption", n=DEVICE_LIMIT))
        events[group] = st.plotly_chart(
            figure(severity_bars, frame, "label", ctx.lang, basis, horizontal=True),
            key=f"severity_{group}_chart", on_select="rerun", selection_mode="points")

# --- the severe lines of the ratios ----------------------------------------------------------
st.subheader(ctx.t("severity_distributions"))
st.caption(ctx.t("severity_ratio_caption"))
for column, measure in zip(st.columns(2), MEASURES, strict=True):
    with column:
        dist = query(ratio_distribution, ctx.scope, ctx.filters, measure)
        if dist.empty:
            st.info(ctx.t("empty"))
            continue
        events[measure] = st.plotly_chart(
            figure(ratio_histogram, dist, ctx.lang, ctx.terms.lines(measure), BIN_WIDTH,
                   BIN_CAP, ctx.t(f"severity_measure_{measure}")),
            key=f"severity_{measure}_chart", on_select="rerun", selection_mode="points")

# --- the faults behind the clicked element ---------------------------------------------------
chart, point = latest_click("severity", events)
drill = drill_for(chart, point, basis)
st.subheader(ctx.t("severity_fault_list"))
drill_caption(ctx, chart, point, drill)
faults = query(fault_list, ctx.scope, trend if drill.month else ctx.filters, drill)
if faults.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("drill_showing", matching=int(faults["matching"].iloc[0]), shown=len(faults)))
    fault_table(ctx, faults)

# --- reported against rule, and the mismatches -----------------------------------------------
st.subheader(ctx.t("severity_matrix_title"))
matrix_event = st.plotly_chart(figure(severity_heatmap, summary.matrix, ctx.lang),
                               key="severity_matrix",
                               on_select="rerun", selection_mode="points")
st.caption(ctx.t("severity_matrix_caption"))

st.subheader(ctx.t("severity_mismatch_title"))
if summary.checks["under_classified"]:
    st.warning(ctx.t("severity_under_warning", n=summary.checks["under_classified"]))
picked = (first_point(matrix_event) or {}).get("customdata")
# A click on a cell picks its check once; after that the selector is the user's again.
click_sets_choice("severity_check_pick", picked, CHECKS)
st.session_state.setdefault("severity_check_pick", "under_classified")
check = st.segmented_control(
    ctx.t("severity_mismatch_pick"), CHECKS, key="severity_check_pick",
    format_func=lambda c: f"{ctx.t(f'severity_check_{c}')} ({summary.checks[c]})",
) or "under_classified"
ticket_drilldown(ctx, Drill(severity_check=check), key="severity_mismatch_tickets")
