"""The load judges tickets in SQL (rules.ticket_facts_in_db); over the whole fixture it must agree
with the test oracle (tests/ticket_sla_oracle.py), a plain pandas reading of the same rules."""

import shutil
from dataclasses import replace
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from etl.load import derive
from service_quality.calendar import build_calendar
from service_quality.schema import conform
from service_quality.settings import Settings, load_settings
from tests import ticket_sla_oracle as oracle
from tests.ticket_sla_oracle import assert_same_judgements

VARIANTS = {
    "defaults": {},
    "targets, severe reports only, exclusive threshold": {
        "handling_target_minutes": {"severe": 240.0, "general": 1440.0},
        "report_required_for": "severe", "threshold_inclusive": False,
        "error_ratio_threshold": 0.05,
    },
    "two windows, short limits": {
        "working_hours": ((8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)),
        "response_limit_minutes": 5, "arrival_limit_working_minutes": 30,
        "arrival_limit_non_working_minutes": 45, "report_due_hours": 24.5,
        "reproduction_wait_months": 1,
    },
}
# Two customers on their own terms beside the others on the defaults, in one load: each ticket
# must come out as the oracle judges it with its own customer's terms.
VARIANTS["per customer"] = {"customers": {
    "C003": VARIANTS["two windows, short limits"],
    "C005": VARIANTS["targets, severe reports only, exclusive threshold"],
}}


def _oracle_ticket_sla(con, settings: Settings, as_of: datetime) -> pd.DataFrame:
    """The oracle's ticket_sla on the database's tables."""
    def table(name):
        return conform(con.execute(f"SELECT * FROM {name}").df(), name)  # noqa: S608

    tickets = table("tickets")
    stamp = pd.Timestamp(as_of)
    days = con.execute("SELECT min(date), max(date) FROM calendar_days").fetchall()[0]
    terms_ids = dict(con.execute("SELECT customer_id, terms_id FROM customer_terms "
                                 "WHERE customer_id IS NOT NULL").fetchall())
    events, reports, calendar = table("ticket_events"), table("fault_reports"), table("calendar")
    parts = []
    for customer, group in tickets.groupby("customer_id"):
        terms = settings.for_customer(customer)
        cal = build_calendar(days[0], days[1], terms.working_hours, calendar)
        parts.append(oracle.ticket_sla(group, events, reports, cal, terms, stamp,
                                       terms_ids[customer]))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("variant", VARIANTS)
def test_sql_judgements_equal_the_oracle(fixture_db, tmp_path, variant):
    path = tmp_path / "db.duckdb"
    shutil.copyfile(fixture_db, path)
    settings = replace(load_settings(), **VARIANTS[variant])
    with duckdb.connect(str(path)) as con:
        as_of = datetime.fromisoformat(
            con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0])
        # Edge cases the sample may lack: a pause and a resume at the same moment, an open pause,
        # a phone report without a response time, a ticket after the last calendar day's end, a
        # pause before confirmation, a declared wait longer than the clock.
        con.execute("""INSERT INTO ticket_events SELECT ticket_id, reported_at + INTERVAL 1 HOUR,
                       'pause', NULL FROM tickets WHERE ticket_id IN
                       (SELECT ticket_id FROM tickets ORDER BY ticket_id LIMIT 30)""")
        con.execute("""INSERT INTO ticket_events SELECT ticket_id, reported_at + INTERVAL 1 HOUR,
                       'resume', NULL FROM tickets WHERE ticket_id IN
                       (SELECT ticket_id FROM tickets ORDER BY ticket_id LIMIT 10)""")
        con.execute("""INSERT INTO ticket_events SELECT ticket_id, reported_at + INTERVAL 1 MINUTE,
                       'pause', NULL FROM tickets WHERE confirmed_at > reported_at + INTERVAL 1 HOUR
                       AND ticket_id NOT IN (SELECT ticket_id FROM ticket_events) LIMIT 20""")
        con.execute("""UPDATE tickets SET wait_minutes = 100000 WHERE ticket_id IN (SELECT ticket_id
                       FROM tickets WHERE ticket_id NOT IN (SELECT ticket_id FROM ticket_events)
                       ORDER BY ticket_id DESC LIMIT 20)""")
        derive(con, settings, as_of)
        got = con.execute("SELECT * FROM ticket_sla").df()
        want = _oracle_ticket_sla(con, settings, as_of)
    assert len(got) == len(want) > 700
    assert_same_judgements(got, want)
    if settings.customers:
        # The customers on their own terms were judged by them: their limits are stored.
        limits = got.groupby("customer_id")["response_limit_minutes"].first()
        assert (limits["C003"], limits["C005"], limits["C001"]) == (5, 15, 15)
    # every status the sample can show is reached somewhere, so the comparison judged something
    assert {"met", "breached"} <= set(got["arrival_status"])


def test_handling_minutes_are_never_negative_on_the_sample(fixture_db):
    """The sample resolves some tickets before their confirmation and waits up to 91 days: no
    handling time below zero, and none longer than its clock."""
    con = duckdb.connect(str(fixture_db), read_only=True)
    try:
        negative, longer = con.execute("""
            SELECT count(*) FILTER (WHERE s.handling_minutes < 0),
                   count(*) FILTER (WHERE s.handling_minutes > greatest(date_diff(
                       'second', coalesce(k.confirmed_at, k.reported_at), k.resolved_at) / 60, 0))
            FROM ticket_sla AS s JOIN tickets AS k USING (ticket_id)""").fetchall()[0]
        waited = con.execute("SELECT count(recurrence_due_at) FROM ticket_sla").fetchall()[0][0]
    finally:
        con.close()
    assert (negative, longer) == (0, 0) and waited > 0
