"""The satisfaction page: numbers equal the database's, the alert rule, scope, charts, page."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts import STATUS_COLORS, escape_figure
from service_quality.charts.satisfaction import (
    TYPE_COLORS,
    pareto,
    rate_bars,
    satisfaction_trend,
)
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.satisfaction import (
    SurveyDrill,
    problem_pareto,
    satisfaction_by,
    satisfaction_summary,
    survey_list,
)
from service_quality.queries.satisfaction import satisfaction_trend as trend_query
from service_quality.text import chart_text
from tests.sqlcheck import frame as sql
from tests.sqlcheck import value as one

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")



def test_summary_matches_survey_facts(db, fixture_db):
    summary = satisfaction_summary(db, Scope.everyone(), PERIOD).set_index("survey_type")
    for survey_type in ("case", "onsite"):
        row = summary.loc[survey_type]
        facts = sql(fixture_db, "SELECT count(*) AS sent, count(score) AS answered, "
                    "count(*) FILTER (WHERE satisfied) AS satisfied, avg(score) AS mean "
                    "FROM survey_facts WHERE survey_type = ? AND sent_at >= '2025-07-01' AND "
                    "sent_at < '2026-01-01'",
                    [survey_type]).iloc[0]
        assert row["sent"] == facts["sent"] and row["answered"] == facts["answered"]
        assert row["csat"] == pytest.approx(facts["satisfied"] / facts["answered"])
        assert row["response_rate"] == pytest.approx(facts["answered"] / facts["sent"])
        assert row["mean_score"] == pytest.approx(facts["mean"])
    low = sql(fixture_db, "SELECT count(*) FILTER (WHERE low_score) AS low, count(*) FILTER "
              "(WHERE low_score AND has_action) AS closed FROM survey_facts WHERE sent_at >= "
              "'2025-07-01' AND sent_at < '2026-01-01'"
              ).iloc[0]
    assert summary.loc["all", "low"] == low["low"]
    assert summary.loc["all", "closed_loop"] == pytest.approx(low["closed"] / low["low"])


def test_trend_months_and_rates(db, fixture_db):
    trend = trend_query(db, Scope.everyone(), PERIOD.trend())
    assert sorted(set(trend["month"])) == PERIOD.trend().months
    row = trend.set_index(["survey_type", "month"]).loc[("case", "2025-08")]
    facts = sql(fixture_db, "SELECT count(score) AS answered, count(*) FILTER (WHERE satisfied) "
                "AS satisfied FROM survey_facts WHERE survey_type = 'case' AND "
                "strftime(sent_at, '%Y-%m') = '2025-08'").iloc[0]
    assert row["answered"] == facts["answered"]
    assert row["csat"] == pytest.approx(facts["satisfied"] / facts["answered"])


def expected_alerts(fixture_db) -> pd.DataFrame:
    """The alert rule worked out in pandas from monthly CSAT, independent of the SQL."""
    monthly = sql(fixture_db, "SELECT survey_type, strftime(sent_at, '%Y-%m') AS month, "
                  "count(*) FILTER (WHERE satisfied) / count(score) AS csat FROM survey_facts "
                  "GROUP BY ALL HAVING count(score) > 0")
    rows = []
    for (survey_type, month), csat in monthly.set_index(["survey_type", "month"])["csat"].items():
        p = pd.Period(month, "M")
        earlier = [str(p - k) for k in range(1, 13)]
        history = monthly[(monthly["survey_type"] == survey_type)
                          & monthly["month"].isin(earlier)]["csat"]
        judged = len(history) >= 6
        threshold = history.mean() - 2 * history.std(ddof=1) if judged else np.nan
        rows.append((survey_type, month, judged and csat < threshold, threshold))
    return pd.DataFrame(rows, columns=["survey_type", "month", "alert", "threshold"]) \
        .set_index(["survey_type", "month"])


def test_alert_months_follow_the_rule(db, fixture_db):
    everything = Filters("2024-11", "2026-10")
    trend = trend_query(db, Scope.everyone(), everything).set_index(["survey_type", "month"])
    expected = expected_alerts(fixture_db).reindex(trend.index)
    assert list(trend["alert"]) == list(expected["alert"])
    np.testing.assert_allclose(trend["threshold"].astype(float), expected["threshold"],
                               equal_nan=True)
    # A month with fewer than 6 earlier months is never judged.
    first = trend.xs("2025-04", level="month")
    assert first["threshold"].isna().all() and not first["alert"].any()
    # The dip of the sample (summer 2025) raises at least one alert.
    assert trend["alert"].any()


def test_alerts_use_the_months_before_the_period(db):
    """The first months shown are judged against history outside the period."""
    short = trend_query(db, Scope.everyone(), Filters("2025-08", "2025-10").trend())
    full = trend_query(db, Scope.everyone(), Filters("2024-11", "2026-10"))
    merged = short.merge(full, on=["survey_type", "month"], suffixes=("", "_full"))
    assert len(merged) == len(short)
    assert list(merged["alert"]) == list(merged["alert_full"])


def test_by_engineer_is_worst_first_and_team_filter_applies(db, fixture_db):
    frame = satisfaction_by(db, Scope.everyone(), PERIOD, "engineer")
    rates = frame["csat"].dropna()
    assert list(rates) == sorted(rates)
    worst = frame.iloc[0]
    answered = one(fixture_db, "SELECT count(f.score) FROM survey_facts f JOIN surveys s "
                   "USING (survey_id) WHERE s.engineer_id = ? AND f.sent_at >= '2025-07-01' "
                   "AND f.sent_at < '2026-01-01'", [worst["grp"]])
    assert worst["answered"] == answered
    team = one(fixture_db, "SELECT min(team) FROM engineers")
    narrowed = satisfaction_by(db, Scope.everyone(), Filters(PERIOD.start, PERIOD.end,
                                                             teams=(team,)), "engineer")
    assert set(narrowed["team"]) == {team}
    # Severity and service mode describe tickets: they do not narrow surveys.
    ignored = Filters(PERIOD.start, PERIOD.end, severities=("severe",), service_modes=("phone",))
    assert satisfaction_summary(db, Scope.everyone(), ignored).equals(
        satisfaction_summary(db, Scope.everyone(), PERIOD))


def test_by_customer_for_one_survey_type(db, fixture_db):
    frame = satisfaction_by(db, Scope.everyone(), PERIOD, "customer", "onsite")
    row = frame.iloc[0]
    sent = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE customer_id = ? AND "
               "survey_type = 'onsite' AND sent_at >= '2025-07-01' AND sent_at < "
               "'2026-01-01'", [row["grp"]])
    assert row["sent"] == sent
    with pytest.raises(ValueError):
        satisfaction_by(db, Scope.everyone(), PERIOD, "customer", "bogus")


def test_pareto_is_descending_and_cumulative(db, fixture_db):
    frame = problem_pareto(db, Scope.everyone(), PERIOD)
    assert list(frame["surveys"]) == sorted(frame["surveys"], reverse=True)
    assert frame["cumulative_share"].is_monotonic_increasing
    assert frame["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    top = frame.iloc[0]
    assert top["surveys"] == one(fixture_db, "SELECT count(*) FROM surveys WHERE "
                                 "problem_category = ? AND sent_at >= '2025-07-01' AND sent_at "
                                 "< '2026-01-01'",
                                 [top["problem_category"]])


def test_low_scores_without_action(db, fixture_db):
    everything = Filters("2024-11", "2026-10")
    frame = survey_list(db, Scope.everyone(), everything, SurveyDrill(kind="low_without_action"))
    expected = sql(fixture_db, "SELECT survey_id FROM survey_facts WHERE low_score AND NOT "
                   "has_action")
    assert set(frame["survey_id"]) == set(expected["survey_id"])
    assert (frame["score"] <= 2).all() and not frame["has_action"].any()
    assert {"comment", "problem_category", "engineer_name", "customer_name"} <= set(frame)


def test_drill_by_month_and_type(db, fixture_db):
    frame = survey_list(db, Scope.everyone(), PERIOD,
                        SurveyDrill(month="2025-09", survey_type="case", kind="unsatisfied"))
    expected = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE survey_type = 'case' AND "
                   "strftime(sent_at, '%Y-%m') = '2025-09' AND answered AND NOT satisfied")
    assert len(frame) == expected == frame["matching"].iloc[0]
    with pytest.raises(ValueError):
        survey_list(db, Scope.everyone(), PERIOD, SurveyDrill(kind="bogus"))


def test_customer_scope_sees_only_its_surveys(db, fixture_db):
    everyone = satisfaction_by(db, Scope.everyone(), PERIOD, "customer")
    mine = everyone["grp"].iloc[0]
    scope = Scope.customer(mine)
    assert list(satisfaction_by(db, scope, PERIOD, "customer")["grp"]) == [mine]
    assert set(survey_list(db, scope, PERIOD)["customer_id"]) == {mine}
    assert satisfaction_by(db, scope, PERIOD, "engineer")["sent"].sum() == one(
        fixture_db, "SELECT count(*) FROM survey_facts WHERE customer_id = ? AND sent_at >= "
                    "'2025-07-01' AND sent_at < '2026-01-01'",
        [mine])
    sent = satisfaction_summary(db, scope, PERIOD).set_index("survey_type").loc["all", "sent"]
    assert sent == everyone.set_index("grp").loc[mine, "sent"]
    trend = trend_query(db, scope, PERIOD.trend())
    assert trend["sent"].sum() == one(
        fixture_db, "SELECT count(*) FROM survey_facts WHERE customer_id = ? AND "
        "sent_at >= '2025-01-01' AND sent_at < '2026-01-01'", [mine])
    assert problem_pareto(db, Scope.customer("NO-SUCH"), PERIOD).empty


# --- charts ---------------------------------------------------------------------------------

def test_trend_chart_marks_alerts_in_red(db):
    trend = trend_query(db, Scope.everyone(), Filters("2024-11", "2026-10"))
    fig = satisfaction_trend(trend, "zh")
    alert = [tr for tr in fig.data if tr.name == "预警月份"][0]
    assert alert.marker.color == STATUS_COLORS["breached"]
    assert len(alert.x) == int(trend["alert"].sum())
    lines = [tr for tr in fig.data if tr.name == "案例调查"]
    assert len(lines) == 3 and lines[0].line.color == TYPE_COLORS["case"]
    assert all(fig.layout[f"xaxis{i}"].type == "category" for i in ("", "2", "3"))
    assert fig.layout.yaxis.tickformat == ".0%"


def test_rate_bars_and_pareto(db):
    frame = satisfaction_by(db, Scope.everyone(), PERIOD, "engineer")
    fig = rate_bars(frame, "en")
    assert fig.layout.yaxis.type == "category" and fig.layout.yaxis.autorange == "reversed"
    assert list(fig.data[0].y) == list(frame["grp"])
    fig = pareto(problem_pareto(db, Scope.everyone(), PERIOD), "en")
    assert [tr.type for tr in fig.data] == ["bar", "scatter"]
    assert fig.data[1].yaxis == "y2" and fig.layout.yaxis2.tickformat == ".0%"
    assert fig.layout.xaxis.type == "category"


def test_data_text_is_escaped_in_chart_labels():
    frame = pd.DataFrame({"problem_category": ["<a href='x'>click</a>"], "surveys": [3],
                          "low": [1], "share": [1.0], "cumulative_share": [1.0]})
    fig = escape_figure(pareto(frame, "zh"))   # as the app's figure() draws it
    assert fig.data[0].x[0] == "&lt;a href='x'&gt;click&lt;/a&gt;"
    assert chart_text("a & <b>") == "a &amp; &lt;b&gt;"


# --- the page -------------------------------------------------------------------------------

@pytest.fixture
def app(fixture_db, monkeypatch):
    """The satisfaction page alone on the fixture database, period 2025-07..2025-12."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "satisfaction.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    return at


def metric(at, label):
    """The value shown by the metric whose label contains `label`."""
    return next(m.value for m in at.metric if label in m.label)


def test_page_numbers_equal_the_database(app, fixture_db):
    app.run()
    assert not app.exception
    facts = sql(fixture_db, "SELECT count(*) FILTER (WHERE satisfied) / count(score) AS csat, "
                "count(score) / count(*) AS rate FROM survey_facts WHERE survey_type = 'case' "
                "AND sent_at >= '2025-07-01' AND sent_at < '2026-01-01'").iloc[0]
    assert metric(app, "案例调查 · 满意率") == f"{facts['csat']:.1%}"
    assert metric(app, "案例调查 · 回复率") == f"{facts['rate']:.1%}"
    low = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE low_score AND sent_at >= "
                          "'2025-07-01' AND sent_at < '2026-01-01'")
    assert metric(app, "低分（≤2）") == str(low)
    assert any("不适用于满意度调查" in c.value for c in app.caption)


def test_kind_selector_lists_the_surveys_behind(app, fixture_db):
    app.run()
    app.segmented_control(key="sat_kind").set_value("low").run()
    low = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE low_score AND sent_at >= "
                          "'2025-07-01' AND sent_at < '2026-01-01'")
    assert any(f"共 {low} 份调查" in c.value for c in app.caption)
    app.segmented_control(key="sat_type").set_value("onsite").run()
    low = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE low_score AND "
              "survey_type = 'onsite' AND sent_at >= '2025-07-01' AND sent_at < '2026-01-01'")
    assert not app.exception
    assert any(f"共 {low} 份调查" in c.value for c in app.caption)


def test_comments_only_in_tables(app, fixture_db):
    app.run()
    comments = set(sql(fixture_db, "SELECT comment FROM surveys WHERE comment IS NOT NULL")
                   ["comment"])
    shown = " ".join(m.value for m in (*app.markdown, *app.caption))
    assert not any(c in shown for c in comments if len(c) > 3)


def test_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Satisfaction"
    assert any("surveys; showing" in c.value for c in app.caption)
