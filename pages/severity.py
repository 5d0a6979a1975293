"""故障级别 — general vs severe by rule and as reported, the ratios against the severe lines, and
the mismatches."""


import streamlit as st

from service_quality.charts.severity import (
    ratio_histogram,
    severity_bars,
    severity_heatmap,
    severity_label,
)
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
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import (
    chart_selection,
    latest_click,
    localise_statuses,
    show_timeline,
    ticket_drilldown,
)
from ui.export import show_table
from ui.frame import context, terms_caption
from ui.text import chart_value, md_escape, pct

LIST_COLUMNS = ("ticket_id", "customer_name", "rule_severity", "reported_severity",
                "severity_check", "error_ratio", "capacity_drop", "system_down", "network_down",
                "key_device_down", "imminent_outage", "device", "reported_at")



ctx = context(__file__)
st.title(ctx.t("page_severity"))
st.caption(ctx.t("severity_rule"))
terms_caption(ctx, *SEVERITY_TERMS)

summary = query(severity_summary, ctx.scope, ctx.filters)
if summary.faults == 0:
    st.info(ctx.t("empty"))
    st.stop()

cards = st.columns(6)
share = summary.severe_share
cards[0].metric(ctx.t("severity_kpi_faults"), summary.faults, border=True)
cards[1].metric(ctx.t("severity_kpi_rule_severe"), summary.rule["severe"], border=True,
                help=ctx.t("severity_kpi_share_help",
                           share=pct(share)))
cards[2].metric(ctx.t("severity_kpi_reported_severe"), summary.reported["severe"], border=True)
cards[3].metric(ctx.t("severity_kpi_under"), summary.checks["under_classified"], border=True)
cards[4].metric(ctx.t("severity_kpi_over"), summary.checks["over_classified"], border=True)
cards[5].metric(ctx.t("severity_kpi_unverifiable"), summary.checks["unverifiable"], border=True)

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
tabs = st.tabs([ctx.t("severity_group_customer"), ctx.t("severity_group_device")])
for tab, group in zip(tabs, ("customer", "device"), strict=True):
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
if chart is None:
    st.caption(ctx.t("severity_fault_list_default"))
else:
    parts = [drill.month, chart_value(point.get("y")) if chart == "customer" else None,
             chart_value(point.get("y")) if chart == "device" else None,
             severity_label(drill.severity, drill.basis, ctx.lang) if drill.severity else None,
             ctx.t("severity_drill_bin", measure=column_label(ctx, drill.measure),
                   low=f"{drill.bin:g}", high=f"{drill.bin + BIN_WIDTH:g}")
             if drill.bin is not None else None,
             ctx.t(f"severity_side_{drill.side}") if drill.side else None]
    st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(p for p in parts if p))))
faults = query(fault_list, ctx.scope, trend if drill.month else ctx.filters, drill)
if faults.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("drill_showing", matching=int(faults["matching"].iloc[0]), shown=len(faults)))
    view = faults[list(LIST_COLUMNS)]
    view["reported_severity"] = view["reported_severity"].map(
        lambda s: severity_label(s if isinstance(s, str) else "none", "reported", ctx.lang))
    view["rule_severity"] = view["rule_severity"].map(
        lambda s: severity_label(s if isinstance(s, str) else "unknown", "rule", ctx.lang))
    view["severity_check"] = view["severity_check"].map(
        lambda c: ctx.t(f"severity_check_{c}") if isinstance(c, str) else c)
    view = localise_statuses(ctx, view, ["report_status"])
    labels = {c: column_label(ctx, c) for c in LIST_COLUMNS}
    event = show_table(
        ctx, view, "faults", "severity_faults", labels=labels,
        sheet=ctx.t("severity_fault_list"), hide_index=True, width="stretch",
        on_select="rerun", selection_mode="single-row",
        column_config={labels[m]: st.column_config.NumberColumn(format="percent")
                       for m in MEASURES})
    if event is not None and event.selection.rows:
        show_timeline(ctx, faults["ticket_id"].iloc[event.selection.rows[0]])

# --- reported against rule, and the mismatches -----------------------------------------------
st.subheader(ctx.t("severity_matrix_title"))
matrix_event = st.plotly_chart(figure(severity_heatmap, summary.matrix, ctx.lang),
                               key="severity_matrix",
                               on_select="rerun", selection_mode="points")
st.caption(ctx.t("severity_matrix_caption"))

st.subheader(ctx.t("severity_mismatch_title"))
if summary.checks["under_classified"]:
    st.warning(ctx.t("severity_under_warning", n=summary.checks["under_classified"]))
cell = chart_selection(matrix_event)
picked = cell[0].get("customdata") if cell else None
# A click on a cell picks its check once; after that the selector is the user's again.
if picked in CHECKS and picked != st.session_state.get("severity_matrix_applied"):
    st.session_state["severity_check_pick"] = picked
st.session_state["severity_matrix_applied"] = picked
st.session_state.setdefault("severity_check_pick", "under_classified")
check = st.segmented_control(
    ctx.t("severity_mismatch_pick"), CHECKS, key="severity_check_pick",
    format_func=lambda c: f"{ctx.t(f'severity_check_{c}')} ({summary.checks[c]})",
) or "under_classified"
ticket_drilldown(ctx, Drill(severity_check=check), key="severity_mismatch_tickets")
