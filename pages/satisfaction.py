"""满意度 — CSAT and mean score by month with alerts, by engineer and customer, problem Pareto,
and the low scores still waiting for an improvement action."""


import streamlit as st

from service_quality.charts.satisfaction import pareto, rate_bars, satisfaction_trend
from service_quality.queries.satisfaction import (
    GROUPS,
    KINDS,
    SURVEY_TYPES,
    SurveyDrill,
    problem_pareto,
    satisfaction_by,
    satisfaction_summary,
    survey_drill_for,
    survey_list,
)
from service_quality.queries.satisfaction import satisfaction_trend as trend_query
from ui.data import figure, query
from ui.drill import latest_click
from ui.frame import context, terms_caption
from ui.surveys import (
    alerts_table,
    closed_loop_cards,
    drill_caption,
    rates_table,
    survey_cards,
    survey_table,
)
from ui.tabs import open_tabs

LIST_COLUMNS = ("survey_id", "customer_name", "engineer_name", "score", "problem_category",
                "comment", "survey_type", "sent_at")
DRILL_COLUMNS = ("survey_id", "customer_name", "survey_type", "method", "sent_at", "answered_at",
                 "ticket_id", "engineer_name", "team", "score", "has_action", "problem_category",
                 "comment")

ctx = context(__file__)
st.title(ctx.t("page_satisfaction"))
st.caption(ctx.t("sat_filters_note"))

summary = query(satisfaction_summary, ctx.scope, ctx.filters).set_index("survey_type")
if summary.loc["all", "sent"] == 0:
    st.info(ctx.t("empty"))
    st.stop()

survey_cards(ctx, summary)
st.caption(ctx.t("sat_rule"))
terms_caption(ctx, "satisfied_min_score", "low_score_max")

# --- trend with alert months ------------------------------------------------------------------
st.subheader(ctx.t("sat_trend"))
trend = query(trend_query, ctx.scope, ctx.filters.trend())
charts = {}
charts["trend"] = st.plotly_chart(
    figure(satisfaction_trend, trend, ctx.lang), key="sat_trend_chart", selection_mode="points",
    on_select="rerun")
st.caption(ctx.t("sat_alert_rule"))
alerts = trend[trend["alert"]]
if alerts.empty:
    st.caption(ctx.t("sat_no_alerts"))
else:
    st.markdown(f"**{ctx.t('sat_alerts_title')}**")
    alerts_table(ctx, alerts)

# --- by engineer / customer and the problem Pareto, for one survey type or all ----------------
st.subheader(ctx.t("sat_by_dimension"))
chosen = st.segmented_control(ctx.t("sat_survey_type"), ("all", *SURVEY_TYPES),
                              key="sat_type", default="all",
                              format_func=lambda s: ctx.t(f"sat_type_{s}")) or "all"
survey_type = None if chosen == "all" else chosen
for group, tab in open_tabs([ctx.t(f"sat_group_{g}") for g in GROUPS], GROUPS, key="sat_group"):
    with tab:
        frame = query(satisfaction_by, ctx.scope, ctx.filters, group, survey_type)
        if frame.empty:
            st.info(ctx.t("empty"))
            continue
        charts[group] = st.plotly_chart(figure(rate_bars, frame, ctx.lang),
                                        key=f"sat_{group}_chart", selection_mode="points",
                                        on_select="rerun")
        rates_table(ctx, frame, group)

st.subheader(ctx.t("sat_pareto"))
categories = query(problem_pareto, ctx.scope, ctx.filters, survey_type)
if categories.empty:
    st.info(ctx.t("empty"))
else:
    charts["pareto"] = st.plotly_chart(
        figure(pareto, categories, ctx.lang), key="sat_pareto_chart", selection_mode="points",
        on_select="rerun")
    st.caption(ctx.t("sat_pareto_note"))

# --- closed loop: every low score needs an improvement action ---------------------------------
st.subheader(ctx.t("sat_closed_loop"))
closed_loop_cards(ctx, summary.loc["all"])
st.caption(ctx.t("sat_closed_loop_rule"))
open_loops = query(survey_list, ctx.scope, ctx.filters, SurveyDrill(kind="low_without_action"))
st.markdown(f"**{ctx.t('sat_low_list_title')}**")
if open_loops.empty:
    st.success(ctx.t("sat_all_closed"))
else:
    survey_table(ctx, open_loops, LIST_COLUMNS, key="sat_low_list", name="low_without_action",
                 sheet=ctx.t("sat_low_list_title"))

# --- the surveys behind the clicked number ----------------------------------------------------
st.subheader(ctx.t("sat_drill_title"))
kind = st.segmented_control(ctx.t("sat_kind"), KINDS, key="sat_kind", default="unsatisfied",
                            format_func=lambda k: ctx.t(f"sat_kind_{k}"))
drill, name = survey_drill_for(*latest_click("sat", charts), kind, survey_type)
drill_caption(ctx, drill, name)
st.caption(ctx.t("sat_drill_hint"))
# The trend shows at least 12 months, so a clicked month may lie before the period.
surveys = query(survey_list, ctx.scope, ctx.filters.trend() if drill.month else ctx.filters,
                drill)
if surveys.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("sat_drill_showing", matching=int(surveys["matching"].iloc[0]),
                     shown=len(surveys)))
    survey_table(ctx, surveys, DRILL_COLUMNS, key="sat_surveys", name="surveys",
                 sheet=ctx.t("sat_drill_title"))
