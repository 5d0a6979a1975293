"""Satisfaction surveys as the pages draw them: the cards per survey type, the closed loop, and
the tables of surveys, alert months and rates per engineer or customer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from service_quality.queries.satisfaction import SurveyDrill

from .columns import column_label
from .drill import drill_caption as narrowed_to
from .drill import localise_codes
from .export import show_table
from .frame import Context
from .text import pct, why_empty

col = column_label
# Code columns of the survey tables and the message prefix that names their values.
SURVEY_CODES = {"survey_type": "sat_type_", "method": "sat_method_"}


def survey_cards(ctx: Context, summary: pd.DataFrame) -> None:
    """CSAT, mean score and response rate of each survey type sent (`summary` by survey_type)."""
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


def closed_loop_cards(ctx: Context, total: pd.Series) -> None:
    """Low scores, the share with an improvement action, and those still without one."""
    cols = st.columns(3)
    cols[0].metric(ctx.t("sat_low_scores"), int(total["low"]), border=True)
    cols[1].metric(ctx.t("sat_closed_loop_rate"), pct(total["closed_loop"]), border=True)
    cols[2].metric(ctx.t("sat_low_without_action"), int(total["low"] - total["low_with_action"]),
                   border=True)


def survey_table(ctx: Context, frame: pd.DataFrame, columns, key: str, name: str,
                 sheet: str) -> None:
    """Surveys as a table; comments are customer text, so only ever shown as table cells."""
    view = localise_codes(ctx, frame[list(columns)], SURVEY_CODES)
    show_table(ctx, view, name, key, labels={c: col(ctx, c) for c in columns}, sheet=sheet,
               hide_index=True, width="stretch")


def alerts_table(ctx: Context, alerts: pd.DataFrame) -> None:
    """The alert months with the baseline each was judged against."""
    view = localise_codes(ctx, alerts[["survey_type", "month", "csat", "threshold", "baseline",
                                       "baseline_sd", "history_months", "answered"]],
                          SURVEY_CODES)
    view = view.rename(columns={c: col(ctx, c) for c in view.columns})
    rates = [col(ctx, c) for c in ("csat", "threshold", "baseline", "baseline_sd")]
    show_table(ctx, view, "alerts", "sat_alerts", sheet=ctx.t("sat_alerts_title"),
               hide_index=True, width="stretch", column_config={r: _percent() for r in rates})


def rates_table(ctx: Context, frame: pd.DataFrame, group: str) -> None:
    """Counts and rates per engineer (with team) or customer, as satisfaction_by returns them."""
    columns = ["label", *(["team"] if group == "engineer" else []), "sent", "answered",
               "csat", "mean_score", "response_rate", "low", "low_without_action"]
    show_table(
        ctx, frame[columns].rename(columns={c: col(ctx, c) for c in columns}),
        f"by_{group}", f"sat_{group}_table", sheet=ctx.t(f"sat_group_{group}"),
        hide_index=True, width="stretch",
        column_config={col(ctx, "csat"): _percent(), col(ctx, "response_rate"): _percent(),
                       col(ctx, "mean_score"): st.column_config.NumberColumn(format="%.2f")})


def drill_caption(ctx: Context, drill: SurveyDrill, name: str = "") -> None:
    """What the survey list is narrowed to: kind, month, survey type, NAME and category."""
    narrowed_to(ctx, ctx.t(f"sat_kind_{drill.kind}") if drill.kind else "", drill.month,
                ctx.t(f"sat_type_{drill.survey_type}") if drill.survey_type else "", name,
                drill.problem_category)


def _percent():
    return st.column_config.NumberColumn(format="percent")
