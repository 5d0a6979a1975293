"""The SLA page: numbers on screen equal the database's, drill-down and timeline, language."""

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.sla import GROUPS, arrival_distribution, sla_by
from service_quality.queries.tickets import Drill, ticket_list, ticket_timeline

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")


def count(fixture_db, sql, params=()):
    """One number from an independent SQL query."""
    con = duckdb.connect(str(fixture_db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()[0][0]
    finally:
        con.close()


def test_sla_by_month_matches_ticket_sla(db, fixture_db):
    frame = sla_by(db, Scope.everyone(), PERIOD, "arrival", "month").set_index("grp")
    breached = count(fixture_db, "SELECT count(*) FROM ticket_sla WHERE arrival_status = "
                     "'breached' AND strftime(reported_at, '%Y-%m') = '2025-09'")
    assert frame.loc["2025-09", "breached"] == breached
    assert list(frame.index) == PERIOD.months


def test_customer_scope_sees_only_its_rows(db):
    everyone = sla_by(db, Scope.everyone(), PERIOD, "confirm", "customer")
    one = everyone["grp"].iloc[0]
    mine = sla_by(db, Scope.customer(one), PERIOD, "confirm", "customer")
    assert list(mine["grp"]) == [one]
    tickets = ticket_list(db, Scope.customer(one), PERIOD, Drill())
    assert set(tickets["customer_id"]) == {one}
    other = everyone["grp"].iloc[1]
    theirs = ticket_list(db, Scope.everyone(), PERIOD, Drill(customer=other))["ticket_id"].iloc[0]
    assert ticket_timeline(db, Scope.customer(one), None, theirs).empty


def test_drill_lists_the_tickets_behind_a_bar(db, fixture_db):
    frame = sla_by(db, Scope.everyone(), PERIOD, "arrival", "month").set_index("grp")
    drilled = ticket_list(db, Scope.everyone(), PERIOD,
                          Drill(metric="arrival", status="breached", month="2025-10"))
    assert len(drilled) == frame.loc["2025-10", "breached"]
    assert set(drilled["arrival_status"]) == {"breached"}


def test_timeline_has_every_step_with_deadlines(db, fixture_db):
    ticket = count(fixture_db, "SELECT ticket_id FROM tickets WHERE service_mode = 'onsite' AND "
                   "arrived_at IS NOT NULL AND resolved_at IS NOT NULL AND confirmed_at IS NOT "
                   "NULL ORDER BY ticket_id LIMIT 1")
    steps = ticket_timeline(db, Scope.everyone(), None, ticket).set_index("step")
    assert {"reported", "responded", "confirmed", "arrived", "resolved"} <= set(steps.index)
    assert steps.loc["confirmed", "deadline"] is not None
    assert steps.loc["arrived", "status"] in ("met", "breached")


def test_arrival_distribution_is_binned(db):
    dist = arrival_distribution(db, Scope.everyone(), PERIOD)
    assert set(dist["period"]) <= {"working", "non_working"}
    assert (dist["bin_start"] % 10 == 0).all() and dist["bin_start"].max() <= 300


@pytest.fixture
def app(fixture_db, monkeypatch):
    """The SLA page alone on the fixture database, period 2025-07..2025-12."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "sla.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    return at


def test_breach_list_and_timeline_lookup(app, fixture_db):
    app.run()
    breached = count(fixture_db, "SELECT count(*) FROM ticket_sla WHERE arrival_status = "
                     "'breached' AND reported_at >= '2025-07-01' AND reported_at < '2026-01-01'")
    assert any(f"共 {breached} 张工单" in c.value for c in app.caption)
    app.segmented_control(key="sla_metric").set_value("confirm").run()
    breached = count(fixture_db, "SELECT count(*) FROM ticket_sla WHERE confirm_status = "
                     "'breached' AND reported_at >= '2025-07-01' AND reported_at < '2026-01-01'")
    assert any(f"共 {breached} 张工单" in c.value for c in app.caption)
    ticket = count(fixture_db, "SELECT min(ticket_id) FROM tickets")
    app.text_input(key="sla_tickets_lookup").input(ticket).run()
    assert not app.exception
    assert any(ticket in s.value for s in app.subheader)


def test_changing_a_filter_changes_the_url_and_the_numbers(app):
    app.run()
    before = app.caption[-1].value if app.caption else ""
    app.selectbox(key="f_from").set_value("2025-12").run()
    assert app.query_params["from"] == ["2025-12"] or app.query_params["from"] == "2025-12"
    assert not app.exception
    assert [c.value for c in app.caption] != before


def test_only_the_open_dimension_tab_is_drawn(app):
    """One breakdown chart at a time (each plotly chart costs the browser ~0.1 s per run):
    the month bars, the open dimension's bars and the arrival histogram."""
    app.run()
    assert not app.exception
    dimensions = [g for g in GROUPS if g != "month"]
    assert [tab.label for tab in app.tabs] == [t(f"group_{g}", "zh") for g in dimensions]
    assert len(app.get("plotly_chart")) == 3
    app.session_state["sla_dimension"] = t(f"group_{dimensions[-1]}", "zh")
    app.run()
    assert not app.exception
    assert [c.key for c in app.get("plotly_chart")] == [
        "sla_month_chart", f"sla_{dimensions[-1]}_chart", "sla_arrival_hist"]


def test_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "SLA"
    assert any("tickets; showing" in c.value for c in app.caption)
