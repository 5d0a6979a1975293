"""The worked examples of DESIGN §2 and their boundaries, as tables."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from service_quality import rules
from service_quality.calendar import build_calendar, parse_windows
from service_quality.database import ENTITY_SQL, REPLACE_DERIVED, create_tables
from service_quality.schema import conform
from service_quality.settings import Settings
from tests import ticket_sla_oracle as oracle
from tests.ticket_sla_oracle import assert_same_judgements

WINDOWS = parse_windows(["08:30-17:30"])
CAL = build_calendar(date(2024, 1, 1), date(2026, 12, 31), WINDOWS)
S = Settings()
AS_OF = pd.Timestamp("2025-10-20 12:00")


def ts(text):
    """A timestamp, or NaT for None."""
    return pd.Timestamp(text) if text else pd.NaT


def tickets(*rows):
    """Tickets in contract dtypes, with defaults for what a row leaves out."""
    base = {"customer_id": "C001", "category": "fault", "channel": "email"}
    frame = pd.DataFrame([{**base, "ticket_id": f"T{i}", **r} for i, r in enumerate(rows)])
    return conform(frame, "tickets")


def sla(*rows, events=None, reports=None, settings=S, as_of=AS_OF, cal=CAL):
    """ticket_sla of the given ticket rows as the load judges them (in SQL)."""
    ev = conform(pd.DataFrame(events or [], columns=["ticket_id", "at", "event"]), "ticket_events")
    rp = pd.DataFrame(reports or [], columns=["ticket_id", "submitted_at"])
    rp = conform(rp, "fault_reports")
    got = sql_sla(tickets(*rows), ev, rp, cal, settings, as_of)
    # The oracle reads the same rules in pandas: every worked example must come out the same.
    assert_same_judgements(got, oracle.ticket_sla(tickets(*rows), ev, rp, cal, settings, as_of))
    return got.sort_values("ticket_id", key=lambda k: k.str[1:].astype(int), ignore_index=True)


def sql_sla(t, ev, rp, cal, settings, as_of) -> pd.DataFrame:
    """ticket_sla as the load computes it (rules.ticket_facts_in_db) on an in-memory database."""
    con = duckdb.connect()
    create_tables(con)
    for name, frame in (("tickets", t), ("ticket_events", ev), ("fault_reports", rp)):
        con.register("staged", frame)
        con.execute(ENTITY_SQL[name]["insert_staged"])
        con.unregister("staged")
    con.register("derived", cal.days.assign(date=cal.days["date"].dt.date))
    for statement in REPLACE_DERIVED["calendar_days"]:
        con.execute(statement)
    con.unregister("derived")
    rules.customer_terms_in_db(con, settings)
    rules.ticket_facts_in_db(con, as_of)
    return con.execute("SELECT * FROM ticket_sla").df()


# ---- the working calendar ---------------------------------------------------------------------
@pytest.mark.parametrize("moment, working", [
    ("2025-09-28 10:00", True),    # Sunday, make-up working day (调休上班)
    ("2025-02-08 09:00", True),    # Saturday, make-up working day after Spring Festival
    ("2025-10-01 10:00", False),   # National Day
    ("2025-10-09 08:30", True),    # window start is inside; the day after the 8-day holiday
    ("2025-10-09 08:29", False),
    ("2025-10-09 17:29", True),
    ("2025-10-09 17:30", False),   # window end is outside
    ("2025-10-11 10:00", True),    # Saturday, make-up day after National Day
    ("2025-10-18 10:00", False),   # an ordinary Saturday
    ("2025-10-13 00:00", False),   # Monday midnight
])
def test_in_working_time(moment, working):
    assert CAL.in_working_time(pd.Series([ts(moment)]))[0] == working


@pytest.mark.parametrize("reported, deadline", [
    ("2025-09-26 18:00", "2025-09-28 17:30"),  # Fri evening → make-up Sunday
    ("2025-09-30 18:00", "2025-10-09 17:30"),  # Oct 1–8 are holidays
    ("2025-10-09 07:00", "2025-10-09 17:30"),  # before hours on a working day: that day
    ("2025-10-09 17:29", "2025-10-09 17:30"),
    ("2025-10-09 17:29:59", "2025-10-09 17:30"),  # to the second: still before the end
    ("2025-10-09 17:30", "2025-10-10 17:30"),  # at the end: next working day
    ("2025-10-18 09:00", "2025-10-20 17:30"),  # Saturday → Monday
    ("2025-02-07 20:00", "2025-02-08 17:30"),  # Friday night → make-up Saturday
])
def test_confirm_deadline(reported, deadline):
    assert CAL.confirm_deadline(pd.Series([ts(reported)]))[0] == ts(deadline)


def test_lunch_break_windows():
    cal = build_calendar(date(2025, 10, 1), date(2025, 10, 31), parse_windows(
        ["08:30-12:00", "14:00-17:30"]))
    moments = pd.Series([ts("2025-10-09 12:00"), ts("2025-10-09 13:59"), ts("2025-10-09 14:00")])
    assert cal.in_working_time(moments).tolist() == [False, False, True]
    # Reported during the lunch break: still the same working day.
    assert cal.confirm_deadline(moments)[0] == ts("2025-10-09 17:30")
    # From 11:00 to 15:00: one hour before lunch, one after.
    mins = cal.working_minutes_between(pd.Series([ts("2025-10-09 11:00")]),
                                       pd.Series([ts("2025-10-09 15:00")]))
    assert mins[0] == 120


@pytest.mark.parametrize("start, end, minutes", [
    ("2025-10-09 08:30", "2025-10-09 17:30", 540),
    ("2025-09-30 17:00", "2025-10-09 09:00", 60),   # across the National Day holiday
    ("2025-09-27 10:00", "2025-09-28 10:00", 90),   # Saturday off, make-up Sunday on
    ("2025-10-17 20:00", "2025-10-20 08:00", 0),    # a weekend outside hours
    ("2025-10-10 20:00", "2025-10-13 08:00", 540),  # make-up Saturday 2025-10-11
])
def test_working_minutes_between(start, end, minutes):
    got = CAL.working_minutes_between(pd.Series([ts(start)]), pd.Series([ts(end)]))
    assert got[0] == minutes


def test_calendar_file_overrides_and_fallback():
    overrides = pd.DataFrame({"date": pd.to_datetime(["2027-01-01", "2027-02-06"]),
                              "kind": ["holiday", "workday"], "note": ["元旦", "春节调休"]})
    without = build_calendar(date(2026, 12, 28), date(2027, 2, 10), WINDOWS)
    with_file = build_calendar(date(2026, 12, 28), date(2027, 2, 10), WINDOWS, overrides)
    new_year = pd.Series([ts("2027-01-01 10:00"), ts("2027-02-06 10:00"), ts("2026-12-30 10:00")])
    # No source covers 2027: Monday–Friday, marked estimated.
    assert without.in_working_time(new_year).tolist() == [True, False, True]
    assert without.is_estimated(new_year).tolist() == [True, True, False]
    assert without.estimated_years == [2027]
    # The file covers 2027 day by day; the days it does not list are ordinary.
    assert with_file.in_working_time(new_year).tolist() == [False, True, True]
    assert with_file.is_estimated(new_year).tolist() == [False, False, False]
    assert with_file.estimated_years == []


def test_overrides_beat_the_official_calendar():
    overrides = pd.DataFrame({"date": pd.to_datetime(["2025-10-09"]), "kind": ["holiday"],
                              "note": ["公司调整"]})
    cal = build_calendar(date(2025, 9, 1), date(2025, 10, 31), WINDOWS, overrides)
    assert cal.confirm_deadline(pd.Series([ts("2025-09-30 18:00")]))[0] == ts("2025-10-10 17:30")


@pytest.mark.parametrize("day, note, name", [
    ("2025-10-13", None, "Holiday"),          # an ordinary Monday: a generic holiday (节假日)
    ("2025-10-13", "  ", "Holiday"),          # blank is no note
    ("2025-10-01", None, "National Day"),     # restated official holiday keeps its name
    ("2025-10-13", "公司调整", "公司调整"),     # the file's own note names it
    ("2027-01-01", None, "Holiday"),          # a year only the file covers
])
def test_a_calendar_file_holiday_is_a_holiday_whatever_its_note(day, note, name):
    overrides = pd.DataFrame({"date": pd.to_datetime([day]), "kind": ["holiday"], "note": [note]})
    cal = build_calendar(date(2025, 9, 1), date(2027, 1, 31), WINDOWS, overrides)
    row = cal.days.set_index("date").loc[day]
    assert not row["is_workday"] and row["holiday"] == name


# ---- ticket promises: the worked examples of §2.2 ---------------------------------------------
@pytest.mark.parametrize("reported, arrived, limit, minutes, status", [
    ("2025-09-28 10:00", "2025-09-28 11:30", 60, 90, "breached"),   # make-up working Sunday
    ("2025-10-01 10:00", "2025-10-01 11:30", 120, 90, "met"),       # National Day
    ("2025-10-09 17:29", "2025-10-09 18:20", 60, 51, "met"),        # last working minute
    ("2025-10-09 17:30", "2025-10-09 19:30", 120, 120, "met"),      # exactly at the limit
    ("2025-10-09 17:30", "2025-10-09 19:31", 120, 121, "breached"),
    ("2025-10-09 08:30", "2025-10-09 09:30", 60, 60, "met"),
])
def test_arrival(reported, arrived, limit, minutes, status):
    row = sla({"reported_at": ts(reported), "arrived_at": ts(arrived), "service_mode": "onsite"})
    assert row.loc[0, ["arrival_limit_minutes", "arrival_minutes", "arrival_status"]].tolist() == [
        limit, minutes, status]


@pytest.mark.parametrize("mode, arrived, resolved, status", [
    ("remote", None, "2025-10-09 12:00", "na"),
    (None, None, "2025-10-09 12:00", "na"),
    ("onsite", None, "2025-10-09 12:00", "no_record"),   # finished, arrival not recorded
    ("onsite", None, None, "breached"),                  # unfinished, past 60 min at as_of
])
def test_arrival_missing(mode, arrived, resolved, status):
    row = sla({"reported_at": ts("2025-10-09 10:00"), "service_mode": mode,
               "arrived_at": ts(arrived), "resolved_at": ts(resolved)})
    assert row.loc[0, "arrival_status"] == status


def test_arrival_pending_vs_breached_at_as_of():
    row = {"reported_at": ts("2025-10-20 11:30"), "service_mode": "onsite"}
    assert sla(row).loc[0, "arrival_status"] == "pending"          # 30 min in, limit 60
    later = pd.Timestamp("2025-10-20 12:31")
    assert sla(row, as_of=later).loc[0, "arrival_status"] == "breached"


@pytest.mark.parametrize("channel, responded, resolved, minutes, status", [
    ("email", "2025-10-09 10:15", None, 15, "met"),
    ("email", "2025-10-09 10:16", None, 16, "breached"),
    ("email", "2025-10-09 10:15:03", None, 15.05, "breached"),   # three seconds over
    ("phone", None, "2025-10-09 12:00", 0, "met"),      # a phone call is answered as recorded
    ("email", None, "2025-10-09 12:00", None, "no_record"),
    ("email", None, None, None, "breached"),
])
def test_response(channel, responded, resolved, minutes, status):
    row = sla({"reported_at": ts("2025-10-09 10:00"), "channel": channel,
               "responded_at": ts(responded), "resolved_at": ts(resolved)})
    got = row.loc[0, "response_minutes"]
    assert (pd.isna(got) and minutes is None) or got == minutes
    assert row.loc[0, "response_status"] == status


@pytest.mark.parametrize("reported, confirmed, as_of, status", [
    ("2025-09-26 18:00", "2025-09-28 17:30", AS_OF, "met"),        # deadline itself is in time
    ("2025-09-26 18:00", "2025-09-28 17:31", AS_OF, "breached"),
    ("2025-09-26 18:00", "2025-09-28 17:30:01", AS_OF, "breached"),   # one second late
    ("2025-09-30 18:00", "2025-10-09 09:00", AS_OF, "met"),
    ("2025-09-30 18:00", None, "2025-10-08 23:00", "pending"),     # still in the holiday
    ("2025-09-30 18:00", None, "2025-10-09 17:31", "breached"),
])
def test_confirm(reported, confirmed, as_of, status):
    row = sla({"reported_at": ts(reported), "confirmed_at": ts(confirmed)}, as_of=ts(as_of))
    assert row.loc[0, "confirm_status"] == status


def test_calendar_estimated_when_deadline_falls_in_an_uncovered_year():
    cal = build_calendar(date(2026, 12, 1), date(2027, 1, 31), WINDOWS)
    row = sla({"reported_at": ts("2026-12-31 18:00")}, cal=cal, as_of=ts("2027-01-05 00:00"))
    assert row.loc[0, "confirm_deadline"] == ts("2027-01-01 17:30")   # Mon–Fri fallback
    assert bool(row.loc[0, "calendar_estimated"]) is True
    row = sla({"reported_at": ts("2026-12-30 10:00")}, cal=cal, as_of=ts("2027-01-05 00:00"))
    assert bool(row.loc[0, "calendar_estimated"]) is False


@pytest.mark.parametrize("category, resolved, closed, submitted, as_of, status", [
    ("fault", "2025-10-09 10:00", None, "2025-10-12 10:00", AS_OF, "met"),     # exactly 72 h
    ("fault", "2025-10-09 10:00", None, "2025-10-12 10:01", AS_OF, "breached"),
    ("fault", "2025-10-09 10:00", None, None, "2025-10-12 09:00", "pending"),
    ("fault", "2025-10-09 10:00", None, None, "2025-10-12 10:01", "breached"),
    ("fault", None, None, None, AS_OF, "pending"),                 # not resolved: not due yet
    ("fault", None, "2025-10-10 10:00", None, AS_OF, "no_record"),  # closed, no resolution time
    ("upgrade", "2025-10-09 10:00", None, None, AS_OF, "na"),
])
def test_report(category, resolved, closed, submitted, as_of, status):
    reports = [{"ticket_id": "T0", "submitted_at": ts(submitted)}] if submitted else None
    row = sla({"reported_at": ts("2025-10-08 10:00"), "category": category,
               "resolved_at": ts(resolved), "closed_at": ts(closed)},
              reports=reports, as_of=ts(as_of))
    assert row.loc[0, "report_status"] == status


def test_report_counts_the_first_version():
    reports = [{"ticket_id": "T0", "submitted_at": ts("2025-10-20 10:00")},
               {"ticket_id": "T0", "submitted_at": ts("2025-10-10 10:00")}]
    row = sla({"reported_at": ts("2025-10-08 10:00"), "resolved_at": ts("2025-10-09 10:00")},
              reports=reports)
    assert row.loc[0, "report_status"] == "met"


def test_report_for_severe_only():
    s = Settings(report_required_for="severe")
    rows = sla({"reported_at": ts("2025-10-08 10:00"), "resolved_at": ts("2025-10-09 10:00"),
                "system_down": True},
               {"reported_at": ts("2025-10-08 10:00"), "resolved_at": ts("2025-10-09 10:00"),
                "error_ratio": 0.02}, settings=s)
    assert rows["report_status"].tolist() == ["breached", "na"]


@pytest.mark.parametrize("approved, arrived, resolved, closed, status", [
    ("2025-10-08 09:00", "2025-10-09 10:00", None, None, "met"),
    ("2025-10-09 10:00", "2025-10-09 10:00", None, None, "met"),
    ("2025-10-09 10:00:40", "2025-10-09 10:00:10", None, None, "breached"),  # 30 s after start
    ("2025-10-09 10:00:10", "2025-10-09 10:00:40", None, None, "met"),       # 30 s before
    ("2025-10-09 11:00", "2025-10-09 10:00", None, None, "breached"),
    ("2025-10-08 09:00", None, "2025-10-09 10:00", None, "met"),      # no arrival: resolution
    (None, "2025-10-09 10:00", None, None, "breached"),               # work began, no approval
    (None, None, None, "2025-10-10 10:00", "no_record"),
    (None, None, None, None, "pending"),
])
def test_upgrade(approved, arrived, resolved, closed, status):
    row = sla({"reported_at": ts("2025-10-08 08:00"), "category": "upgrade",
               "approved_at": ts(approved), "arrived_at": ts(arrived),
               "resolved_at": ts(resolved), "closed_at": ts(closed)})
    assert row.loc[0, "upgrade_status"] == status


def test_handling_minutes_less_waiting_time():
    events = [
        {"ticket_id": "T1", "at": ts("2025-10-09 11:00"), "event": "pause"},
        {"ticket_id": "T1", "at": ts("2025-10-09 12:00"), "event": "pause"},   # already paused
        {"ticket_id": "T1", "at": ts("2025-10-09 13:00"), "event": "resume"},
        {"ticket_id": "T1", "at": ts("2025-10-09 15:00"), "event": "pause"},   # never resumed
    ]
    rows = sla(
        {"reported_at": ts("2025-10-09 09:00"), "confirmed_at": ts("2025-10-09 10:00"),
         "resolved_at": ts("2025-10-09 16:00"), "wait_minutes": 30.0},
        {"reported_at": ts("2025-10-09 09:00"), "resolved_at": ts("2025-10-09 16:00")},
        {"reported_at": ts("2025-10-09 09:00")},
        events=events,
    )
    # Confirmed → resolved 360 min less the declared 30; the second counts from the report: 420
    # less 2 h paused and 1 h paused up to resolution.
    assert rows["handling_minutes"].tolist()[:2] == [330, 240]
    assert pd.isna(rows.loc[2, "handling_minutes"])
    assert rows["handling_status"].tolist() == ["na", "na", "na"]   # no target by default


# The handling clock is [confirmed_at (else reported_at), resolved_at (else as_of)]; a wait
# counts only for its part inside that clock and within 3 calendar months of its start.
@pytest.mark.parametrize("ticket, pauses, minutes", [
    # issue 11, 1: a pause before confirmation is not inside the clock (was −89)
    ({"reported_at": "2025-10-09 09:00", "confirmed_at": "2025-10-09 11:30",
      "resolved_at": "2025-10-09 12:00"}, [("2025-10-09 09:01", "2025-10-09 11:00")], 30),
    # a pause running past resolution counts up to resolution only (was 0)
    ({"reported_at": "2025-10-09 09:00", "confirmed_at": "2025-10-09 10:00",
      "resolved_at": "2025-10-09 12:00"}, [("2025-10-09 11:00", "2025-10-09 13:00")], 60),
    # a pause straddling confirmation counts from confirmation
    ({"reported_at": "2025-10-09 09:00", "confirmed_at": "2025-10-09 10:00",
      "resolved_at": "2025-10-09 14:00"}, [("2025-10-09 09:30", "2025-10-09 11:00")], 180),
    # not confirmed: the clock starts at the report
    ({"reported_at": "2025-10-09 09:00", "resolved_at": "2025-10-09 14:00"},
     [("2025-10-09 08:00", "2025-10-09 10:00")], 240),
    # 3 months from confirmation end on 2025-04-10 10:00; the wait after that is handling time:
    # 2 h before the pause + 30 days 4 h after the window closed
    ({"reported_at": "2025-01-10 09:00", "confirmed_at": "2025-01-10 10:00",
      "resolved_at": "2025-05-10 14:00"}, [("2025-01-10 12:00", "2025-05-10 12:00")],
     120 + 30 * 1440 + 240),
    # a calendar month, not 90 days: confirmed 2025-11-30, the window ends 2026-02-28 10:00
    ({"reported_at": "2025-11-30 09:00", "confirmed_at": "2025-11-30 10:00",
      "resolved_at": "2026-03-01 10:00"}, [("2025-11-30 10:00", "2026-03-01 09:00")], 1440),
    # resolved before it was confirmed: no handling time, never negative
    ({"reported_at": "2025-10-09 09:00", "confirmed_at": "2025-10-09 15:00",
      "resolved_at": "2025-10-09 12:00"}, [], 0),
])
def test_waits_count_inside_the_clock_only(ticket, pauses, minutes):
    events = [e for a, b in pauses for e in ({"ticket_id": "T0", "at": ts(a), "event": "pause"},
                                             {"ticket_id": "T0", "at": ts(b), "event": "resume"})]
    row = sla({k: ts(v) for k, v in ticket.items()}, events=events, as_of=ts("2026-06-01 00:00"))
    assert row.loc[0, "handling_minutes"] == minutes


@pytest.mark.parametrize("wait, minutes", [
    (30.0, 90),     # inside the clock: 120 − 30
    (180.0, 0),     # longer than the clock: placed from confirmation, cut at resolution (was −60)
    (0.0, 120),
    (-10.0, 120),   # a negative declaration waits for nothing
])
def test_declared_wait_starts_at_confirmation(wait, minutes):
    row = sla({"reported_at": ts("2025-10-09 09:00"), "confirmed_at": ts("2025-10-09 10:00"),
               "resolved_at": ts("2025-10-09 12:00"), "wait_minutes": wait})
    assert row.loc[0, "handling_minutes"] == minutes


def test_declared_wait_is_cut_at_three_months():
    # confirmed 2025-01-10 10:00: at most the 90 days to 2025-04-10 10:00 are a wait
    row = sla({"reported_at": ts("2025-01-10 09:00"), "confirmed_at": ts("2025-01-10 10:00"),
               "resolved_at": ts("2025-05-10 14:00"), "wait_minutes": 200_000.0},
              as_of=ts("2026-06-01 00:00"))
    assert row.loc[0, "handling_minutes"] == (120 * 1440 + 240) - 90 * 1440


def test_pause_events_say_when_a_declared_wait_does_not():
    # both recorded: the events place the wait in time, the declaration is not added to them
    events = [{"ticket_id": "T0", "at": ts("2025-10-09 10:30"), "event": "pause"},
              {"ticket_id": "T0", "at": ts("2025-10-09 11:00"), "event": "resume"}]
    row = sla({"reported_at": ts("2025-10-09 09:00"), "confirmed_at": ts("2025-10-09 10:00"),
               "resolved_at": ts("2025-10-09 12:00"), "wait_minutes": 90.0}, events=events)
    assert row.loc[0, "handling_minutes"] == 90


def test_open_ticket_running_clock_less_waits_inside_it():
    s = Settings(handling_target_minutes={"general": 120})
    events = [{"ticket_id": "T0", "at": ts("2025-10-20 09:00"), "event": "pause"}]
    base = {"reported_at": ts("2025-10-20 07:00"), "confirmed_at": ts("2025-10-20 08:00"),
            "error_ratio": 0.01}
    # at 11:00: 3 h since confirmation, 2 h of them paused → 60 min run, within 120
    assert sla(base, events=events, settings=s,
               as_of=ts("2025-10-20 11:00")).loc[0, "handling_status"] == "pending"
    # without the pause the same clock has run 180 min → breached
    assert sla(base, settings=s, as_of=ts("2025-10-20 11:00")).loc[0, "handling_status"] == \
        "breached"
    # a pause before confirmation does not stop the clock
    early = [{"ticket_id": "T0", "at": ts("2025-10-20 07:30"), "event": "pause"},
             {"ticket_id": "T0", "at": ts("2025-10-20 08:00"), "event": "resume"}]
    assert sla(base, events=early, settings=s,
               as_of=ts("2025-10-20 11:00")).loc[0, "handling_status"] == "breached"


def test_recurrence_due_three_calendar_months_after_confirmation():
    pause = [{"ticket_id": "T0", "at": ts("2025-12-01 10:00"), "event": "pause"},
             {"ticket_id": "T3", "at": ts("2025-12-01 10:00"), "event": "pause"},
             {"ticket_id": "T4", "at": ts("2025-12-01 10:00"), "event": "note"}]
    rows = sla(
        {"reported_at": ts("2025-11-30 09:00"), "confirmed_at": ts("2025-11-30 10:00")},
        # waited, recorded only as minutes (issue 11, 2: was never due)
        {"reported_at": ts("2025-11-30 09:00"), "confirmed_at": ts("2025-11-30 10:00"),
         "resolved_at": ts("2025-12-05 10:00"), "wait_minutes": 600.0},
        {"reported_at": ts("2025-11-30 09:00"), "confirmed_at": ts("2025-11-30 10:00"),
         "wait_minutes": 0.0},                                     # declared no wait
        {"reported_at": ts("2025-11-30 09:00")},                   # never confirmed: the report
        {"reported_at": ts("2025-11-30 09:00"), "confirmed_at": ts("2025-11-30 10:00")},
        events=pause, as_of=ts("2026-06-01 00:00"))
    due = rows["recurrence_due_at"].tolist()
    assert due[:2] == [ts("2026-02-28 10:00")] * 2
    assert pd.isna(due[2]) and pd.isna(due[4])                     # no wait, a note is no wait
    assert due[3] == ts("2026-02-28 09:00")
    six = sla({"reported_at": ts("2025-11-30 09:00"), "confirmed_at": ts("2025-11-30 10:00"),
               "wait_minutes": 5.0}, settings=Settings(reproduction_wait_months=6))
    assert six.loc[0, "recurrence_due_at"] == ts("2026-05-30 10:00")


def test_handling_targets_by_rule_severity():
    s = Settings(handling_target_minutes={"severe": 240, "general": 2880})
    rows = sla(
        {"reported_at": ts("2025-10-09 09:00"), "resolved_at": ts("2025-10-09 13:00"),
         "system_down": True},
        {"reported_at": ts("2025-10-09 09:00"), "resolved_at": ts("2025-10-09 13:01"),
         "system_down": True},
        {"reported_at": ts("2025-10-20 09:00"), "error_ratio": 0.01},
        {"reported_at": ts("2025-10-09 09:00")},
        {"reported_at": ts("2025-10-09 09:00"), "resolved_at": ts("2025-10-20 09:00"),
         "category": "inspection", "system_down": True},
        settings=s,
    )
    assert rows["handling_status"].tolist() == ["met", "breached", "pending", "na", "na"]


# ---- severity (§2.3) --------------------------------------------------------------------------
@pytest.mark.parametrize("facts, reported, rule, check", [
    ({"error_ratio": 0.1}, "severe", "severe", "consistent"),          # exactly 1/10 is severe
    ({"error_ratio": 0.0999}, "severe", "general", "over_classified"),
    ({"capacity_drop": 0.1}, "general", "severe", "under_classified"),
    ({"capacity_drop": 0.05}, "general", "general", "consistent"),
    ({"system_down": True}, "general", "severe", "under_classified"),
    ({"network_down": True}, "severe", "severe", "consistent"),
    ({"key_device_down": True}, "severe", "severe", "consistent"),
    ({"imminent_outage": True}, "severe", "severe", "consistent"),
    ({"system_down": False}, "general", "general", "consistent"),      # a recorded "no"
    ({}, "general", "unknown", "unverifiable"),                        # nothing recorded
    ({"error_ratio": 0.5}, None, "severe", "unverifiable"),            # desk gave no level
])
def test_rule_severity(facts, reported, rule, check):
    row = sla({"reported_at": ts("2025-10-09 09:00"), "reported_severity": reported, **facts})
    assert row.loc[0, ["rule_severity", "severity_check"]].tolist() == [rule, check]


def test_exactly_one_tenth_can_be_general():
    s = Settings(threshold_inclusive=False)
    row = sla({"reported_at": ts("2025-10-09 09:00"), "error_ratio": 0.1}, settings=s)
    assert row.loc[0, "rule_severity"] == "general"


def test_severity_applies_to_faults_only():
    row = sla({"reported_at": ts("2025-10-09 09:00"), "category": "inspection"})
    assert pd.isna(row.loc[0, "rule_severity"]) and pd.isna(row.loc[0, "severity_check"])


# ---- complaints, actions, surveys (§2.4–§2.6) --------------------------------------------------
def complaints(*rows):
    """Complaints in contract dtypes."""
    frame = pd.DataFrame([{"customer_id": "C001", "complaint_id": f"K{i}", **r}
                          for i, r in enumerate(rows)])
    return conform(frame, "complaints")


@pytest.mark.parametrize("reply, resolved, as_of, first, resolution", [
    ("2025-10-01 12:00", "2025-10-16 10:00", AS_OF, "met", "met"),          # 2 h, 15 days exactly
    ("2025-10-01 12:01", "2025-10-16 10:01", AS_OF, "breached", "breached"),
    (None, None, "2025-10-01 11:59", "pending", "pending"),
    (None, None, "2025-10-01 12:01", "breached", "pending"),
    (None, "2025-10-02 10:00", AS_OF, "no_record", "met"),
    (None, None, "2025-10-16 10:01", "breached", "breached"),
])
def test_complaints(reply, resolved, as_of, first, resolution):
    got = judged("complaint_sla", complaints=complaints({
        "received_at": ts("2025-10-01 10:00"), "first_reply_at": ts(reply),
        "resolved_at": ts(resolved)}), as_of=ts(as_of))
    assert got.loc[0, ["first_reply_status", "resolution_status"]].tolist() == [first, resolution]
    assert got.loc[0, ["first_reply_limit_hours", "resolution_limit_days"]].tolist() == [2, 15]


def judged(relation: str, settings=S, as_of=AS_OF, **tables) -> pd.DataFrame:
    """One relation as the load judges it (rules.*_in_db) over the given input tables."""
    con = duckdb.connect()
    create_tables(con)
    for name, frame in tables.items():
        con.register("staged", frame)
        con.execute(ENTITY_SQL[name]["insert_staged"])
        con.unregister("staged")
    rules.customer_terms_in_db(con, settings)
    if relation == "complaint_sla":
        rules.complaint_sla_in_db(con, as_of)
    else:
        rules.survey_facts_in_db(con)
    key = "complaint_id" if relation == "complaint_sla" else "survey_id"
    return con.execute(f"SELECT * FROM {relation} ORDER BY {key}").df()  # noqa: S608


def actions(*rows):
    """Improvement actions in contract dtypes."""
    frame = pd.DataFrame([{"action_id": f"A{i}", "created_at": ts("2025-09-01 10:00"), **r}
                          for i, r in enumerate(rows)])
    return conform(frame, "actions")


def action_status(frame: pd.DataFrame, as_of=AS_OF) -> pd.DataFrame:
    """action_status as the load judges it (rules.action_status_in_db) on an in-memory database."""
    con = duckdb.connect()
    create_tables(con)
    con.register("staged", frame)
    con.execute(ENTITY_SQL["actions"]["insert_staged"])
    con.unregister("staged")
    rules.action_status_in_db(con, as_of)
    return con.execute("SELECT * FROM action_status ORDER BY action_id").df()


@pytest.mark.parametrize("status, due, completed, overdue, days, completion", [
    ("open", "2025-10-19", None, True, 1, "open"),
    ("in_progress", "2025-10-20", None, False, 0, "open"),       # due today is not yet overdue
    ("done", "2025-10-10", "2025-10-10 18:00", False, 0, "on_time"),
    ("verified", "2025-10-10", "2025-10-11 09:00", False, 0, "late"),
    ("cancelled", "2025-10-01", None, False, 0, "cancelled"),
    (None, "2025-10-01", "2025-09-30 09:00", False, 0, "on_time"),  # no status: done when dated
    ("done", "2025-10-01", None, False, 0, "late"),             # done, no date: not shown on time
    # a completion date does not make an action in progress done (issue 11, 5)
    ("in_progress", "2025-10-01", "2025-10-05 09:00", True, 19, "open"),
])
def test_actions(status, due, completed, overdue, days, completion):
    got = action_status(actions({"status": status, "due_date": ts(due),
                                 "completed_at": ts(completed)}))
    assert got.loc[0, ["is_overdue", "days_overdue", "completion"]].tolist() == [
        overdue, days, completion]


@pytest.mark.parametrize("status, created, due, done, moment, overdue", [
    ("open", "2025-09-01", "2025-09-30", None, "2025-10-01 00:00", True),
    ("open", "2025-09-01", "2025-09-30", None, "2025-09-30 23:59", False),  # due that day
    ("open", "2025-10-05", "2025-09-30", None, "2025-10-01 00:00", False),  # not created yet
    ("done", "2025-09-01", "2025-09-30", "2025-10-05 09:00", "2025-10-01 00:00", True),
    ("done", "2025-09-01", "2025-09-30", "2025-10-05 09:00", "2025-10-06 00:00", False),
    ("done", "2025-09-01", "2025-09-30", None, "2025-10-01 00:00", False),  # no date: done
    ("in_progress", "2025-09-01", "2025-09-30", "2025-09-15", "2025-10-01 00:00", True),
    ("cancelled", "2025-09-01", "2025-09-30", None, "2025-10-01 00:00", False),
])
def test_action_overdue_at_a_moment(status, created, due, done, moment, overdue):
    """The macro every overdue count uses (the overview's previous period and trend)."""
    from service_quality.database import MACROS

    con = duckdb.connect()
    con.execute(MACROS)
    got = con.execute("SELECT action_overdue_at(?, CAST(? AS DATE), CAST(? AS TIMESTAMP), "
                      "CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP))",
                      [status, due, created, done, moment]).fetchall()[0][0]
    assert got is overdue


def test_the_overdue_span_is_the_agreements_overdue_at_every_moment():
    # action_overdue_at is written as a span (since, until) so the load can keep it; here the
    # rule in its own words, at every moment around each edge: creation, due day, completion.
    from service_quality.database import MACROS

    con = duckdb.connect()
    con.execute(MACROS)
    got = con.execute("""
        WITH a AS (
            SELECT * FROM
                (VALUES ('open'), ('in_progress'), ('done'), ('verified'), ('cancelled'),
                        (NULL)) AS s(status),
                (VALUES (TIMESTAMP '2025-09-01 10:00'), (TIMESTAMP '2025-09-30 23:59:59.999999'),
                        (TIMESTAMP '2025-10-01 00:00'), (NULL)) AS c(created_at),
                (VALUES (DATE '2025-09-29'), (DATE '2025-09-30'), (NULL)) AS d(due_date),
                (VALUES (TIMESTAMP '2025-09-15 09:00'), (TIMESTAMP '2025-10-01 00:00'),
                        (TIMESTAMP '2025-10-02 12:00'), (NULL)) AS x(done_at)
        ),
        m AS (
            SELECT moment + INTERVAL (k) MICROSECOND AS moment
            FROM (VALUES (TIMESTAMP '2025-09-15 09:00'), (TIMESTAMP '2025-09-30 00:00'),
                         (TIMESTAMP '2025-09-30 23:59:59.999999'), (TIMESTAMP '2025-10-01 00:00'),
                         (TIMESTAMP '2025-10-02 12:00'), (TIMESTAMP '2025-11-01 00:00'))
                AS v(moment), (VALUES (-1), (0), (1)) AS e(k)
        )
        SELECT count(*),
               count(*) FILTER (WHERE action_overdue_at(status, due_date, created_at, done_at,
                                                        moment)),
               count(*) FILTER (WHERE action_overdue_at(status, due_date, created_at, done_at,
                                                        moment)
                   IS DISTINCT FROM coalesce(
                       created_at < moment AND due_date < CAST(moment AS DATE)
                       AND status <> 'cancelled'
                       AND NOT (status IN ('done', 'verified')
                                AND coalesce(done_at < moment, true)), false))
        FROM a, m
    """).fetchall()[0]
    cases, overdue, differ = got
    assert cases == 6 * 4 * 3 * 4 * 18 and overdue > 100
    assert differ == 0


def test_survey_facts():
    surveys = conform(pd.DataFrame([
        {"survey_id": "S1", "customer_id": "C001", "sent_at": ts("2025-10-01"), "score": 5.0},
        {"survey_id": "S2", "customer_id": "C001", "sent_at": ts("2025-10-01"), "score": 4.0},
        {"survey_id": "S3", "customer_id": "C001", "sent_at": ts("2025-10-01"), "score": 2.0},
        {"survey_id": "S4", "customer_id": "C001", "sent_at": ts("2025-10-01"), "score": 2.5},
        {"survey_id": "S5", "customer_id": "C001", "sent_at": ts("2025-10-01")},
    ]), "surveys")
    acts = actions({"due_date": ts("2025-10-30"), "source_type": "survey", "source_id": "S3"},
                   {"due_date": ts("2025-10-30"), "source_type": "complaint", "source_id": "S4"})
    got = judged("survey_facts", surveys=surveys, actions=acts)
    assert got["answered"].tolist() == [True, True, True, True, False]
    assert got["satisfied"].tolist()[:4] == [True, True, False, False]
    assert got["low_score"].tolist()[:4] == [False, False, True, False]
    assert pd.isna(got.loc[4, "satisfied"]) and pd.isna(got.loc[4, "low_score"])
    assert got["has_action"].tolist() == [False, False, True, False, False]
