"""服务时效 — each promise by month and by dimension, arrival times, and the breaches behind."""

import streamlit as st

from service_quality import charts
from service_quality.charts.sla import arrival_histogram
from service_quality.messages import has
from service_quality.queries.sla import GROUPS, METRICS, arrival_distribution, sla_by
from service_quality.queries.tickets import Drill
from service_quality.terms import METRIC_TERMS
from ui.data import figure, query
from ui.drill import chart_selection, ticket_drilldown
from ui.frame import context, terms_caption
from ui.tabs import open_tabs
from ui.text import md_escape

ctx = context(__file__)
st.title(ctx.t("page_sla"))
metric = st.segmented_control(ctx.t("sla_metric"), METRICS, key="sla_metric", default="arrival",
                              format_func=lambda m: ctx.t(f"metric_{m}")) or "arrival"
st.caption(ctx.t(f"sla_rule_{metric}"))
terms_caption(ctx, *METRIC_TERMS[metric])

trend = ctx.filters.trend()
by_month = query(sla_by, ctx.scope, trend, metric, "month")
if by_month.empty:
    st.info(ctx.t("empty"))
    st.stop()
fig = figure(charts.status_bars, by_month, "grp", ctx.lang, ctx.t("sla_by_month"), ctx.t("month"))
clicked = st.plotly_chart(fig, key="sla_month_chart", on_select="rerun",
                          selection_mode="points")
st.caption(ctx.t("rate_rule") + " " + ctx.t("drill_hint"))

st.subheader(ctx.t("sla_by_dimension"))
dimensions = [g for g in GROUPS if g != "month"]
for group, tab in open_tabs([ctx.t(f"group_{g}") for g in dimensions], dimensions,
                            key="sla_dimension"):
    with tab:
        frame = query(sla_by, ctx.scope, ctx.filters, metric, group)
        if frame.empty:
            st.info(ctx.t("empty"))
            continue
        if group == "working_time":
            frame["label"] = frame["grp"].map(lambda g: ctx.t(f"period_{g}"))
        elif group == "severity":
            frame["label"] = frame["grp"].map(lambda g: ctx.t(f"severity_{g}"))
        elif group == "holiday":
            frame["label"] = frame["grp"].map(
                lambda g: ctx.t("not_holiday") if not g
                else ctx.t(f"holiday_{g}") if has(f"holiday_{g}") else g)
        fig = figure(charts.status_bars, frame, "label", ctx.lang, horizontal=True,
                     height=max(260, 28 * len(frame) + 80))
        st.plotly_chart(fig, key=f"sla_{group}_chart")

if metric == "arrival":
    dist = query(arrival_distribution, ctx.scope, ctx.filters)
    if not dist.empty:
        limits = {period: ctx.terms.values(f"arrival_limit_{period}_minutes")
                  for period in ("working", "non_working")}
        st.plotly_chart(figure(arrival_histogram, dist, ctx.lang, limits,
                               ctx.t("arrival_distribution")),
                        key="sla_arrival_hist")

points = chart_selection(clicked)
if points:
    drill = Drill(metric=metric, status=points[0].get("customdata") or "breached",
                  month=str(points[0].get("x")))
else:
    drill = Drill(metric=metric, status="breached")
# The month came back from the browser: shown escaped like any text from outside.
st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(
    v for v in (ctx.t(f"metric_{metric}"), ctx.t(f"status_{drill.status}"), drill.month) if v))))
# A clicked month may lie in the trend before the selected period: list it from the trend.
ticket_drilldown(ctx, drill, key="sla_tickets", filters=trend if drill.month else None)
