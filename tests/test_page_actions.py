"""The improvement-actions page: funnel, on-time rates, overdue and un-notified lists equal the
database's, scope, charts and the page itself."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts import STATUS_COLORS
from service_quality.charts.actions import (
    ACTION_STATUS_COLORS,
    completion_bars,
    status_funnel,
)
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.actions import (
    SOURCE_TYPES,
    STATUSES,
    ActionDrill,
    action_funnel,
    action_list,
    actions_by,
)
from tests.sqlcheck import frame as sql
from tests.sqlcheck import value as one

ROOT = Path(__file__).resolve().parent.parent
EVERYTHING = Filters("2024-11", "2026-10")
PERIOD = Filters("2025-07", "2025-12")



def test_funnel_counts_and_reached(db, fixture_db):
    funnel = action_funnel(db, Scope.everyone(), EVERYTHING).set_index("status")
    assert list(funnel.index) == list(STATUSES)
    counts = sql(fixture_db, "SELECT status, count(*) AS n FROM action_status GROUP BY status") \
        .set_index("status")["n"].reindex(list(STATUSES), fill_value=0)
    assert (funnel["actions"] == counts).all()
    assert funnel.loc["open", "reached"] == counts.drop("cancelled").sum()
    assert funnel.loc["done", "reached"] == counts["done"] + counts["verified"]
    assert funnel.loc["verified", "reached"] == counts["verified"]
    assert funnel.loc["in_progress", "overdue"] == one(
        fixture_db, "SELECT count(*) FROM action_status WHERE status = 'in_progress' AND "
        "is_overdue")


def test_on_time_rate_by_department(db, fixture_db):
    frame = actions_by(db, Scope.everyone(), EVERYTHING, "owner_dept")
    rates = frame["on_time_rate"].dropna()
    assert list(rates) == sorted(rates)
    expected = sql(fixture_db, "SELECT coalesce(x.owner_dept, '') AS grp, "
                   "count(*) FILTER (WHERE completion = 'on_time') AS on_time, "
                   "count(*) FILTER (WHERE completion = 'late') AS late FROM action_status AS a "
                   "JOIN actions AS x USING (action_id) GROUP BY ALL"
                   ).set_index("grp")
    got = frame.set_index("grp")
    for dept, row in expected.iterrows():
        assert got.loc[dept, "on_time"] == row["on_time"] and got.loc[dept, "late"] == row["late"]
        if row["on_time"] + row["late"]:
            assert got.loc[dept, "on_time_rate"] == pytest.approx(
                row["on_time"] / (row["on_time"] + row["late"]))


def test_every_source_type_is_listed(db, fixture_db):
    frame = actions_by(db, Scope.everyone(), PERIOD, "source_type")
    assert list(frame["grp"])[:4] == list(SOURCE_TYPES)
    survey = frame.set_index("grp").loc["survey", "actions"]
    assert survey == one(fixture_db, "SELECT count(*) FROM action_status AS a JOIN actions AS x "
                                     "USING (action_id) WHERE a.source_type = 'survey' "
                         "AND x.created_at >= '2025-07-01' AND x.created_at < '2026-01-01'")
    empty = actions_by(db, Scope.customer("NO-SUCH"), PERIOD, "source_type")
    assert list(empty["grp"]) == list(SOURCE_TYPES) and (empty["actions"] == 0).all()
    with pytest.raises(ValueError):
        actions_by(db, Scope.everyone(), PERIOD, "bogus")


def test_customer_notification(db, fixture_db):
    total = actions_by(db, Scope.everyone(), EVERYTHING, "all").iloc[0]
    row = sql(fixture_db, "SELECT count(*) AS finished, count(x.customer_notified_at) AS told "
              "FROM action_status AS a JOIN actions AS x USING (action_id) WHERE a.status IN "
              "('done', 'verified')").iloc[0]
    assert total["finished"] == row["finished"] and total["notified"] == row["told"]
    assert total["notified_rate"] == pytest.approx(row["told"] / row["finished"])
    untold = action_list(db, Scope.everyone(), EVERYTHING, ActionDrill(not_notified=True))
    assert len(untold) == row["finished"] - row["told"]
    assert untold["customer_notified_at"].isna().all()
    assert set(untold["status"]) <= {"done", "verified"}


def test_overdue_list_most_overdue_first(db, fixture_db):
    overdue = action_list(db, Scope.everyone(), PERIOD, ActionDrill(overdue=True),
                          whole_history=True)
    expected = sql(fixture_db, "SELECT action_id FROM action_status WHERE is_overdue")
    assert set(overdue["action_id"]) == set(expected["action_id"]) and len(overdue) > 0
    assert list(overdue["days_overdue"]) == sorted(overdue["days_overdue"], reverse=True)
    assert {"owner_dept", "owner", "due_date", "days_overdue"} <= set(overdue)
    in_period = action_list(db, Scope.everyone(), PERIOD, ActionDrill(overdue=True))
    assert len(in_period) == one(fixture_db, "SELECT count(*) FROM action_status AS a JOIN "
                                             "actions AS x USING (action_id) WHERE a.is_overdue "
                                             "AND "
                                 "x.created_at >= '2025-07-01' AND x.created_at < '2026-01-01'")


def test_drill_by_department_and_completion(db, fixture_db):
    dept = one(fixture_db, "SELECT min(owner_dept) FROM actions")
    listed = action_list(db, Scope.everyone(), EVERYTHING,
                         ActionDrill(owner_dept=dept, completion="on_time"))
    assert len(listed) == one(fixture_db, "SELECT count(*) FROM action_status AS a JOIN actions "
                                          "AS x USING (action_id) WHERE x.owner_dept = ? AND "
                              "a.completion = 'on_time'", [dept])
    assert listed["matching"].iloc[0] == len(listed)


def test_customer_scope_sees_only_its_actions(db, fixture_db):
    mine = one(fixture_db, "SELECT min(customer_id) FROM actions")
    scope = Scope.customer(mine)
    listed = action_list(db, scope, EVERYTHING)
    assert set(listed["customer_id"]) == {mine}
    assert len(listed) == one(fixture_db, "SELECT count(*) FROM actions WHERE customer_id = ?",
                              [mine])
    assert action_funnel(db, scope, EVERYTHING)["actions"].sum() == len(listed)
    overdue = action_list(db, scope, EVERYTHING, ActionDrill(overdue=True), whole_history=True)
    assert set(overdue["customer_id"]) <= {mine}
    # The customer filter narrows the same way, and hides actions without a customer.
    narrowed = action_list(db, Scope.everyone(), Filters(EVERYTHING.start, EVERYTHING.end,
                                                         customers=(mine,)))
    assert len(narrowed) == len(listed)


# --- charts ---------------------------------------------------------------------------------

def test_funnel_chart(db):
    fig = status_funnel(action_funnel(db, Scope.everyone(), EVERYTHING), "zh")
    trace = fig.data[0]
    assert trace.type == "funnel"
    assert list(trace.y) == ["待处理", "进行中", "已完成", "已验证"]
    assert list(trace.marker.color) == [ACTION_STATUS_COLORS[s] for s in
                                        ("open", "in_progress", "done", "verified")]
    assert list(trace.x) == sorted(trace.x, reverse=True)


def test_completion_bars_use_the_palette(db):
    frame = actions_by(db, Scope.everyone(), EVERYTHING, "owner_dept")
    fig = completion_bars(frame, "grp", "en")
    colors = {tr.name: tr.marker.color for tr in fig.data}
    assert colors == {"on time": STATUS_COLORS["met"], "late": STATUS_COLORS["breached"],
                      "not done": STATUS_COLORS["pending"]}
    assert fig.layout.barmode == "stack" and fig.layout.yaxis.type == "category"
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.yaxis.ticktext) == [str(g) for g in frame["grp"]]


# --- the page -------------------------------------------------------------------------------

@pytest.fixture
def app(fixture_db, monkeypatch):
    """The actions page alone on the fixture database, every month of the sample."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "actions.py"), default_timeout=60)
    at.query_params["from"] = EVERYTHING.start
    at.query_params["to"] = EVERYTHING.end
    return at


def metric(at, label):
    """The value shown by the metric whose label contains `label`."""
    return next(m.value for m in at.metric if label in m.label)


def test_page_numbers_equal_the_database(app, fixture_db):
    app.run()
    assert not app.exception
    assert metric(app, "本期新建措施") == str(one(fixture_db, "SELECT count(*) FROM actions"))
    row = sql(fixture_db, "SELECT count(*) FILTER (WHERE completion = 'on_time') AS on_time, "
              "count(*) FILTER (WHERE completion IN ('on_time', 'late')) AS done "
              "FROM action_status").iloc[0]
    assert metric(app, "按期完成率") == f"{row['on_time'] / row['done']:.1%}"
    assert metric(app, "已取消") == str(one(fixture_db, "SELECT count(*) FROM action_status "
                                             "WHERE status = 'cancelled'"))
    assert any("不适用于改进措施" in c.value for c in app.caption)


def test_status_selector_lists_the_actions(app, fixture_db):
    app.run()
    app.segmented_control(key="act_list_status").set_value("verified").run()
    verified = one(fixture_db, "SELECT count(*) FROM action_status WHERE status = 'verified'")
    assert any(f"共 {verified} 项措施" in c.value for c in app.caption)


def test_overdue_period_checkbox(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "actions.py"), default_timeout=60)
    newest = one(fixture_db, "SELECT strftime(max(created_at), '%Y-%m') FROM actions")
    at.query_params["from"] = newest
    at.query_params["to"] = newest
    at.run()
    assert not at.exception
    overdue_everywhere = one(fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")
    shown = at.dataframe[0].value  # the overdue list comes first
    assert len(shown) == overdue_everywhere
    at.checkbox(key="act_overdue_period").check().run()
    assert not at.exception
    in_month = one(fixture_db, "SELECT count(*) FROM action_status AS a JOIN actions AS x USING "
                               "(action_id) WHERE a.is_overdue AND "
                   "strftime(x.created_at, '%Y-%m') = ?", [newest])
    if in_month == 0:
        assert any("没有逾期的措施" in s.value for s in at.success)
    else:
        assert len(at.dataframe[0].value) == in_month


def test_overdue_still_listed_when_nothing_was_created(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "actions.py"), default_timeout=60)
    at.query_params["from"] = at.query_params["to"] = "2024-11"  # before the first action
    at.run()
    assert not at.exception
    assert at.info  # the friendly empty state for the period
    overdue = one(fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")
    assert len(at.dataframe[0].value) == overdue


def test_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Improvement actions"
    assert any("actions; showing" in c.value for c in app.caption)
