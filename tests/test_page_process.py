"""The service-process page: numbers on screen equal the database's, drill-downs, holiday duty."""

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts import STATUS_COLORS
from service_quality.charts import process as pc
from service_quality.columns import label
from service_quality.database import Database
from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries import process as q

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-01", "2025-12")
# The independent queries read `y`: ticket_facts of PERIOD, spelt out here once.
PERIOD_VIEW = ("CREATE TEMP VIEW y AS SELECT * FROM ticket_facts WHERE year(reported_at) = 2025")


def sql(path, text, params=()):
    """Rows of an independent SQL query (with the view `y` of the period's tickets)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute(PERIOD_VIEW)
        return con.execute(text, list(params)).fetchall()
    finally:
        con.close()


def one(path, text, params=()):
    """One number of an independent SQL query."""
    return sql(path, text, params)[0][0]


@pytest.fixture
def page(fixture_db, monkeypatch):
    """The process page over 2025, run alone against the fixture database."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "process.py"), default_timeout=60)
    at.query_params["from"] = PERIOD.start
    at.query_params["to"] = PERIOD.end
    return at


def open_tab(at, name: str, lang: str = "zh"):
    """Run the page with its tab `name` open (only the open tab is queried and drawn)."""
    at.session_state["process_tab"] = t(f"process_tab_{name}", lang)
    return at.run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, key) -> pd.DataFrame:
    """The data of the dataframe with `key`."""
    return at.get_by_key(key).value


# ── the page on screen ────────────────────────────────────────────────────────────────────────

def test_transfer_numbers_and_list_match_the_database(page, fixture_db):
    open_tab(page, "transfers")
    assert not page.exception, page.exception
    shown = metrics(page)
    transferred = one(fixture_db, "SELECT count(*) FROM y WHERE coalesce(transfers, 0) >= 1")
    repeated = one(fixture_db, "SELECT count(*) FROM y WHERE coalesce(transfers, 0) >= 2")
    events = one(fixture_db, "SELECT count(*) FROM ticket_events JOIN y USING (ticket_id) "
                             "WHERE event = 'transfer'")
    assert shown["被转交的工单"] == str(transferred)
    assert shown["转交 2 次及以上"] == str(repeated)
    assert shown["转交记录（事件）"] == str(events)
    listed = table(page, "process_transfer_tickets")
    assert len(listed) == min(repeated, q.DRILL_LIMIT)
    assert (listed["转交次数"] >= 2).all()


def test_the_mismatch_list_holds_tickets_whose_count_differs_from_their_events(page,
                                                                                 fixture_db):
    open_tab(page, "transfers")
    page.segmented_control(key="process_transfer_list").set_value("mismatch").run()
    assert not page.exception
    mismatched = one(fixture_db, """
        SELECT count(*) FROM y
        LEFT JOIN (SELECT ticket_id, count(*) AS n FROM ticket_events WHERE event = 'transfer'
                   GROUP BY 1) AS e USING (ticket_id)
        WHERE coalesce(y.transfers, 0) <> coalesce(e.n, 0)""")
    assert metrics(page)["次数与记录不符"] == str(mismatched)
    listed = table(page, "process_transfer_tickets") if mismatched else None
    if mismatched:
        assert len(listed) == mismatched
        assert (listed["转交次数"] != listed["转交记录"]).all()


def test_warranty_quotes_and_parts_match_the_database(page, fixture_db):
    open_tab(page, "warranty")
    shown = metrics(page)
    out = one(fixture_db, "SELECT count(*) FROM y WHERE warranty = 'out'")
    accepted, rejected, pending = sql(fixture_db, """
        SELECT count(*) FILTER (WHERE quote_status = 'accepted'),
               count(*) FILTER (WHERE quote_status = 'rejected'),
               count(*) FILTER (WHERE quote_status = 'pending')
        FROM y WHERE warranty = 'out'""")[0]
    assert shown["保外"] == str(out)
    assert shown["保外报价接受率"] == f"{accepted / (accepted + rejected):.1%}"
    # The default list: out-of-warranty tickets whose quote waits for the customer's answer.
    assert len(table(page, "process_warranty_tickets")) == pending

    shown = metrics(open_tab(page, "parts"))

    requested, median = sql(fixture_db, """
        SELECT count(*), median(date_diff('second', part_requested_at, part_received_at) / 3600.0)
        FROM y WHERE part_requested_at IS NOT NULL""")[0]
    assert shown["申请备件的工单"] == str(requested)
    assert shown["备件到货时长中位数"] == f"{median:.1f} h"
    slowest = table(page, "process_parts_tickets")["到货用时(小时)"]
    assert len(slowest) == requested and slowest.is_monotonic_decreasing


def test_engineer_table_is_sorted_by_workload_with_the_team(page, fixture_db):
    open_tab(page, "engineers")
    shown = table(page, "process_engineer_table")
    per_engineer = sql(fixture_db, """
        SELECT coalesce(engineer_name, '（未分配工程师）'), team, count(*) AS n,
               count(*) FILTER (WHERE NOT finished)
        FROM y GROUP BY ALL ORDER BY n DESC, min(engineer_id) NULLS LAST""")
    assert len(shown) == len(per_engineer)
    assert shown["工单数"].is_monotonic_decreasing
    top = shown.iloc[0]
    assert (top["工程师"], top["团队"], top["工单数"], top[label("open_tickets")]) \
        == per_engineer[0]


def test_holiday_duty_days_gaps_and_compliance(page, fixture_db):
    open_tab(page, "holidays")
    shown = metrics(page)
    days = one(fixture_db, "SELECT count(*) FROM calendar_days WHERE holiday IS NOT NULL "
                           "AND NOT is_workday AND year(date) = 2025")
    gaps = one(fixture_db, """
        SELECT count(*) FROM calendar_days AS d WHERE holiday IS NOT NULL AND NOT is_workday
          AND year(date) = 2025
          AND NOT EXISTS (SELECT 1 FROM duty_roster AS r WHERE r.date = d.date
                          AND nullif(trim(r.phone), '') IS NOT NULL)""")
    assert shown["法定节假日天数"] == str(days)
    assert shown["值班缺口（天）"] == str(gaps)
    roster = table(page, "process_duty_table")
    assert len(roster) == days
    assert (roster["值班缺口"] != "").sum() == gaps

    def rate(holiday: bool, metric: str) -> str:
        met, judged = sql(fixture_db, """
            SELECT count(*) FILTER (WHERE s = 'met'),
                   count(*) FILTER (WHERE s IN ('met', 'breached', 'no_record'))
            FROM (SELECT CASE ? WHEN 'arrival' THEN arrival_status
                                WHEN 'response' THEN response_status END AS s
                  FROM y WHERE (holiday IS NOT NULL) = ?)""", (metric, holiday))[0]
        return f"{met / judged:.1%}" if judged else "—"

    assert shown["节假日达标率"] == rate(True, "arrival")
    assert shown["其他日期达标率"] == rate(False, "arrival")
    page.segmented_control(key="process_holiday_metric").set_value("response").run()
    assert metrics(page)["节假日达标率"] == rate(True, "response")
    # The default list: holiday tickets that breached the chosen promise.
    breached = one(fixture_db, "SELECT count(*) FROM y WHERE holiday IS NOT NULL "
                               "AND response_status = 'breached'")
    if breached:
        assert len(table(page, "process_holiday_tickets")) == breached


def test_a_ticket_number_opens_its_timeline(page):
    open_tab(page, "transfers")
    ticket = table(page, "process_transfer_tickets")["工单号"].iloc[0]
    page.text_input(key="process_transfer_tickets_lookup").input(ticket).run()
    assert not page.exception
    assert any(ticket in s.value for s in page.subheader)


def test_only_the_open_tab_is_queried_and_drawn(page):
    """The first tab on a first visit, another on its click: never the charts and lists of all
    six (each plotly chart costs the browser ~0.1 s per run)."""
    page.run()
    assert not page.exception
    assert {c.key for c in page.get("plotly_chart")} == {
        f"process_mix_{d}_chart" for d in q.MIX_DIMENSIONS}
    assert not page.dataframe and not page.metric
    open_tab(page, "warranty")
    assert not page.exception
    assert {c.key for c in page.get("plotly_chart")} == {"process_warranty_chart",
                                                         "process_quotes_chart"}
    assert [d.key for d in page.dataframe] == ["process_warranty_tickets"]


def test_english_labels(page):
    page.query_params["lang"] = "en"
    open_tab(page, "transfers", "en")
    assert not page.exception
    assert page.title[0].value == "Service process"
    assert "Tickets transferred" in metrics(page)


# ── query functions ───────────────────────────────────────────────────────────────────────────

def test_mix_by_month_adds_up_to_the_months_tickets(db, fixture_db):
    for dimension in ("channel", "service_mode"):
        mix = q.mix_by_month(db, Scope.everyone(), PERIOD, dimension)
        assert set(mix["month"]) == set(PERIOD.months)
        assert mix.groupby("month")["share"].sum().round(9).eq(1).all()
        row = mix[mix["month"] == "2025-03"].iloc[0]
        march = one(fixture_db, "SELECT count(*) FROM y WHERE month = '2025-03' AND coalesce("
                                "CASE ? WHEN 'channel' THEN channel ELSE service_mode END, "
                                "'unknown') = ?", (dimension, row["value"]))
        assert row["tickets"] == march
    with pytest.raises(ValueError):
        q.mix_by_month(db, Scope.everyone(), PERIOD, "customer_id")


def test_customer_scope_sees_only_its_tickets(db, fixture_db):
    everyone = q.process_tickets(db, Scope.everyone(), PERIOD, q.ProcessDrill(), limit=100000)
    customer = everyone["customer_id"].iloc[0]
    scope = Scope.customer(customer)
    mine = q.process_tickets(db, scope, PERIOD, q.ProcessDrill(), limit=100000)
    assert set(mine["customer_id"]) == {customer}
    assert len(mine) == (everyone["customer_id"] == customer).sum()
    assert q.mix_by_month(db, scope, PERIOD, "channel")["tickets"].sum() == len(mine)
    assert q.engineer_workload(db, scope, PERIOD)["tickets"].sum() == len(mine)
    assert q.transfers(db, scope, PERIOD).tickets == len(mine)
    assert q.warranty_quotes(db, scope, PERIOD).warranty["tickets"].sum() == len(mine)
    holiday_tickets = one(fixture_db, "SELECT count(*) FROM y WHERE holiday IS NOT NULL "
                                      "AND customer_id = ?", (customer,))
    assert q.holiday_duty(db, scope, PERIOD)["tickets"].sum() == holiday_tickets
    assert q.holiday_compliance(db, scope, PERIOD).set_index("grp")["tickets"].sum() == len(mine)


def test_process_drill_narrows_like_the_numbers_it_stands_for(db, fixture_db):
    everyone = Scope.everyone()
    tr = q.transfers(db, everyone, PERIOD).distribution.set_index("transfers")
    for n in tr.index:
        drill = q.ProcessDrill(transfers_min=int(n),
                               transfers_max=None if n >= q.TRANSFERS_CAP else int(n))
        assert len(q.process_tickets(db, everyone, PERIOD, drill)) == \
            min(tr.loc[n, "tickets"], q.DRILL_LIMIT)
    quotes = q.warranty_quotes(db, everyone, PERIOD).quotes.set_index("quote_status")["tickets"]
    for status, n in quotes.items():
        listed = q.process_tickets(db, everyone, PERIOD,
                                   q.ProcessDrill(warranty="out", quote_status=status))
        assert len(listed) == min(n, q.DRILL_LIMIT)
    mix = q.mix_by_month(db, everyone, PERIOD, "service_mode").iloc[0]
    listed = q.process_tickets(db, everyone, PERIOD,
                               q.ProcessDrill(month=mix["month"], service_mode=mix["value"]))
    assert len(listed) == mix["tickets"]
    duty = q.holiday_duty(db, everyone, PERIOD)
    busiest = duty.sort_values("tickets").iloc[-1]
    day = str(busiest["date"])[:10]
    listed = q.process_tickets(db, everyone, PERIOD, q.ProcessDrill(day=day))
    assert len(listed) == busiest["tickets"]
    assert (listed["reported_at"].dt.strftime("%Y-%m-%d") == day).all()


def test_part_lead_time_by_month_and_slowest_first(db, fixture_db):
    lead = q.part_lead_time(db, Scope.everyone(), PERIOD)
    p90 = one(fixture_db, """
        SELECT quantile_cont(date_diff('second', part_requested_at, part_received_at) / 3600.0,
                             0.9)
        FROM y WHERE part_received_at >= part_requested_at""")
    assert lead.p90_hours == pytest.approx(p90)
    assert lead.by_month["requested"].sum() == lead.requested
    assert lead.by_month["month"].is_monotonic_increasing
    parts = q.process_tickets(db, Scope.everyone(), PERIOD, q.ProcessDrill(parts=True))
    assert len(parts) == lead.requested
    assert parts["part_lead_hours"].is_monotonic_decreasing


def test_engineer_workload_counts_open_and_arrivals(db, fixture_db):
    work = q.engineer_workload(db, Scope.everyone(), PERIOD).set_index("engineer_id")
    busiest = work["tickets"].idxmax()
    met, judged, arrivals = sql(fixture_db, """
        SELECT count(*) FILTER (WHERE arrival_status = 'met'),
               count(*) FILTER (WHERE arrival_status IN ('met', 'breached', 'no_record')),
               count(*) FILTER (WHERE service_mode = 'onsite' AND arrived_at IS NOT NULL)
        FROM y WHERE engineer_id = ?""", (busiest,))[0]
    row = work.loc[busiest]
    assert row["arrivals"] == arrivals
    if judged:
        assert row["arrival_compliance"] == pytest.approx(met / judged)


@pytest.fixture(scope="module")
def roster_gap_db(fixture_db, tmp_path_factory):
    """A copy of the fixture database where a 2025 holiday's only duty engineer lost the phone
    number (a later roster export replaces the row), loaded through etl.load."""
    from etl.load import load
    from service_quality.settings import load_settings

    tmp = tmp_path_factory.mktemp("roster")
    db = tmp / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    day, engineer, as_of = sql(db, """
        SELECT r.date, any_value(r.engineer_id),
               (SELECT value FROM load_info WHERE key = 'as_of')
        FROM duty_roster AS r
        JOIN calendar_days AS d USING (date)
        WHERE d.holiday IS NOT NULL AND NOT d.is_workday AND r.date >= DATE '2025-01-01'
        GROUP BY r.date HAVING count(*) = 1
        ORDER BY r.date LIMIT 1""")[0]
    (tmp / "in").mkdir()
    (tmp / "in" / "duty_roster.csv").write_text(
        f"date,engineer_id,phone,note\n{day},{engineer},,节日值班\n", encoding="utf-8")
    load([tmp / "in"], db, load_settings(), as_of=pd.Timestamp(as_of).to_pydatetime())
    return db, str(day)


def test_a_duty_engineer_without_a_phone_is_still_a_gap(roster_gap_db):
    path, day = roster_gap_db
    d = Database(path)
    try:
        duty = q.holiday_duty(d, Scope.everyone(), PERIOD)
    finally:
        d.close()
    row = duty[duty["date"].astype(str).str[:10] == day].iloc[0]
    assert row["gap"] == "no_phone" and row["duty_engineers"] == 1
    assert row["phones"] == "—"


# ── chart builders ────────────────────────────────────────────────────────────────────────────

def test_mix_bars_are_stacked_months_as_categories_in_fixed_colours(db):
    mix = q.mix_by_month(db, Scope.everyone(), PERIOD, "channel")
    fig = pc.mix_bars(mix, "zh", "channel", "t")
    assert fig.layout.barmode == "stack" and fig.layout.xaxis.type == "category"
    by_name = {tr.name: tr for tr in fig.data}
    assert by_name["电话"].marker.color == pc.CHANNEL_COLORS["phone"]
    assert set(by_name["电话"].customdata) == {"phone"}
    assert sum(sum(tr.y) for tr in fig.data) == mix["tickets"].sum()
    modes = pc.mix_bars(q.mix_by_month(db, Scope.everyone(), PERIOD, "service_mode"), "en",
                        "service_mode")
    assert {tr.name for tr in modes.data} <= {"on-site", "remote", "phone", "e-mail",
                                              "not recorded"}


def test_transfer_bars_mark_repeated_transfers():
    frame = pd.DataFrame({"transfers": [0, 1, 2, 5], "tickets": [90, 8, 3, 1],
                          "transfer_events": [0, 8, 6, 5], "mismatched": [0, 0, 0, 0]})
    fig = pc.transfer_bars(frame, "zh", cap=5, repeated=2)
    bar = fig.data[0]
    assert list(bar.x) == ["0", "1", "2", "5+"]
    assert list(bar.marker.color) == [pc.ACCENT, pc.ACCENT, pc.REPEATED_COLOR, pc.REPEATED_COLOR]
    assert list(bar.customdata) == [0, 1, 2, 5]
    assert fig.layout.xaxis.type == "category"


def test_quote_warranty_and_lead_time_charts(db):
    wq = q.warranty_quotes(db, Scope.everyone(), PERIOD)
    quotes = pc.quote_bars(wq.quotes, "en")
    assert list(quotes.data[0].customdata) == list(q.QUOTE_STATUSES)
    assert list(quotes.data[0].marker.color) == [pc.QUOTE_COLORS[s] for s in q.QUOTE_STATUSES]
    warranty = pc.warranty_bars(q.warranty_by_month(db, Scope.everyone(), PERIOD), "zh")
    assert warranty.layout.xaxis.type == "category"
    assert {tr.marker.color for tr in warranty.data} <= set(pc.WARRANTY_COLORS.values())
    lines = pc.lead_time_lines(q.part_lead_time(db, Scope.everyone(), PERIOD).by_month, "zh")
    assert lines.layout.xaxis.type == "category"
    assert [tr.line.color for tr in lines.data] == list(pc.PART_COLORS.values())


def test_status_share_bars_compare_holidays_by_share():
    frame = pd.DataFrame({"label": ["节假日", "其他"], "met": [3, 900], "breached": [1, 100],
                          "no_record": [0, 0], "pending": [0, 0], "na": [5, 50]})
    fig = pc.status_share_bars(frame, "label", "zh")
    by_status = {tr.customdata[0]: tr for tr in fig.data}
    assert "na" not in by_status
    assert by_status["met"].marker.color == STATUS_COLORS["met"]
    assert list(by_status["met"].x) == [0.75, 0.9]
    assert list(by_status["breached"].text) == [1, 100]
    assert fig.layout.barmode == "stack"


# ── a calendar file's holiday without a note (issue 11, 3) ─────────────────────────────────────
NOTELESS = {
    "calendar.csv": "date,kind,note\n2025-10-01,holiday,\n2025-10-13,holiday,\n",
    "tickets.csv": ("ticket_id,customer_id,reported_at,service_mode,arrived_at\n"
                    "T0,C1,2025-09-30 10:00,remote,\n"
                    "T1,C1,2025-10-13 10:00,onsite,2025-10-13 11:30\n"
                    "T2,C1,2025-10-14 10:00,onsite,2025-10-14 11:30\n"),
    "duty_roster.csv": "date,engineer_id,phone\n2025-10-01,E1,13800000000\n",
    "customers.csv": "customer_id,name\nC1,甲客户\n",
}


@pytest.fixture(scope="module")
def noteless_db(tmp_path_factory):
    """A database whose calendar file lists a working Monday (2025-10-13) and National Day as
    holidays, neither with a note."""
    from etl.load import load
    from service_quality.settings import load_settings

    folder = tmp_path_factory.mktemp("noteless")
    for name, text in NOTELESS.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "service.duckdb"
    load([folder], path, load_settings(), as_of=datetime(2025, 11, 1, 9, 0))
    return path


def test_a_noteless_calendar_holiday_is_a_holiday_everywhere(noteless_db):
    days = dict(sql(noteless_db, "SELECT CAST(date AS VARCHAR), holiday FROM calendar_days "
                                 "WHERE date IN ('2025-10-01', '2025-10-13')"))
    assert days == {"2025-10-01": "National Day", "2025-10-13": "Holiday"}
    d = Database(noteless_db)
    try:
        october = Filters("2025-10", "2025-10")
        duty = q.holiday_duty(d, Scope.everyone(), october).set_index("date")
        comp = q.holiday_compliance(d, Scope.everyone(), october, "arrival").set_index("grp")
    finally:
        d.close()
    duty.index = duty.index.astype(str).str[:10]
    # Oct 1–8 from the official calendar (the 1st restated by the file), and the file's 13th.
    assert list(duty.index) == [f"2025-10-0{n}" for n in range(1, 9)] + ["2025-10-13"]
    assert duty.loc["2025-10-13", "gap"] == "no_duty" and duty.loc["2025-10-13", "tickets"] == 1
    assert duty.loc["2025-10-01", "holiday"] == "National Day"
    # The 13th is not a working day: 90 minutes is within the 2-hour limit, measured as holiday.
    assert comp.loc["holiday", "tickets"] == 1 and comp.loc["holiday", "met"] == 1
    assert comp.loc["other", "breached"] == 1 and comp.loc["other", "tickets"] == 1


def test_a_noteless_holiday_shows_a_generic_name_on_the_page(noteless_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(noteless_db))
    at = AppTest.from_file(str(ROOT / "pages" / "process.py"), default_timeout=60)
    at.query_params["from"] = at.query_params["to"] = "2025-10"
    open_tab(at, "holidays")
    assert not at.exception
    shown = table(at, "process_duty_table")
    names = dict(zip(shown.iloc[:, 0].astype(str).str[:10], shown.iloc[:, 1], strict=True))
    assert names["2025-10-13"] == "节假日" and names["2025-10-01"] == "国庆节"
    assert metrics(at)["法定节假日天数"] == "9"
