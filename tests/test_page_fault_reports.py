"""The fault-report page: 3-day rule, seven sections, decisions, due list, drill-down, charts."""

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts import ACCENT, STATUS_COLORS
from service_quality.charts.fault_reports import (
    DECISION_COLORS,
    completeness_bars,
    compliance_bars,
    decision_bars,
    missing_sections_bars,
)
from service_quality.columns import label
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.fault_reports import (
    SECTIONS,
    STAGES,
    ReportDrill,
    rejection_reasons,
    report_compliance_by,
    report_drill_for,
    report_list,
    report_overview,
    reports_due,
    reports_due_by_stage,
)

ROOT = Path(__file__).resolve().parent.parent
# The whole fixture: 800 tickets over two years leave few rejections in any one month.
PERIOD = Filters("2024-11", "2026-10")
# The tests' own view of the data, over PERIOD: the judged tickets, every report version, and
# the latest version of each ticket's report with its number of non-empty sections.
VIEWS = """
    CREATE TEMP VIEW judged AS
    SELECT * FROM ticket_sla
    WHERE reported_at >= '2024-11-01' AND reported_at < '2026-11-01';
    CREATE TEMP VIEW versions AS
    SELECT r.*, s.customer_id FROM fault_reports AS r JOIN judged AS s USING (ticket_id);
    CREATE TEMP VIEW latest AS
    SELECT *,
           (nullif(trim(fault_content), '') IS NOT NULL)::INT
         + (nullif(trim(affected_time), '') IS NOT NULL)::INT
         + (nullif(trim(affected_users), '') IS NOT NULL)::INT
         + (nullif(trim(handling_process), '') IS NOT NULL)::INT
         + (nullif(trim(analysis), '') IS NOT NULL)::INT
         + (nullif(trim(lessons), '') IS NOT NULL)::INT
         + (nullif(trim(prevention), '') IS NOT NULL)::INT AS present
    FROM versions AS r
    WHERE version = (SELECT max(version) FROM fault_reports AS x WHERE x.ticket_id = r.ticket_id);
    CREATE TEMP VIEW missing(section, reports) AS
    SELECT 'fault_content', count(*) FROM latest
        WHERE nullif(trim(fault_content), '') IS NULL
    UNION ALL SELECT 'affected_time', count(*) FROM latest
        WHERE nullif(trim(affected_time), '') IS NULL
    UNION ALL SELECT 'affected_users', count(*) FROM latest
        WHERE nullif(trim(affected_users), '') IS NULL
    UNION ALL SELECT 'handling_process', count(*) FROM latest
        WHERE nullif(trim(handling_process), '') IS NULL
    UNION ALL SELECT 'analysis', count(*) FROM latest
        WHERE nullif(trim(analysis), '') IS NULL
    UNION ALL SELECT 'lessons', count(*) FROM latest
        WHERE nullif(trim(lessons), '') IS NULL
    UNION ALL SELECT 'prevention', count(*) FROM latest
        WHERE nullif(trim(prevention), '') IS NULL;
"""


def count(fixture_db, sql, params=()):
    """One value from an independent SQL query."""
    con = duckdb.connect(str(fixture_db), read_only=True)
    try:
        con.execute(VIEWS)
        return con.execute(sql, list(params)).fetchall()[0][0]
    finally:
        con.close()


# --- queries -----------------------------------------------------------------------------------

def test_compliance_by_month_matches_ticket_sla(db, fixture_db):
    frame = report_compliance_by(db, Scope.everyone(), PERIOD, "month").set_index("grp")
    for status in ("met", "breached"):
        assert frame.loc["2026-04", status] == count(
            fixture_db, "SELECT count(*) FROM ticket_sla WHERE report_status = ? AND "
            "strftime(reported_at, '%Y-%m') = '2026-04'", [status])
    with pytest.raises(ValueError):
        report_compliance_by(db, Scope.everyone(), PERIOD, "engineer")


def test_overview_statuses_and_compliance(db, fixture_db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    for status in ("met", "breached", "no_record", "pending"):
        assert o.statuses[status] == count(
            fixture_db, "SELECT count(*) FROM judged WHERE report_status = ?", [status])
    judged = o.statuses["met"] + o.statuses["breached"] + o.statuses["no_record"]
    assert o.compliance == pytest.approx(o.statuses["met"] / judged)


def test_completeness_of_the_latest_version(db, fixture_db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    assert list(o.completeness["sections"]) == list(range(8))
    assert o.reports == count(fixture_db, "SELECT count(*) FROM latest")
    assert o.completeness.set_index("sections").loc[7, "reports"] == count(
        fixture_db, "SELECT count(*) FROM latest WHERE present = 7")
    assert o.mean_completeness == pytest.approx(count(
        fixture_db, "SELECT avg(present / 7) FROM latest"))
    missing = o.missing.set_index("section")["reports"]
    assert set(missing.index) == set(SECTIONS)
    assert list(o.missing["reports"]) == sorted(o.missing["reports"], reverse=True)
    for section in SECTIONS:
        assert missing[section] == count(
            fixture_db, "SELECT reports FROM missing WHERE section = ?", [section])


def test_decisions_versions_and_stages(db, fixture_db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    decisions = o.decisions.set_index("decision")["reports"]
    for decision in ("accepted", "rejected"):
        assert decisions[decision] == count(
            fixture_db, "SELECT count(*) FROM latest WHERE customer_decision = ?",
            [decision])
    assert o.versions["tickets"].sum() == o.reports
    assert o.stages["overdue"] + o.stages["late"] == o.statuses["breached"]
    assert o.stages["due"] == count(
        fixture_db, "SELECT count(*) FROM judged WHERE report_status = 'pending' AND "
        "report_due_at IS NOT NULL")


def test_rejection_reasons_and_what_followed(db, fixture_db):
    reasons = rejection_reasons(db, Scope.everyone(), PERIOD)
    assert reasons["rejections"].sum() == count(
        fixture_db, "SELECT count(*) FROM versions WHERE customer_decision = 'rejected'")
    assert (reasons["resubmitted"] + reasons["not_resubmitted"] == reasons["rejections"]).all()
    assert (reasons["accepted_later"] <= reasons["resubmitted"]).all()
    assert list(reasons["rejections"]) == sorted(reasons["rejections"], reverse=True)
    assert reasons["resubmitted"].sum() == count(
        fixture_db, "SELECT count(*) FROM versions AS r WHERE r.customer_decision = 'rejected' AND "
        "EXISTS (SELECT 1 FROM fault_reports AS y WHERE y.ticket_id = r.ticket_id AND y.version > "
        "r.version)")


def test_due_or_late_list(db, fixture_db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    due = reports_due(db, Scope.everyone(), PERIOD)
    assert len(due) == o.stages["due"] + o.stages["overdue"] + o.stages["late"]
    assert set(due["report_status"]) <= {"pending", "breached"}
    # still-open items first: due, then overdue, then late
    order = [STAGES.index(s) for s in due["stage"]]
    assert order == sorted(order)
    assert (due.loc[due["stage"] == "late", "days_past_due"] > 0).all()
    assert (due.loc[due["stage"] == "overdue", "days_past_due"] > 0).all()
    assert (due.loc[due["stage"] == "due", "days_past_due"] <= 0).all()
    assert due.loc[due["stage"] == "overdue", "first_submitted_at"].isna().all()
    for stage in STAGES:
        assert len(reports_due(db, Scope.everyone(), PERIOD, stage)) == o.stages[stage]


@pytest.mark.parametrize("limit", [3, 1000])
def test_the_lists_of_several_stages_from_one_scan_are_each_stages_own(db, limit):
    # The customer report asks for the due and the overdue lists at once: each with its own
    # LIMIT and its own count of matching rows, as if asked for alone.
    both = reports_due_by_stage(db, Scope.everyone(), PERIOD, ("due", "overdue"), limit)
    assert list(both) == ["due", "overdue"]
    for stage, frame in both.items():
        alone = reports_due(db, Scope.everyone(), PERIOD, stage, limit)
        assert len(alone) == min(limit, len(reports_due(db, Scope.everyone(), PERIOD, stage)))
        pd.testing.assert_frame_equal(frame, alone)
    assert len(both["due"]) and len(both["overdue"])


def test_customer_scope_sees_only_its_rows(db, fixture_db):
    everyone = report_compliance_by(db, Scope.everyone(), PERIOD, "customer")
    one = everyone["grp"].iloc[0]
    mine = report_compliance_by(db, Scope.customer(one), PERIOD, "customer")
    assert list(mine["grp"]) == [one]
    o = report_overview(db, Scope.customer(one), PERIOD)
    assert o.reports == count(fixture_db, "SELECT count(*) FROM latest WHERE customer_id = ?",
                              [one])
    assert set(report_list(db, Scope.customer(one), PERIOD, ReportDrill())["customer_id"]) == {one}
    assert set(reports_due(db, Scope.customer(one), PERIOD)["customer_id"]) <= {one}
    assert rejection_reasons(db, Scope.customer(one), PERIOD)["rejections"].sum() == count(
        fixture_db, "SELECT count(*) FROM versions WHERE customer_decision = 'rejected' AND "
        "customer_id = ?", [one])


# --- drill-down ----------------------------------------------------------------------------------

def test_clicked_bars_list_their_reports(db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    missing = o.missing.iloc[0]
    listed = report_list(db, Scope.everyone(), PERIOD, report_drill_for("missing",
                                                                        missing["section"]))
    assert len(listed) == missing["reports"]
    assert all(missing["section"] in m for m in listed["missing"])
    row = o.completeness[o.completeness["reports"] > 0].iloc[0]
    listed = report_list(db, Scope.everyone(), PERIOD, report_drill_for("sections",
                                                                        row["sections"]))
    assert len(listed) == row["reports"] and set(listed["sections"]) == {row["sections"]}
    decisions = o.decisions.set_index("decision")["reports"]
    listed = report_list(db, Scope.everyone(), PERIOD, report_drill_for("decision", "rejected"))
    assert len(listed) == decisions["rejected"] and set(listed["decision"]) == {"rejected"}


def test_default_list_is_the_incomplete_reports(db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    listed = report_list(db, Scope.everyone(), PERIOD, report_drill_for(None))
    full = o.completeness.set_index("sections").loc[7, "reports"]
    assert listed["matching"].iloc[0] == o.reports - full
    assert (listed["completeness"] < 1).all()


def test_a_selected_reason_lists_its_tickets(db):
    reasons = rejection_reasons(db, Scope.everyone(), PERIOD)
    top = reasons.iloc[0]
    listed = report_list(db, Scope.everyone(), PERIOD, report_drill_for("reason", top["reason"]))
    assert len(listed) == top["tickets"]
    assert all(top["reason"] in r for r in listed["reject_reasons"])
    assert report_drill_for("reason", None) == ReportDrill(rejected=True, no_reason=True)
    with pytest.raises(ValueError):
        report_drill_for("missing", "appendix")


# --- charts --------------------------------------------------------------------------------------

def test_compliance_bars_carry_status_colours_and_the_rate(db):
    frame = report_compliance_by(db, Scope.everyone(), PERIOD, "month")
    fig = compliance_bars(frame, "grp", "zh")
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert {tr.marker.color for tr in bars} <= {STATUS_COLORS[s] for s in
                                                 ("met", "breached", "no_record", "pending")}
    assert fig.layout.xaxis.type == "category"
    line = [tr for tr in fig.data if tr.type == "scatter"][0]
    assert line.yaxis == "y2" and fig.layout.yaxis2.tickformat == ".0%"
    assert list(line.y) == list(frame["compliance"])
    fig = compliance_bars(frame, "label", "en", horizontal=True)
    assert all(tr.orientation == "h" for tr in fig.data)


def test_report_charts(db):
    o = report_overview(db, Scope.everyone(), PERIOD)
    fig = completeness_bars(o.completeness, "zh")
    assert list(fig.data[0].x) == [f"{n}/7" for n in range(8)]
    assert fig.data[0].marker.color[-1] == STATUS_COLORS["met"]
    assert fig.data[0].marker.color[0] == ACCENT
    assert fig.layout.xaxis.type == "category"
    fig = missing_sections_bars(o.missing, "zh")
    assert "总结与教训" in fig.data[0].y and fig.data[0].orientation == "h"
    assert list(fig.data[0].customdata) == list(o.missing["section"])
    fig = decision_bars(o.decisions, "en")
    assert list(fig.data[0].x) == ["accepted", "rejected", "pending"]
    assert list(fig.data[0].marker.color) == [DECISION_COLORS[d] for d in o.decisions["decision"]]


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture
def app(fixture_db, monkeypatch):
    """The fault-report page alone on the fixture database, over the whole fixture."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "fault_reports.py"), default_timeout=60)
    at.query_params["from"] = PERIOD.start
    at.query_params["to"] = PERIOD.end
    return at


def test_cards_show_the_databases_numbers(app, fixture_db):
    app.run()
    assert not app.exception
    cards = {m.label: m.value for m in app.metric}
    breached = count(fixture_db, "SELECT count(*) FROM judged WHERE report_status = 'breached'")
    met = count(fixture_db, "SELECT count(*) FROM judged WHERE report_status = 'met'")
    assert cards["超时提交 / 未提交"] == str(breached)
    assert cards["3天内提交率"] == f"{met / (met + breached):.1%}"
    assert cards["已提交报告"] == str(count(fixture_db, "SELECT count(*) FROM latest"))
    assert cards["最新版本被退回"] == str(count(
        fixture_db, "SELECT count(*) FROM latest WHERE customer_decision = 'rejected'"))


def test_breached_tickets_and_the_due_list(app, fixture_db):
    app.run()
    breached = count(fixture_db, "SELECT count(*) FROM judged WHERE report_status = 'breached'")
    assert any(f"共 {breached} 张工单，显示" in c.value for c in app.caption)
    app.segmented_control(key="fault_reports_stage").set_value("late").run()
    late = count(fixture_db, "SELECT count(*) FROM judged AS s WHERE report_status = 'breached' "
                 "AND EXISTS (SELECT 1 FROM fault_reports AS r WHERE r.ticket_id = s.ticket_id)")
    assert f"共 {late} 张工单" in app.caption[-1].value
    ticket = count(fixture_db, "SELECT min(ticket_id) FROM judged WHERE report_status = 'breached'")
    app.text_input(key="fault_reports_tickets_lookup").input(ticket).run()
    assert not app.exception
    assert any(ticket in s.value for s in app.subheader)


def test_rejection_reasons_are_shown_as_data_not_markdown(app, fixture_db):
    app.run()
    reason = count(fixture_db, "SELECT min(reject_reason) FROM fault_reports")
    assert reason
    shown = [d.value for d in app.dataframe]
    assert any(reason in set(frame.iloc[:, 0]) for frame in shown)
    assert not any(reason in m.value for m in app.markdown)


def test_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Fault reports"
    assert any("Reports due or late" == s.value for s in app.subheader)


# --- a rejection without the reason the agreement requires (issue 11) ----------------------------

@pytest.fixture(scope="module")
def no_reason_db(fixture_db, tmp_path_factory):
    """A copy of the fixture where a later export of two rejected versions gives no reason (one
    blank, one spaces only), loaded through etl.load."""
    from etl.load import load
    from service_quality.settings import load_settings

    tmp = tmp_path_factory.mktemp("no_reason")
    db = tmp / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""SELECT * FROM fault_reports WHERE customer_decision = 'rejected'
                              AND submitted_at >= '2025-01-01' ORDER BY ticket_id, version
                              LIMIT 2""").df()
        as_of = con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0]
    finally:
        con.close()
    rows["reject_reason"] = ["", "   "]
    (tmp / "in").mkdir()
    rows.to_csv(tmp / "in" / "fault_reports.csv", index=False)
    load([tmp / "in"], db, load_settings(), as_of=pd.Timestamp(as_of).to_pydatetime())
    return db, set(rows["ticket_id"])


def test_a_rejection_without_a_reason_is_flagged_not_accepted(no_reason_db):
    from service_quality.database import Database

    path, tickets = no_reason_db
    assert count(path, "SELECT count(*) FROM versions WHERE customer_decision = 'rejected' "
                       "AND nullif(trim(reject_reason), '') IS NULL") == 2
    d = Database(path)
    try:
        o = report_overview(d, Scope.everyone(), PERIOD)
        reasons = rejection_reasons(d, Scope.everyone(), PERIOD)
        flagged = report_list(d, Scope.everyone(), PERIOD, report_drill_for("reason", None))
        every = report_list(d, Scope.everyone(), PERIOD, ReportDrill(rejected=True),
                            limit=100_000)
    finally:
        d.close()
    assert o.rejected_no_reason == 2
    assert reasons.loc[reasons["reason"].isna(), "rejections"].sum() == 2
    # the "no reason" row of the reasons table lists exactly those reports, not every rejected one
    assert set(flagged["ticket_id"]) == tickets and (flagged["no_reason_rejections"] > 0).all()
    assert every.set_index("ticket_id")["no_reason_rejections"].sum() == 2
    assert len(every) > len(flagged)


def test_the_page_flags_a_rejection_without_a_reason(no_reason_db, fixture_db, monkeypatch):
    path, tickets = no_reason_db
    for db, n in ((fixture_db, 0), (path, 2)):
        monkeypatch.setenv("DASHBOARD_DB", str(db))
        at = AppTest.from_file(str(ROOT / "pages" / "fault_reports.py"), default_timeout=60)
        at.query_params["from"], at.query_params["to"] = PERIOD.start, PERIOD.end
        at.run()
        assert not at.exception
        assert {m.label: m.value for m in at.metric}["退回无原因"] == str(n)
        warned = [w.value for w in at.warning if "未注明原因" in w.value]
        assert warned == ([] if n == 0 else [warned[0]]) and (n == 0 or f"{n} 个" in warned[0])
    reasons = at.get_by_key("fault_reports_reasons").value
    assert "⚠ 未注明原因（协议要求注明）" in set(reasons.iloc[:, 0])
    # the default list (incomplete reports) shows the count on every row, 1 on the flagged ones
    listed = at.get_by_key("fault_reports_list").value
    flagged = listed.iloc[:, 0].isin(tickets)
    # drawn as chips (red above zero), so the screen holds the numbers as their text
    counts = pd.to_numeric(listed[label("no_reason_rejections")])
    assert (counts[flagged] == 1).all() and (counts[~flagged] == 0).all()


def test_the_management_workbook_flags_it_too(no_reason_db):
    import io

    import openpyxl

    from service_quality.database import Database
    from service_quality.messages import t
    from service_quality.reports.management_workbook import management_workbook

    path, tickets = no_reason_db
    d = Database(path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(management_workbook(
            d, Scope.everyone(), PERIOD, "zh")))
    finally:
        d.close()
    ws = book[t("management_workbook_sheet_fault_reports")]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == label("ticket_id"))
    col = header.index(label("no_reason_rejections"))
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] in tickets]
    assert sorted(r[col] for r in rows) == [1, 1]
    assert any(">0" in rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules)
    assert any(r[0] == "⚠ 未注明原因（协议要求注明）" for r in ws.iter_rows(values_only=True))


def test_the_ticket_id_range_bounds_the_reports_read_and_loses_none(db):
    from service_quality.queries import _id_range

    # The range is that of the period's tickets; a period without tickets has none, and its
    # lists are empty, not an error.
    got = _id_range(db, "_tickets", {**PERIOD.params(), "customers": None})
    ids = db.query("SELECT min(ticket_id) AS lo, max(ticket_id) AS hi FROM ticket_facts "
                   "WHERE reported_at >= ? AND reported_at < ?",
                   [PERIOD.params()["start"], PERIOD.params()["end"]]).iloc[0]
    assert got == {"t_lo": ids["lo"], "t_hi": ids["hi"]}
    empty = Filters("2000-01", "2000-01")
    assert _id_range(db, "_tickets", {**empty.params(), "customers": None}) == {
        "t_lo": None, "t_hi": None}
    assert rejection_reasons(db, Scope.everyone(), empty).empty
    assert report_list(db, Scope.everyone(), empty, ReportDrill(rejected=True)).empty


def test_a_ticket_rejected_twice_for_one_reason_is_one_ticket_of_that_reason(fixture_db, tmp_path):
    # The load counts rejections per month and filter value (report_rejections); the tickets of a
    # reason must stay distinct tickets, not rejections.
    from etl.load import load
    from service_quality.database import Database
    from service_quality.settings import load_settings

    db = tmp_path / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        first = con.execute("""SELECT * FROM fault_reports WHERE customer_decision = 'rejected'
                               AND submitted_at >= '2025-01-01' AND (SELECT max(version)
                               FROM fault_reports AS x WHERE x.ticket_id = fault_reports.ticket_id)
                               = version ORDER BY ticket_id LIMIT 1""").df()
        as_of = con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0]
    finally:
        con.close()
    # two more versions of the same ticket: rejected again for the same reason, then accepted
    again = first.assign(version=first["version"] + 1, reject_reason="缺少根因分析（测试）")
    first = first.assign(reject_reason="缺少根因分析（测试）")
    accepted = first.assign(version=first["version"] + 2, customer_decision="accepted",
                            reject_reason=None)
    (tmp_path / "in").mkdir()
    pd.concat([first, again, accepted]).to_csv(tmp_path / "in" / "fault_reports.csv",
                                               index=False)
    load([tmp_path / "in"], db, load_settings(), as_of=pd.Timestamp(as_of).to_pydatetime())
    d = Database(db)
    try:
        reasons = rejection_reasons(d, Scope.everyone(), PERIOD).set_index("reason")
    finally:
        d.close()
    got = reasons.loc["缺少根因分析（测试）"]
    assert (got["rejections"], got["tickets"], got["resubmitted"], got["accepted_later"],
            got["not_resubmitted"], got["later_versions"]) == (2, 1, 2, 2, 0, 3)
