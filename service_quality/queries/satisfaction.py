"""Queries of the satisfaction page (满意度): trends with alerts, breakdowns, Pareto, low scores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import pandas as pd

from ..database import Database
from ..filters import Filters, shift_month
from . import Scope, run
from .tickets import DRILL_LIMIT

SURVEY_TYPES = ("case", "onsite")
GROUPS = ("engineer", "customer")
KINDS = ("answered", "satisfied", "unsatisfied", "low", "low_without_action", "unanswered")
# The alert rule: CSAT below mean − 2 sd of the 12 months before, judged with ≥ 6 such months.
ALERT_WINDOW_MONTHS = 12
ALERT_MIN_HISTORY = 6
ALERT_SIGMAS = 2.0


@dataclass(frozen=True)
class SurveyDrill:
    """What a clicked number stands for; None fields do not narrow."""

    month: str | None = None
    survey_type: str | None = None
    customer: str | None = None
    engineer: str | None = None
    problem_category: str | None = None
    kind: str | None = None

    def params(self) -> dict:
        """The $d_* parameters of satisfaction_list.sql."""
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown survey kind {self.kind!r}")
        return {f"d_{k}": v for k, v in asdict(self).items()}


def _type(survey_type: str | None) -> str | None:
    if survey_type is not None and survey_type not in SURVEY_TYPES:
        raise ValueError(f"unknown survey type {survey_type!r}")
    return survey_type


def satisfaction_trend(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per survey type and month: sent, answered, mean score, CSAT, response rate, CSAT alert."""
    # The alert of the first month shown needs the 12 months before it, so read those too.
    history = replace(filters, start=shift_month(filters.start, -ALERT_WINDOW_MONTHS))
    return run(db, "satisfaction_trend", scope, history, base="_surveys",
               show_from=filters.start, min_history=ALERT_MIN_HISTORY, sigmas=ALERT_SIGMAS)


def satisfaction_summary(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Headline counts and rates per survey type, plus a row `all` (every type listed)."""
    frame = run(db, "satisfaction_summary", scope, filters, base="_surveys")
    frame = frame.set_index("survey_type").reindex(
        [*SURVEY_TYPES, *sorted(set(frame["survey_type"]) - {*SURVEY_TYPES, "all"}), "all"])
    counts = ["sent", "answered", "satisfied", "low", "low_with_action"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame.reset_index()


def satisfaction_by(db: Database, scope: Scope, filters: Filters, group: str,
                    survey_type: str | None = None) -> pd.DataFrame:
    """Counts, mean score, CSAT and response rate per engineer or customer, worst first."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    return run(db, "satisfaction_by", scope, filters, base="_surveys", group=group,
               survey_type=_type(survey_type))


def problem_pareto(db: Database, scope: Scope, filters: Filters,
                   survey_type: str | None = None) -> pd.DataFrame:
    """Surveys per problem category, largest first, with share and cumulative share."""
    return run(db, "satisfaction_pareto", scope, filters, base="_surveys",
               survey_type=_type(survey_type))


def survey_list(db: Database, scope: Scope, filters: Filters, drill: SurveyDrill = SurveyDrill(),
                limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The filtered surveys narrowed by `drill`, newest first (column `matching` = total)."""
    return run(db, "satisfaction_list", scope, filters, base="_surveys", d_limit=limit,
               **drill.params())


def survey_drill_for(chart: str | None, point: dict | None, kind: str | None = None,
                     survey_type: str | None = None) -> tuple[SurveyDrill, str]:
    """The surveys a click on `chart` stands for, and the clicked engineer's or customer's name.

    The trend carries [month, survey type] as customdata, the rate bars [key, name], the Pareto
    a problem category; no click (or an unreadable one) keeps the page's kind and survey type.
    """
    drill = SurveyDrill(kind=kind, survey_type=survey_type)
    data = (point or {}).get("customdata")
    if chart == "trend" and isinstance(data, list | tuple) and len(data) == 2:
        return SurveyDrill(kind=kind, month=str(data[0]), survey_type=str(data[1])), ""
    if chart in GROUPS and isinstance(data, list | tuple):
        return replace(drill, **{chart: str(data[0])}), str(data[1])
    if chart == "pareto" and data is not None:
        return replace(drill, problem_category=str(data)), ""
    return drill, ""
