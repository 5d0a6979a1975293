"""满意度 — CSAT and mean score by month with alerts, by engineer and customer, problem Pareto,
and the low scores still waiting for an improvement action."""


from functools import partial

import pandas as pd
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
    survey_list,
)
from service_quality.queries.satisfaction import satisfaction_trend as trend_query
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import latest_click
from ui.export import show_table
from ui.frame import Context, context, terms_caption
from ui.text import md_escape, pct, why_empty

LIST_COLUMNS = ("survey_id", "customer_name", "engineer_name", "score", "problem_category",
                "comment", "survey_type", "sent_at")
DRILL_COLUMNS = ("survey_id", "customer_name", "survey_type", "method", "sent_at", "answered_at",
                 "ticket_id", "engineer_name", "team", "score", "has_action", "problem_category",
                 "comment")
col = partial(column_label, prefix="sat_")



def survey_table(ctx: Context, frame: pd.DataFrame, columns, key: str, name: str,
                 sheet: str) -> None:
    """Surveys as a table; comments are customer text, so only ever shown as table cells."""
    view = frame[list(columns)]
    view["survey_type"] = view["survey_type"].map(lambda s: ctx.t(f"sat_type_{s}"))
    if "method" in view:
        view["method"] = view["method"].map(
            lambda m: ctx.t(f"sat_method_{m}") if isinstance(m, str) else m)
    show_table(ctx, view, name, key, labels={c: col(ctx, c) for c in columns}, sheet=sheet,
               hide_index=True, width="stretch")


ctx = context(__file__)
st.title(ctx.t("page_satisfaction"))
st.caption(ctx.t("sat_filters_note"))

summary = query(satisfaction_summary, ctx.scope, ctx.filters).set_index("survey_type")
if summary.loc["all", "sent"] == 0:
    st.info(ctx.t("empty"))
    st.stop()

for survey_type in [s for s in summary.index if s != "all" and summary.loc[s, "sent"] > 0]:
    row = summary.loc[survey_type]
    name = ctx.t(f"sat_type_{survey_type}")
    help_text = ctx.t("sat_counts_help", **{k: int(row[k]) for k in
                                             ("sent", "answered", "satisfied", "low")})
    cols = st.columns(3)
    cols[0].metric(f"{name} · {ctx.t('sat_csat')}", pct(row["csat"]),
                   help=why_empty(row["csat"], ctx.t("empty_csat"), help_text), border=True)
    cols[1].metric(f"{name} · {ctx.t('sat_mean_score')}",
                   "—" if pd.isna(row["mean_score"]) else f"{row['mean_score']:.2f}",
                   help=why_empty(row["mean_score"], ctx.t("empty_mean_score"), help_text),
                   border=True)
    cols[2].metric(f"{name} · {ctx.t('sat_response_rate')}", pct(row["response_rate"]),
                   help=why_empty(row["response_rate"], ctx.t("empty_survey_response"),
                                  help_text), border=True)
st.caption(ctx.t("sat_rule"))
terms_caption(ctx, "satisfied_min_score", "low_score_max")

# --- trend with alert months ------------------------------------------------------------------
st.subheader(ctx.t("sat_trend"))
trend = query(trend_query, ctx.scope, ctx.filters.trend())
charts = {}
charts["sat_trend_chart"] = st.plotly_chart(
    figure(satisfaction_trend, trend, ctx.lang), key="sat_trend_chart", selection_mode="points",
    on_select="rerun")
st.caption(ctx.t("sat_alert_rule"))
alerts = trend[trend["alert"]]
if alerts.empty:
    st.caption(ctx.t("sat_no_alerts"))
else:
    st.markdown(f"**{ctx.t('sat_alerts_title')}**")
    view = alerts[["survey_type", "month", "csat", "threshold", "baseline", "baseline_sd",
                   "history_months", "answered"]]
    view["survey_type"] = view["survey_type"].map(lambda s: ctx.t(f"sat_type_{s}"))
    view = view.rename(columns={"csat": col(ctx, "csat"), "threshold": col(ctx, "threshold"),
                                **{c: col(ctx, c) for c in ("survey_type", "month", "baseline",
                                                            "baseline_sd", "history_months",
                                                            "answered")}})
    rates = [col(ctx, "csat"), col(ctx, "threshold"), *(col(ctx, c) for c in ("baseline",
                                                                              "baseline_sd"))]
    show_table(ctx, view, "alerts", "sat_alerts", sheet=ctx.t("sat_alerts_title"),
               hide_index=True, width="stretch",
               column_config={r: st.column_config.NumberColumn(format="percent") for r in rates})

# --- by engineer / customer and the problem Pareto, for one survey type or all ----------------
st.subheader(ctx.t("sat_by_dimension"))
chosen = st.segmented_control(ctx.t("sat_survey_type"), ("all", *SURVEY_TYPES),
                              key="sat_type", default="all",
                              format_func=lambda s: ctx.t(f"sat_type_{s}")) or "all"
survey_type = None if chosen == "all" else chosen
for tab, group in zip(st.tabs([ctx.t(f"sat_group_{g}") for g in GROUPS]), GROUPS, strict=True):
    with tab:
        frame = query(satisfaction_by, ctx.scope, ctx.filters, group, survey_type)
        if frame.empty:
            st.info(ctx.t("empty"))
            continue
        key = f"sat_{group}_chart"
        charts[key] = st.plotly_chart(figure(rate_bars, frame, ctx.lang), key=key,
                                      selection_mode="points", on_select="rerun")
        columns = ["label", *(["team"] if group == "engineer" else []), "sent", "answered",
                   "csat", "mean_score", "response_rate", "low", "low_without_action"]
        show_table(
            ctx, frame[columns].rename(columns={
                "csat": col(ctx, "csat"), "mean_score": col(ctx, "mean_score"),
                "response_rate": col(ctx, "response_rate"),
                **{c: col(ctx, c) for c in ("label", "team", "sent", "answered", "low",
                                            "low_without_action")}}),
            f"by_{group}", f"sat_{group}_table", sheet=ctx.t(f"sat_group_{group}"),
            hide_index=True, width="stretch",
            column_config={col(ctx, "csat"): st.column_config.NumberColumn(format="percent"),
                           col(ctx, "response_rate"):
                               st.column_config.NumberColumn(format="percent"),
                           col(ctx, "mean_score"): st.column_config.NumberColumn(format="%.2f")})

st.subheader(ctx.t("sat_pareto"))
categories = query(problem_pareto, ctx.scope, ctx.filters, survey_type)
if categories.empty:
    st.info(ctx.t("empty"))
else:
    charts["sat_pareto_chart"] = st.plotly_chart(
        figure(pareto, categories, ctx.lang), key="sat_pareto_chart", selection_mode="points",
        on_select="rerun")
    st.caption(ctx.t("sat_pareto_note"))

# --- closed loop: every low score needs an improvement action ---------------------------------
st.subheader(ctx.t("sat_closed_loop"))
total = summary.loc["all"]
cols = st.columns(3)
cols[0].metric(ctx.t("sat_low_scores"), int(total["low"]), border=True)
cols[1].metric(ctx.t("sat_closed_loop_rate"), pct(total["closed_loop"]), border=True)
cols[2].metric(ctx.t("sat_low_without_action"), int(total["low"] - total["low_with_action"]),
               border=True)
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
source, point = latest_click("sat", charts)
points = [point] if point else []
drill, period = SurveyDrill(kind=kind, survey_type=survey_type), ctx.filters
name = ""  # the clicked engineer's or customer's name
if points:
    data = points[0].get("customdata")
    if source == "sat_trend_chart" and isinstance(data, list | tuple) and len(data) == 2:
        drill = SurveyDrill(kind=kind, month=str(data[0]), survey_type=str(data[1]))
        # The trend shows at least 12 months, so a clicked month may lie before the period.
        period = ctx.filters.trend()
    elif source == "sat_engineer_chart" and isinstance(data, list | tuple):
        drill = SurveyDrill(kind=kind, survey_type=survey_type, engineer=str(data[0]))
        name = str(data[1])
    elif source == "sat_customer_chart" and isinstance(data, list | tuple):
        drill = SurveyDrill(kind=kind, survey_type=survey_type, customer=str(data[0]))
        name = str(data[1])
    elif source == "sat_pareto_chart" and data is not None:
        drill = SurveyDrill(kind=kind, survey_type=survey_type, problem_category=str(data))
what = [ctx.t(f"sat_kind_{kind}") if kind else "", drill.month or "",
        ctx.t(f"sat_type_{drill.survey_type}") if drill.survey_type else "",
        name, drill.problem_category or ""]
st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(w for w in what if w))))
st.caption(ctx.t("sat_drill_hint"))
surveys = query(survey_list, ctx.scope, period, drill)
if surveys.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("sat_drill_showing", matching=int(surveys["matching"].iloc[0]),
                     shown=len(surveys)))
    survey_table(ctx, surveys, DRILL_COLUMNS, key="sat_surveys", name="surveys",
                 sheet=ctx.t("sat_drill_title"))
