"""The overview page: KPI cards against independent SQL; the supervision worklist on known data."""

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from etl.load import load
from service_quality.charts.overview import kpi_trend
from service_quality.database import Database
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries import overview as overview_queries
from service_quality.queries import worklist as worklist_queries
from service_quality.queries.overview import CARDS, kpi_cards, monthly, overdue_actions
from service_quality.queries.tickets import ticket_timeline
from service_quality.queries.worklist import KINDS, Thresholds, worklist
from service_quality.settings import load_settings
from tests.support.drawing import recording
from tests.support.worklist_cases import AS_OF, EVENTS, TICKETS

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")


def one(db_path, sql, params=()):
    """One value from an independent SQL query."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()[0][0]
    finally:
        con.close()


# --- KPI cards on the fixture database ---------------------------------------------------------

def test_cards_match_independent_counts(db, fixture_db):
    cards = kpi_cards(db, Scope.everyone(), PERIOD).set_index("kpi")
    bounds = ["2025-07-01", "2026-01-01"]
    assert cards.loc["tickets", "value"] == one(
        fixture_db, "SELECT count(*) FROM ticket_sla WHERE reported_at >= ? AND reported_at < ?",
        bounds)
    met, judged = one(fixture_db, """
        SELECT [count(*) FILTER (WHERE confirm_status = 'met'),
                count(*) FILTER (WHERE confirm_status IN ('met', 'breached', 'no_record'))]
        FROM ticket_sla WHERE reported_at >= ? AND reported_at < ?""", bounds)
    assert cards.loc["confirm", "value"] == pytest.approx(met / judged)
    assert cards.loc["confirm", "denominator"] == judged
    satisfied, answered, sent = one(fixture_db, """
        SELECT [count(*) FILTER (WHERE satisfied), count(*) FILTER (WHERE answered), count(*)]
        FROM survey_facts WHERE sent_at >= ? AND sent_at < ?""", bounds)
    assert cards.loc["csat", "value"] == pytest.approx(satisfied / answered)
    assert cards.loc["survey_response", "value"] == pytest.approx(answered / sent)
    assert cards.loc["overdue_actions", "value"] == one(
        fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")
    assert cards.loc["overdue_actions", "better"] == "lower"


def test_cards_compare_with_the_previous_period(db, fixture_db):
    cards = kpi_cards(db, Scope.everyone(), PERIOD).set_index("kpi")
    previous = one(fixture_db, "SELECT count(*) FROM ticket_sla "
                   "WHERE reported_at >= '2025-01-01' AND reported_at < '2025-07-01'")
    assert cards.loc["tickets", "previous"] == previous
    rates = cards[cards["unit"] == "rate"]
    assert ((rates["delta"] - (rates["value"] - rates["previous"])).abs() < 1e-12).all()


def test_handling_without_target_shows_median_hours(db, fixture_db):
    cards = kpi_cards(db, Scope.everyone(), PERIOD).set_index("kpi")
    assert cards.loc["handling", "unit"] == "hours"
    median = one(fixture_db, "SELECT median(s.handling_minutes) / 60 FROM ticket_sla s JOIN "
                 "tickets k USING (ticket_id) WHERE k.category = 'fault' AND s.reported_at >= "
                 "'2025-07-01' AND s.reported_at < '2026-01-01'")
    assert cards.loc["handling", "value"] == pytest.approx(median)
    assert cards.loc["handling", "trend"] == "handling_hours"


def test_cards_are_in_order_and_upgrade_hides_without_judged_rows(db):
    cards = kpi_cards(db, Scope.everyone(), PERIOD)
    assert list(cards["kpi"]) == list(CARDS)
    nothing = Filters("2025-07", "2025-07", customers=("NO-SUCH",))
    empty = kpi_cards(db, Scope.everyone(), nothing)
    assert "upgrade" not in set(empty["kpi"])
    assert empty.set_index("kpi").loc["tickets", "value"] == 0


def test_overdue_before_is_rebuilt_from_dates(db, fixture_db):
    counts = overdue_actions(db, Scope.everyone(), PERIOD)
    # Overdue then: created and due before that day, not cancelled, not done by then (only done
    # or verified actions are done: from their completion date, or always when undated).
    expected = one(fixture_db, """
        SELECT count(*) FROM actions x JOIN action_status a USING (action_id)
        WHERE x.created_at < TIMESTAMP '2025-07-01' AND x.due_date < DATE '2025-07-01'
          AND a.status <> 'cancelled'
          AND (a.status NOT IN ('done', 'verified')
               OR coalesce(x.completed_at, x.verified_at) >= TIMESTAMP '2025-07-01')""")
    assert counts["before"] == expected
    assert counts["before_at"] == pd.Timestamp("2025-07-01")


def test_monthly_has_every_month_and_matches_the_cards(db):
    trend = monthly(db, Scope.everyone(), PERIOD)
    assert list(trend["month"]) == PERIOD.months
    one_month = Filters("2025-09", "2025-09")
    card = kpi_cards(db, Scope.everyone(), one_month).set_index("kpi")
    row = trend.set_index("month").loc["2025-09"]
    for kpi in ("arrival", "confirm", "complaint_first_reply", "csat", "survey_response"):
        assert row[kpi] == pytest.approx(card.loc[kpi, "value"], nan_ok=True), kpi
    assert row["tickets"] == card.loc["tickets", "value"]


# One definition of an overdue action behind the card, its trend, the lists and the worklist
# (issue 11, 5). Judged at 2025-10-20 12:00; the comment says whether each is overdue now and at
# the end of September.
OVERDUE_ACTIONS = ("action_id,created_at,due_date,customer_id,status,completed_at,verified_at\n"
                   """\
D_DATED,2025-09-01 09:00,2025-09-30,C1,in_progress,2025-10-05 09:00,
D_DONE_LATE,2025-09-01 09:00,2025-09-15,C1,done,2025-10-05 09:00,
D_VERIFIED,2025-09-01 09:00,2025-09-15,C1,verified,,2025-09-20 09:00
D_UNDATED,2025-09-01 09:00,2025-09-15,C1,done,,
D_OPEN,2025-09-01 09:00,2025-09-20,C1,open,,
D_LATER,2025-10-10 09:00,2025-10-15,C1,open,,
D_CANCELLED,2025-09-01 09:00,2025-09-15,C1,cancelled,,
D_TODAY,2025-09-01 09:00,2025-10-20,C1,open,,
""")
OVERDUE_NOW = {"D_DATED", "D_OPEN", "D_LATER"}          # in progress though dated; open; open
OVERDUE_SEPTEMBER = {"D_DATED", "D_DONE_LATE", "D_OPEN"}  # done only on 10-05


@pytest.fixture(scope="module")
def actions_db(tmp_path_factory):
    """A database of the actions above only, judged at AS_OF."""
    folder = tmp_path_factory.mktemp("overdue_in")
    (folder / "actions.csv").write_text(OVERDUE_ACTIONS, encoding="utf-8")
    (folder / "customers.csv").write_text("customer_id,name\nC1,甲客户\n", encoding="utf-8")
    path = folder.parent / "overdue.duckdb"
    load([folder], path, load_settings(), as_of=AS_OF)
    d = Database(path)
    yield d
    d.close()


def test_one_definition_of_overdue_behind_card_trend_lists_and_worklist(actions_db):
    from service_quality.queries.actions import ActionDrill, action_list

    everyone = Scope.everyone()
    october = Filters("2025-10", "2025-10")
    card = kpi_cards(actions_db, everyone, october).set_index("kpi").loc["overdue_actions"]
    assert card["value"] == len(OVERDUE_NOW)
    assert card["previous"] == len(OVERDUE_SEPTEMBER)   # at 2025-10-01 00:00
    trend = monthly(actions_db, everyone, Filters("2025-09", "2025-11")).set_index("month")
    # the month of as_of is "now"; September ends when the previous period does; November is
    # after as_of (no value)
    assert trend.loc["2025-10", "overdue_actions"] == card["value"]
    assert trend.loc["2025-09", "overdue_actions"] == card["previous"]
    assert pd.isna(trend.loc["2025-11", "overdue_actions"])
    listed = action_list(actions_db, everyone, october, ActionDrill(overdue=True),
                         whole_history=True)
    assert set(listed["action_id"]) == OVERDUE_NOW
    assert set(worklist(actions_db, everyone, october).actions["action_id"]) == OVERDUE_NOW
    status = actions_db.query("SELECT action_id FROM action_status WHERE is_overdue")
    assert set(status["action_id"]) == OVERDUE_NOW


def test_customer_scope_sees_only_its_numbers(db, fixture_db):
    customer = one(fixture_db, "SELECT min(customer_id) FROM tickets")
    mine = kpi_cards(db, Scope.customer(customer), PERIOD).set_index("kpi")
    assert mine.loc["tickets", "value"] == one(
        fixture_db, "SELECT count(*) FROM ticket_sla WHERE customer_id = ? AND reported_at >= "
        "'2025-07-01' AND reported_at < '2026-01-01'", [customer])
    assert mine.loc["overdue_actions", "value"] == one(
        fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue AND customer_id = ?",
        [customer])
    items = worklist(db, Scope.customer(customer), PERIOD)
    name = one(fixture_db, "SELECT name FROM customers WHERE customer_id = ?", [customer])
    for kind in KINDS:
        assert set(getattr(items, kind)["customer_name"]) <= {name}, kind


def test_card_trend_keeps_the_months_in_order_and_gaps():
    trend = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"],
                          "csat": [0.9, None, 0.8], "overdue_actions": [3, 4, 2]})
    values = kpi_trend(trend, "csat")
    assert values[0] == 0.9 and values[2] == 0.8 and pd.isna(values[1])
    assert kpi_trend(trend, "overdue_actions") == [3.0, 4.0, 2.0]


# --- The worklist on a tiny, hand-written database ---------------------------------------------
# Judged at Monday 2025-10-20 12:00 (a working day; working hours 08:30–17:30). Each kind has
# cases inside its threshold and one just outside (tests/support/worklist_cases.py, the fixture
# tiny_db); the comment says why each is in or out.
# Every list and its ids, most urgent first; (id, clock) where one row is one clock.
EXPECTED = {
    # arrival: A_LATE 30 min late, A_NEAR 25 left (≤ 30), A_OUT 35 left (out), A_DONE closed.
    # confirm: C_LATE past Friday 17:30; C_SHARE 330 left of a 1,350-min clock (≤ 25 % = 337.5);
    # C_OUT 330 left of 1,290 (25 % = 322.5, out).
    "clocks": [("C_LATE", "confirm"), ("A_LATE", "arrival"), ("A_NEAR", "arrival"),
               ("C_SHARE", "confirm")],
    # R_DUE due in 8 h; R_OUT in 25 h (out); R_LATE late without a report; R_SENT late but sent.
    "reports": ["R_DUE", "R_LATE"],
    # first reply: 20 min left in, 35 out, late in; resolution: 26 h left in, 48.5 h out, late in.
    "complaints": [("K_RES_LATE", "resolution"), ("K_REPLY_LATE", "first_reply"),
                   ("K_REPLY_NEAR", "first_reply"), ("K_RES_NEAR", "resolution")],
    # 19 days and 1 day overdue; due today is not overdue; done is not.
    "actions": ["G_OVER_LONG", "G_OVER"],
    # score 2 without action; 1 with an action, 3 and unanswered are out.
    "low_scores": ["S_LOW"],
    # 3 months from confirmation (not from the pause): confirmed 2025-06-15 with only a waiting
    # time recorded, due 09-15, in; confirmed 07-01, due 10-01 09:10, in whenever it paused;
    # confirmed 07-20 13:00, due an hour after as_of, out; resumed (recurred) and closed out.
    "reproduction": ["P_MINUTES", "P_NEW", "P_OLD"],
    # under-classified 10 days ago in; 30 days and an hour ago out; consistent out.
    "severity": ["V_IN"],
}
ID_COLUMN = {"complaints": "complaint_id", "actions": "action_id", "low_scores": "survey_id"}
C2_IDS = {"A_LATE", "C_LATE", "R_LATE", "P_OLD", "V_IN", "K_REPLY_LATE", "K_RES_LATE", "G_OVER",
          "S_LOW"}


def listed(items, kind):
    """The ids of one list in its order, with the clock where the list has one."""
    frame = getattr(items, kind)
    ids = list(frame[ID_COLUMN.get(kind, "ticket_id")])
    if "clock" in frame:
        return list(zip(ids, frame["clock"], strict=True))
    return ids


@pytest.mark.parametrize("kind", KINDS)
def test_worklist_lists_exactly_the_cases_inside_each_threshold(tiny_db, kind):
    items = worklist(tiny_db, Scope.everyone(), Filters("2025-10", "2025-10"))
    assert listed(items, kind) == EXPECTED[kind]
    assert items.count(kind) == len(EXPECTED[kind])


def test_worklist_ignores_the_period_but_not_the_scope(tiny_db):
    long_ago = worklist(tiny_db, Scope.everyone(), Filters("2020-01", "2020-01"))
    assert {k: listed(long_ago, k) for k in KINDS} == EXPECTED
    mine = worklist(tiny_db, Scope.customer("C2"), Filters("2025-10", "2025-10"))
    for kind in KINDS:
        expected = [x for x in EXPECTED[kind] if (x[0] if isinstance(x, tuple) else x) in C2_IDS]
        assert listed(mine, kind) == expected, kind
        assert set(getattr(mine, kind)["customer_name"]) <= {"乙客户"}


def test_worklist_applies_the_filters_that_describe_its_rows(tiny_db):
    remote = worklist(tiny_db, Scope.everyone(),
                      Filters("2025-10", "2025-10", service_modes=("remote",)))
    assert listed(remote, "clocks") == [("C_LATE", "confirm"), ("C_SHARE", "confirm")]
    # Service mode describes tickets only: complaints and actions stay.
    assert listed(remote, "complaints") == EXPECTED["complaints"]
    assert listed(remote, "actions") == EXPECTED["actions"]
    c1 = worklist(tiny_db, Scope.everyone(), Filters("2025-10", "2025-10", customers=("C1",)))
    assert listed(c1, "actions") == ["G_OVER_LONG"]
    assert listed(c1, "low_scores") == []


def test_worklist_thresholds_are_parameters(tiny_db):
    wider = Thresholds(near_minutes=40, report_within_hours=26, severity_days=31)
    items = worklist(tiny_db, Scope.everyone(), Filters("2025-10", "2025-10"), wider)
    assert ("A_OUT", "arrival") in listed(items, "clocks")
    assert listed(items, "reports") == ["R_DUE", "R_OUT", "R_LATE"]
    assert listed(items, "severity") == ["V_IN", "V_OLD"]


def test_worklist_minutes_left_and_links(tiny_db):
    items = worklist(tiny_db, Scope.everyone(), Filters("2025-10", "2025-10"))
    clocks = items.clocks.set_index(["ticket_id", "clock"])
    assert clocks.loc[("A_LATE", "arrival"), "minutes_left"] == -30
    assert clocks.loc[("A_NEAR", "arrival"), "minutes_left"] == 25
    assert clocks.loc[("C_SHARE", "confirm"), "limit_minutes"] == 1350
    assert items.reports.set_index("ticket_id").loc["R_DUE", "hours_left"] == 8
    actions = items.actions.set_index("action_id")
    assert actions.loc["G_OVER_LONG", "days_overdue"] == 19
    assert actions.loc["G_OVER_LONG", "ticket_id"] == "R_LATE"
    assert items.severity["flags"].iloc[0].tolist() == ["system_down"]
    assert items.params["as_of"] == pd.Timestamp(AS_OF)
    assert "reproduction_wait_months" not in items.params   # each ticket's own, in ticket_sla
    due = items.reproduction.set_index("ticket_id")
    assert due.loc["P_MINUTES", "recurrence_due_at"] == pd.Timestamp("2025-09-15 09:10")
    assert due.loc["P_MINUTES", "days_past"] == 35
    assert pd.isna(due.loc["P_MINUTES", "paused_at"])
    assert due.loc["P_OLD", "paused_at"] == pd.Timestamp("2025-07-20 11:00")


def test_every_listed_ticket_reaches_its_timeline(tiny_db):
    items = worklist(tiny_db, Scope.everyone(), Filters("2025-10", "2025-10"))
    for kind in ("clocks", "reports", "reproduction", "severity"):
        for ticket in getattr(items, kind)["ticket_id"]:
            assert not ticket_timeline(tiny_db, Scope.everyone(), None, ticket).empty
    assert ticket_timeline(tiny_db, Scope.customer("C1"), None, "A_LATE").empty


def test_a_ticket_due_to_close_shows_its_window_on_the_timeline(tiny_db):
    steps = ticket_timeline(tiny_db, Scope.everyone(), None, "P_MINUTES").set_index("step")
    assert steps.loc["recurrence_due", "deadline"] == pd.Timestamp("2025-09-15 09:10")
    assert "recurrence_due" not in set(ticket_timeline(tiny_db, Scope.everyone(), None,
                                                       "A_LATE")["step"])


def test_timeline_deadlines_are_exact_to_the_second(tmp_path):
    """A limit in fractional minutes is not rounded on the timeline: the deadline shown is the
    one ticket_sla judged against."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text("response_limit_minutes = 0.5\narrival_limit_working_minutes = 60.5\n",
                        encoding="utf-8")
    path = tmp_path / "s.duckdb"
    load([folder], path, load_settings(settings), as_of=AS_OF)
    d = Database(path)
    try:
        steps = ticket_timeline(d, Scope.everyone(), None, "A_LATE").set_index("step")
    finally:
        d.close()
    assert steps.loc["responded", "deadline"] == pd.Timestamp("2025-10-20 10:30:30")
    assert steps.loc["arrived", "deadline"] == pd.Timestamp("2025-10-20 11:30:30")


def test_settings_of_the_load_drive_the_limits(tmp_path):
    """A load with a one-month reproduction wait lists the tickets confirmed in July too."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (folder / "ticket_events.csv").write_text(EVENTS, encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text("reproduction_wait_months = 1\n", encoding="utf-8")
    path = tmp_path / "s.duckdb"
    load([folder], path, load_settings(settings), as_of=AS_OF)
    d = Database(path)
    try:
        items = worklist(d, Scope.everyone(), Filters("2025-10", "2025-10"))
        assert one(path, "SELECT reproduction_wait_months FROM customer_terms "
                         "WHERE customer_id IS NULL") == 1
    finally:
        d.close()
    assert listed(items, "reproduction") == ["P_MINUTES", "P_NEW", "P_OLD", "P_FRESH"]


# --- The page under AppTest ----------------------------------------------------------------------

@pytest.fixture
def app(fixture_db, monkeypatch):
    """The overview page alone on the fixture database, period 2025-07..2025-12."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    return at


def test_page_shows_the_cards_with_their_denominators(app, fixture_db):
    app.run()
    assert not app.exception
    metrics = {m.label: m for m in app.metric}
    assert len(metrics) == 12
    sent = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE sent_at >= '2025-07-01' "
               "AND sent_at < '2026-01-01'")
    assert f"已发送 {sent}" in metrics["调查回复率"].help
    overdue = one(fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")
    assert metrics["当前逾期措施"].value == str(overdue)
    handling = metrics["故障处理时长"].value
    # No handling target: the card is the median hours itself, not "— · 2.8 h" (issue 14).
    assert re.fullmatch(r"\d+\.\d h", handling), handling
    assert metrics["电话响应"].delta.endswith(" pp")
    assert "2025-07" in app.caption[0].value and "2025-01" in app.caption[0].value


def test_page_queries_every_number_before_drawing_anything(app, monkeypatch):
    """The cards, their trends and the worklist are queried before the page's first element:
    a cold page then reaches the browser in one burst, not element by element."""
    calls = []
    for module, name in ((overview_queries, "kpi_cards"), (overview_queries, "monthly"),
                         (worklist_queries, "worklist")):
        recording(monkeypatch, module, name, calls)
    st.cache_data.clear()
    app.run()
    assert not app.exception
    assert sorted((name, drawn) for name, _, drawn in calls) == [
        ("kpi_cards", 0), ("monthly", 0), ("worklist", 0)]
    assert len(app.metric) == 12 and app.tabs


def test_page_worklist_tabs_carry_the_counts(app, fixture_db):
    app.run()
    labels = [t.label for t in app.tabs]
    low = one(fixture_db, "SELECT count(*) FROM survey_facts WHERE low_score AND NOT has_action")
    overdue = one(fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")
    assert f"低分未整改 ({low})" in labels
    assert f"逾期措施 ({overdue})" in labels
    assert len([x for x in labels if x.endswith(")")]) == len(KINDS)


def test_page_draws_light_cards_and_only_the_open_worklist_tab(app):
    app.run()
    # Each card's trend is its own line (no chart component per card): the months of the trend.
    assert all(len(m.proto.chart_data) == 12 for m in app.metric)
    assert not app.get("plotly_chart")
    # One worklist list made and drawn at a time: the open tab's.
    listed = [tab.label for tab in app.tabs if not tab.label.endswith("(0)")]
    assert len(listed) >= 2
    for label in listed[:2]:
        app.session_state["overview_worklist_tabs"] = label
        app.run()
        assert not app.exception
        assert len(app.dataframe) == 1, label
        # The management workbook's button and the open list's.
        assert len(app.get("download_button")) == 2, label


def test_page_drill_lists_the_tickets_behind_a_card(app, fixture_db):
    app.run()
    assert not any("张工单" in c.value for c in app.caption)   # closed: nothing fetched
    app.session_state["overview_drill"] = True   # the user opens the expander
    app.run()
    app.selectbox(key="overview_drill_metric").set_value("confirm").run()
    breached = one(fixture_db, "SELECT count(*) FROM ticket_sla WHERE confirm_status = "
                   "'breached' AND reported_at >= '2025-07-01' AND reported_at < '2026-01-01'")
    assert any(f"共 {breached} 张工单" in c.value for c in app.caption)


def test_page_in_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert any(t.label.startswith("Overdue actions (") for t in app.tabs)
    assert "Survey response rate" in {m.label for m in app.metric}


def test_handling_with_a_target_is_a_rate(tmp_path):
    """With handling targets set, the handling card is a compliance rate like the others."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text("handling_target_minutes = { general = 150, severe = 150 }\n",
                        encoding="utf-8")
    path = tmp_path / "h.duckdb"
    load([folder], path, load_settings(settings), as_of=AS_OF)
    d = Database(path)
    try:
        cards = kpi_cards(d, Scope.everyone(), Filters("2025-10", "2025-10")).set_index("kpi")
    finally:
        d.close()
    judged = one(path, "SELECT count(*) FROM ticket_sla WHERE handling_status IN ('met', "
                 "'breached', 'no_record') AND reported_at >= '2025-10-01'")
    assert judged > 0
    assert cards.loc["handling", "unit"] == "rate"
    assert cards.loc["handling", "denominator"] == judged
    assert cards.loc["handling", "trend"] == "handling"
