"""What the report, satisfaction, severity and data pages moved out of themselves (issue 13):
the domain functions on the fixture database, the ui/ helpers as the pages draw them."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from service_quality.charts.severity import severity_label
from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.customer_report import report_customers
from service_quality.queries.data import Freshness
from service_quality.queries.satisfaction import (
    SurveyDrill,
    satisfaction_by,
    survey_drill_for,
    survey_list,
)
from service_quality.queries.severity import SeverityDrill
from service_quality.reports.customer_report import customer_report_file, report_periods
from service_quality.text import md_escape
from ui.customer_report import static_frame
from ui.frame import Context
from ui.freshness import moment
from ui.severity import LIST_COLUMNS as FAULT_COLUMNS
from ui.severity import fault_view

PERIOD = Filters("2025-07", "2025-12")


def _ctx(lang: str = "zh") -> Context:
    return Context(lang, Scope.everyone(), PERIOD, pd.Timestamp("2026-01-05"), {}, page="test")


# --- the customer report: periods offered and its files ----------------------------------------

def test_report_periods_newest_first_with_the_default():
    as_of = pd.Timestamp("2026-11-01 09:00")
    assert report_periods("2026-08", "2026-10", as_of, "month") == (
        ["2026-11", "2026-10", "2026-09", "2026-08"], "2026-10")
    assert report_periods("2026-02", "2026-10", as_of, "quarter") == (
        ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1"], "2026-Q3")


def test_report_periods_offer_the_default_without_data():
    as_of = pd.Timestamp("2026-11-01 09:00")
    choices, default = report_periods(None, None, as_of, "month")
    assert default == "2026-10" and choices[0] == "2026-11" and choices[-1] == "2026-01"
    # Data that ends long before as_of still offers every month up to as_of's.
    assert report_periods("2025-01", "2025-02", as_of, "month")[0][0] == "2026-11"
    # Data that starts after the default period: the default is put first.
    assert report_periods("2026-11", "2026-11", as_of, "month") == (["2026-10", "2026-11"],
                                                                    "2026-10")


def test_customer_report_file_is_the_scoped_report(db):
    customer = report_customers(db, Scope.everyone())["customer_id"].iloc[0]
    xlsx = customer_report_file(db, Scope.everyone(), None, customer, "2025-09", "en", "xlsx")
    assert "Service summary" in load_workbook(io.BytesIO(xlsx)).sheetnames
    pdf = customer_report_file(db, Scope.customer(customer), None, customer, "2025-09", "zh",
                               "pdf")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(PermissionError):
        customer_report_file(db, Scope.customer("C-NOT-MINE"), None, customer, "2025-09", "zh",
                             "xlsx")
    with pytest.raises(ValueError, match="csv"):
        customer_report_file(db, Scope.everyone(), None, customer, "2025-09", "zh", "csv")


def test_static_frame_formats_rates_decimals_and_escapes_text():
    frame = pd.DataFrame({"rate": [0.1234, None], "hours": [1234.56, None], "n": [3, 4],
                          "name*": ["a_b", None]})
    shown = static_frame(frame, rates=["rate"], decimals=["hours"])
    assert list(shown.columns) == ["rate", "hours", "n", "name\\*"]
    assert list(shown["rate"]) == ["12.3%", "—"]
    assert list(shown["hours"]) == ["1,234.6", "—"]
    assert list(shown["n"]) == [3, 4]
    assert list(shown["name\\*"]) == ["a\\_b", "—"]


# --- the satisfaction drill-down: what a click stands for --------------------------------------

@pytest.mark.parametrize("chart, point, expected, name", [
    (None, None, SurveyDrill(kind="low", survey_type="case"), ""),
    ("trend", {"customdata": ["2025-09", "onsite"]},
     SurveyDrill(kind="low", month="2025-09", survey_type="onsite"), ""),
    ("engineer", {"customdata": ["E01", "张三"]},
     SurveyDrill(kind="low", survey_type="case", engineer="E01"), "张三"),
    ("customer", {"customdata": ("C003", "某银行")},
     SurveyDrill(kind="low", survey_type="case", customer="C003"), "某银行"),
    ("pareto", {"customdata": "响应慢"},
     SurveyDrill(kind="low", survey_type="case", problem_category="响应慢"), ""),
    # A point without the data the chart carries narrows nothing more.
    ("trend", {"customdata": ["2025-09"]}, SurveyDrill(kind="low", survey_type="case"), ""),
    ("pareto", {"x": 1}, SurveyDrill(kind="low", survey_type="case"), ""),
])
def test_survey_drill_for(chart, point, expected, name):
    assert survey_drill_for(chart, point, "low", "case") == (expected, name)


def test_a_click_on_an_engineer_lists_that_engineers_surveys(db, fixture_db):
    by_engineer = satisfaction_by(db, Scope.everyone(), PERIOD, "engineer")
    row = by_engineer.iloc[0]
    drill, name = survey_drill_for("engineer", {"customdata": [row["grp"], row["label"]]},
                                   "answered")
    assert name == row["label"]
    surveys = survey_list(db, Scope.everyone(), PERIOD, drill)
    assert len(surveys) == row["answered"] == surveys["matching"].iloc[0]
    assert set(surveys["engineer_name"]) == {row["label"]}


# --- the severity fault list -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fault_view_puts_codes_in_words(lang):
    faults = pd.DataFrame({c: [None, None] for c in FAULT_COLUMNS})
    faults["rule_severity"] = ["severe", None]
    faults["reported_severity"] = ["general", None]
    faults["severity_check"] = ["under_classified", None]
    view = fault_view(_ctx(lang), faults)
    assert list(view.columns) == list(FAULT_COLUMNS)
    assert view["severity_check"].iloc[0] == t("severity_check_under_classified", lang)
    assert pd.isna(view["severity_check"].iloc[1])
    # No severity is shown as words too: unknown by rule, none as reported.
    assert list(view["rule_severity"]) == [severity_label("severe", "rule", lang),
                                           severity_label("unknown", "rule", lang)]
    assert list(view["reported_severity"]) == [severity_label("general", "reported", lang),
                                               severity_label("none", "reported", lang)]


# --- the data page: moments, freshness ---------------------------------------------------------

def test_moment_to_the_minute_or_a_dash():
    assert moment(pd.Timestamp("2026-03-04 05:06:07")) == "2026-03-04 05:06"
    assert moment(None) == "—"


def _freshness_app(ctx, fresh):
    from ui.freshness import freshness_cards

    freshness_cards(ctx, fresh)


@pytest.mark.parametrize("age, unit", [(5.0, "data_age_hours"), (72.0, "data_age_days"),
                                       (None, None)])
def test_freshness_cards(age, unit):
    fresh = Freshness(pd.Timestamp("2026-01-05 08:00"), "file", None,
                      pd.Timestamp("2026-01-05 09:30"), pd.Timestamp("2026-01-05 03:00"), age, 7)
    ctx = _ctx("en")
    at = AppTest.from_function(_freshness_app, args=(ctx, fresh), default_timeout=60).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2026-01-05 08:00", "2026-01-05 09:30",
                                            "2026-01-05 03:00"]
    newest = at.metric[2]
    if unit is None:
        assert not newest.proto.delta
    else:
        n = age if unit == "data_age_hours" else age / 24
        assert newest.proto.delta == ctx.t("data_newest_age", age=ctx.t(unit, n=n))


# --- a chart click that chooses for a widget ---------------------------------------------------

def _choice_app():
    import streamlit as st

    from ui.chart_pick import click_sets_choice

    click_sets_choice("pick", st.session_state.get("clicked"), ("a", "b"))
    st.session_state.setdefault("pick", "a")
    st.text(st.radio("pick", ("a", "b"), key="pick"))


def _choose(at: AppTest, clicked) -> str:
    at.session_state["clicked"] = clicked
    at.run()
    assert not at.exception
    return at.text[0].value


def test_a_click_chooses_once_then_the_widget_rules():
    at = AppTest.from_function(_choice_app, default_timeout=60)
    assert _choose(at, None) == "a"
    assert _choose(at, "b") == "b"
    # The user chooses otherwise while the click's selection persists: the user's choice stays.
    at.radio(key="pick").set_value("a")
    assert _choose(at, "b") == "a"
    # A new click chooses again; a click on something that is no choice changes nothing.
    assert _choose(at, None) == "a"
    assert _choose(at, "b") == "b"
    assert _choose(at, "zzz") == "b"


# --- drawn tables and captions -----------------------------------------------------------------

def _surveys_app(ctx, frame, alerts, rates):
    from ui.surveys import alerts_table, drill_caption, rates_table, survey_table

    survey_table(ctx, frame, ("survey_id", "survey_type", "method", "comment"), key="s",
                 name="surveys", sheet="surveys")
    alerts_table(ctx, alerts)
    rates_table(ctx, rates, "engineer")
    from service_quality.queries.satisfaction import SurveyDrill

    drill_caption(ctx, SurveyDrill(kind="low", month="2025-09", survey_type="case"),
                  "*Bold* name")


def test_survey_tables_show_codes_in_words_and_comments_literally():
    ctx = _ctx("en")
    frame = pd.DataFrame({"survey_id": ["S1", "S2"], "survey_type": ["case", "onsite"],
                          "method": ["phone", None], "comment": ["<b>bad</b>", "**x**"]})
    alerts = pd.DataFrame({"survey_type": ["onsite"], "month": ["2025-09"], "csat": [0.5],
                           "threshold": [0.7], "baseline": [0.9], "baseline_sd": [0.1],
                           "history_months": [12], "answered": [10]})
    rates = pd.DataFrame({"label": ["Wang"], "team": ["T1"], "sent": [4], "answered": [3],
                          "csat": [2 / 3], "mean_score": [4.2], "response_rate": [0.75],
                          "low": [1], "low_without_action": [1]})
    at = AppTest.from_function(_surveys_app, args=(ctx, frame, alerts, rates),
                               default_timeout=60).run()
    assert not at.exception
    surveys, alert_view, rate_view = (d.value for d in at.dataframe)
    assert list(surveys.iloc[:, 1]) == [t("sat_type_case", "en"), t("sat_type_onsite", "en")]
    assert surveys.iloc[0, 2] == t("sat_method_phone", "en") and pd.isna(surveys.iloc[1, 2])
    assert list(surveys.iloc[:, 3]) == ["<b>bad</b>", "**x**"]
    assert alert_view.iloc[0, 0] == t("sat_type_onsite", "en")
    assert t("sat_csat", "en") in alert_view.columns and t("sat_csat", "en") in rate_view.columns
    assert list(rate_view.iloc[0, :2]) == ["Wang", "T1"]
    caption = at.caption[-1].value
    assert "2025\\-09" in caption and t("sat_kind_low", "en") in caption
    assert "\\*Bold\\* name" in caption


def _severity_caption_app(ctx, chart, point, drill):
    from ui.severity import drill_caption

    drill_caption(ctx, chart, point, drill)


@pytest.mark.parametrize("chart, point, drill, words", [
    (None, None, SeverityDrill(severity="severe"), ["severity_fault_list_default"]),
    ("customer", {"y": "A*B"}, SeverityDrill(customer="C1", severity="severe"), ["A\\*B"]),
    ("error_ratio", {"x": 0.2}, SeverityDrill(measure="error_ratio", bin=0.2, side="severe"),
     ["severity_side_severe", "0\\.2%–2\\.2%"]),
])
def test_severity_drill_caption(chart, point, drill, words):
    ctx = _ctx("en")
    at = AppTest.from_function(_severity_caption_app, args=(ctx, chart, point, drill),
                               default_timeout=60).run()
    assert not at.exception
    caption = at.caption[0].value
    for word in words:
        if word.startswith("severity_"):
            # A drill's caption is Markdown: what it quotes is escaped.
            word = ctx.t(word) if chart is None else md_escape(ctx.t(word))
        assert word in caption
