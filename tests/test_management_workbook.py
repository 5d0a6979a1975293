"""The management workbook (管理报表): read back with openpyxl and held to independent SQL."""

import csv
import io
import re
import shutil

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.columns import label
from service_quality.database import Database
from service_quality.excel import PERCENT
from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.management_workbook import (
    breach_list,
    fault_report_status,
    severity_audit,
)
from service_quality.reports.management_workbook import management_workbook

PERIOD = Filters("2025-10", "2025-12")
BOUNDS = ["2025-10-01", "2026-01-01"]
SHEETS = ("summary", "breaches", "severity", "satisfaction", "complaints", "actions",
          "fault_reports", "terms")
HOSTILE = ['=HYPERLINK("http://x")', "+86 1234", "-2+3", "@SUM(A1)", "\tTAB", "=1+1\nLF",
           "=CR\r\nin the middle"]
EVERYONE = Scope.everyone()
CR = len(HOSTILE) - 1  # the value with a carriage return


def sql(db_path, text, params=()):
    """Rows of an independent SQL query on the database file."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params if isinstance(params, dict) else list(params)).fetchall()
    finally:
        con.close()


def build(db_path, filters=PERIOD, scope=EVERYONE, lang="zh") -> openpyxl.Workbook:
    """The workbook built on `db_path`, read back."""
    db = Database(db_path)
    try:
        data = management_workbook(db, scope, filters, lang)
    finally:
        db.close()
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def book(fixture_db):
    """The Chinese workbook of PERIOD on the fixture database."""
    return build(fixture_db)


def header_row(ws, first_header: str) -> int:
    """The row number of the header that starts with `first_header`."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first_header:
            return row[0].row
    raise AssertionError(f"no header {first_header!r} on {ws.title}")


def table(ws, first_header: str) -> pd.DataFrame:
    """The table whose header starts with `first_header`, down to the first blank row."""
    start = header_row(ws, first_header)
    rows = list(ws.iter_rows(min_row=start, values_only=True))
    headers = [h for h in rows[0] if h is not None]
    body = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        body.append(r[:len(headers)])
    return pd.DataFrame(body, columns=headers)


def cells_by_header(ws, first_header: str, header: str) -> list:
    """The cells (with their formats) of one column of a table."""
    start = header_row(ws, first_header)
    col = [c.value for c in ws[start]].index(header) + 1
    out = []
    for row in ws.iter_rows(min_row=start + 1, min_col=col, max_col=col):
        if row[0].value is None and ws.cell(row[0].row, 1).value is None:
            break
        out.append(row[0])
    return out


# --- Sheets, headers, formats ------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheet_names_in_the_ui_language(fixture_db, lang):
    wb = build(fixture_db, lang=lang)
    assert wb.sheetnames == [t(f"management_workbook_sheet_{s}", lang) for s in SHEETS]
    summary = wb.worksheets[0]
    assert header_row(summary, label("kpi", lang)) == 2
    assert [c.value for c in summary[2]][:4] == [label(c, lang) for c in
                                                 ("kpi", "this_period", "previous", "delta")]
    assert PERIOD.start in summary["A1"].value and PERIOD.previous().start in summary["A1"].value


def test_headers_are_bold_frozen_and_filtered(book):
    ws = book[t("management_workbook_sheet_breaches")]
    headers = [c.value for c in ws[2]]
    assert headers[:3] == [label("ticket_id"), label("customer_id"), label("customer_name")]
    assert label("arrival_status") in headers and label("report_status") in headers
    assert ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")


def test_summary_rates_are_numbers_formatted_as_percent(book):
    ws = book[t("management_workbook_sheet_summary")]
    cells = {row[0].value: row for row in ws.iter_rows(min_row=3, max_row=14)}
    arrival = cells[t("metric_arrival")]
    for cell in arrival[1:4]:
        assert isinstance(cell.value, float) and cell.number_format == PERCENT
    tickets = cells[t("management_workbook_kpi_tickets")]
    assert isinstance(tickets[1].value, int) and tickets[1].number_format != PERCENT
    assert len(cells) == 12


def test_dates_are_dates(book):
    ws = book[t("management_workbook_sheet_breaches")]
    reported = cells_by_header(ws, label("ticket_id"), label("reported_at"))
    assert reported and all(isinstance(c.value, pd.Timestamp | object) for c in reported)
    assert all(c.is_date and c.number_format == "yyyy-mm-dd hh:mm" for c in reported)
    actions = book[t("management_workbook_sheet_actions")]
    due = cells_by_header(actions, label("action_id"), label("due_date"))
    assert due and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in due)


# --- Values against the database ---------------------------------------------------------------

def test_summary_compliance_equals_ticket_sla(book, fixture_db):
    ws = book[t("management_workbook_sheet_summary")]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, max_row=14, values_only=True)}
    for metric in ("arrival", "confirm", "response"):
        met, judged, breached = sql(fixture_db, """
            WITH s AS (
                SELECT CASE $metric WHEN 'arrival' THEN arrival_status
                       WHEN 'confirm' THEN confirm_status ELSE response_status END AS status
                FROM ticket_sla WHERE reported_at >= $start AND reported_at < $end)
            SELECT count(*) FILTER (WHERE status = 'met'),
                   count(*) FILTER (WHERE status IN ('met', 'breached', 'no_record')),
                   count(*) FILTER (WHERE status = 'breached')
            FROM s""", {"metric": metric, "start": BOUNDS[0], "end": BOUNDS[1]})[0]
        row = rows[t(f"metric_{metric}")]
        assert row[1] == pytest.approx(met / judged)
        assert row[4:8] == (met, judged, met, breached)
    prev_met, prev_judged = sql(fixture_db, """
        SELECT count(*) FILTER (WHERE arrival_status = 'met'),
               count(*) FILTER (WHERE arrival_status IN ('met', 'breached', 'no_record'))
        FROM ticket_sla WHERE reported_at >= '2025-07-01' AND reported_at < '2025-10-01'""")[0]
    arrival = rows[t("metric_arrival")]
    assert arrival[2] == pytest.approx(prev_met / prev_judged)
    assert arrival[3] == pytest.approx(arrival[1] - arrival[2])
    overdue = sql(fixture_db, "SELECT count(*) FROM action_status WHERE is_overdue")[0][0]
    assert rows[t("management_workbook_kpi_overdue_actions")][1] == overdue


def test_trend_has_twelve_months_ending_with_the_period(book):
    ws = book[t("management_workbook_sheet_summary")]
    trend = table(ws, t("month"))
    assert list(trend[t("month")]) == [str(p) for p in pd.period_range("2025-01", "2025-12",
                                                                       freq="M")]
    arrival = cells_by_header(ws, t("month"), t("metric_arrival"))
    assert all(c.number_format == PERCENT for c in arrival)


def test_breach_rows_are_the_tickets_with_a_breach(book, fixture_db):
    expected = sql(fixture_db, """
        SELECT ticket_id FROM ticket_sla
        WHERE reported_at >= ? AND reported_at < ?
          AND list_has_any(['breached', 'no_record'], [response_status, arrival_status,
              confirm_status, report_status, upgrade_status, handling_status])""", BOUNDS)
    rows = table(book[t("management_workbook_sheet_breaches")], label("ticket_id"))
    assert sorted(rows[label("ticket_id")]) == sorted(r[0] for r in expected)
    # Statuses are words, and every row shows at least one breached or unrecorded promise.
    status_cols = [label(c) for c in ("response_status", "arrival_status", "confirm_status",
                                      "report_status", "upgrade_status", "handling_status")]
    words = {t(f"status_{s}") for s in ("met", "breached", "pending", "no_record", "na")}
    assert set(rows[status_cols].stack().dropna()) <= words
    bad = rows[status_cols].isin([t("status_breached"), t("status_no_record")]).any(axis=1)
    assert bad.all()


def test_other_sheets_count_what_the_database_holds(book, fixture_db):
    complaints = table(book[t("management_workbook_sheet_complaints")], label("complaint_id"))
    assert len(complaints) == sql(fixture_db, "SELECT count(*) FROM complaints WHERE "
                                  "received_at >= ? AND received_at < ?", BOUNDS)[0][0]
    reports = table(book[t("management_workbook_sheet_fault_reports")], label("ticket_id"))
    assert len(reports) == sql(fixture_db, """
        SELECT count(*) FROM ticket_sla AS s JOIN tickets USING (ticket_id)
        WHERE s.reported_at >= ? AND s.reported_at < ? AND category = 'fault'
          AND report_status <> 'na'""", BOUNDS)[0][0]
    audit = sql(fixture_db, """
        SELECT count(*) FROM ticket_sla AS s JOIN tickets USING (ticket_id)
        WHERE s.reported_at >= ? AND s.reported_at < ? AND category = 'fault'
          AND severity_check <> 'consistent'""", BOUNDS)[0][0]
    severity = book[t("management_workbook_sheet_severity")]
    assert len(table(severity, label("ticket_id"))) == audit
    split = table(severity, label("level")).set_index(label("level"))
    severe = sql(fixture_db, """
        SELECT count(*) FROM ticket_sla AS s JOIN tickets USING (ticket_id)
        WHERE s.reported_at >= ? AND s.reported_at < ? AND category = 'fault'
          AND rule_severity = 'severe'""", BOUNDS)[0][0]
    assert split.loc[t("severity_severe"), label("by_rule")] == severe
    actions = table(book[t("management_workbook_sheet_actions")], label("action_id"))
    assert len(actions) == sql(fixture_db, "SELECT count(*) FROM actions WHERE "
                               "created_at >= ? AND created_at < ?", BOUNDS)[0][0]


def test_satisfaction_sheet_matches_survey_facts(book, fixture_db):
    ws = book[t("management_workbook_sheet_satisfaction")]
    summary = table(ws, label("survey_type")).set_index(label("survey_type"))
    satisfied, answered, sent = sql(fixture_db, """
        SELECT count(*) FILTER (WHERE satisfied), count(*) FILTER (WHERE answered), count(*)
        FROM survey_facts WHERE sent_at >= ? AND sent_at < ?""", BOUNDS)[0]
    total = summary.loc[t("sat_type_all")]
    assert total[label("sent")] == sent
    assert total[label("csat")] == pytest.approx(satisfied / answered)
    low = sql(fixture_db, """SELECT count(*) FROM survey_facts WHERE sent_at >= ?
                             AND sent_at < ? AND low_score AND NOT has_action""", BOUNDS)[0][0]
    assert total[label("low")] - total[label("low_with_action")] == low
    engineers = table(ws, label("label"))
    assert engineers[label("low_without_action")].sum() == low
    assert len(ws._charts) == 2


def test_query_functions_keep_to_the_scope(db, fixture_db):
    customer = sql(fixture_db, "SELECT customer_id FROM customers ORDER BY 1")[0][0]
    for fn in (breach_list, severity_audit, fault_report_status):
        everyone = fn(db, Scope.everyone(), PERIOD)
        mine = fn(db, Scope.customer(customer), PERIOD)
        assert set(mine["customer_id"]) <= {customer}
        assert len(mine) == (everyone["customer_id"] == customer).sum()
        assert len(fn(db, Scope.everyone(), PERIOD, limit=3)) == min(3, len(everyone))


# --- Excel features ----------------------------------------------------------------------------

def test_breach_sheet_has_red_conditional_formatting(book):
    ws = book[t("management_workbook_sheet_breaches")]
    rules = [(str(cf.sqref), r.formula[0]) for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == 6
    assert all(t("status_breached") in formula for _, formula in rules)
    actions = book[t("management_workbook_sheet_actions")]
    assert any(">0" in r.formula[0] for cf in actions.conditional_formatting for r in cf.rules)


def test_summary_has_native_line_charts(book):
    ws = book[t("management_workbook_sheet_summary")]
    assert len(ws._charts) == 2
    for chart in ws._charts:
        assert chart.tagname == "lineChart"
        assert chart.series and chart.y_axis.number_format.formatCode == PERCENT
        # Months are text: a string reference; both axes shown.
        assert chart.series[0].cat.strRef is not None
        # No <c:delete val="1"/>: the axes are drawn (XlsxWriter leaves the element out).
        assert not chart.x_axis.delete and not chart.y_axis.delete


def test_no_cell_is_a_formula(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


@pytest.fixture(scope="module")
def hostile_db(fixture_db, tmp_path_factory):
    """A copy of the fixture that also loaded complaints whose text looks like formulas."""
    from etl.load import load
    from service_quality.settings import load_settings

    tmp = tmp_path_factory.mktemp("mgmt_hostile")
    db = tmp / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    as_of = sql(db, "SELECT value FROM load_info WHERE key = 'as_of'")[0][0]
    (tmp / "in").mkdir()
    frame = pd.DataFrame({
        "complaint_id": [f"TSX{i}" for i in range(len(HOSTILE))],
        "customer_id": "C001",
        "received_at": [f"2025-11-0{i + 1} 10:00" for i in range(len(HOSTILE))],
        "description": HOSTILE,
        "category": HOSTILE,
    })
    # CSV, quoted: a spreadsheet writer would store "=…" as a formula, not as the text.
    frame.to_csv(tmp / "in" / "complaints.csv", index=False, quoting=csv.QUOTE_ALL)
    load([tmp / "in"], db, load_settings(), as_of=pd.Timestamp(as_of).to_pydatetime())
    return db


def test_hostile_text_reads_back_identical(hostile_db):
    loaded = [r[0] for r in sql(hostile_db, "SELECT description FROM complaints WHERE "
                                "complaint_id LIKE 'TSX%' ORDER BY complaint_id")]
    assert loaded[:4] == HOSTILE[:4], "the hostile complaints were not loaded as written"
    wb = build(hostile_db)
    ws = wb[t("management_workbook_sheet_complaints")]
    start = header_row(ws, label("complaint_id"))
    header = [c.value for c in ws[start]]
    col = header.index(label("description"))
    found = {}
    for row in ws.iter_rows(min_row=start + 1):
        if row[0].value is None:
            break  # the end of the period's complaints (open complaints follow)
        if row[0].value.startswith("TSX"):
            found[row[0].value] = row[col]
    assert len(found) == len(loaded)
    for i, text in enumerate(loaded):
        cell = found[f"TSX{i}"]
        assert cell.data_type == "s" and cell.value == text
    assert found["TSX0"].value == '=HYPERLINK("http://x")'
    for sheet in wb.worksheets:
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_carriage_return_reads_back_identical(hostile_db):
    loaded = sql(hostile_db, "SELECT description FROM complaints WHERE complaint_id = ?",
                 [f"TSX{CR}"])[0][0]
    assert "\r" in loaded
    ws = build(hostile_db)[t("management_workbook_sheet_complaints")]
    start = header_row(ws, label("complaint_id"))
    col = [c.value for c in ws[start]].index(label("description"))
    cells = [r[col] for r in ws.iter_rows(min_row=start + 1) if r[0].value == f"TSX{CR}"]
    assert cells[0].value == loaded


# --- Scope and edge cases ----------------------------------------------------------------------

def test_customer_scope_shows_no_other_customer(fixture_db):
    customers = sql(fixture_db, "SELECT customer_id, name FROM customers ORDER BY 1")
    mine, my_name = customers[0]
    wb = build(fixture_db, scope=Scope.customer(mine))
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    for ws in wb.worksheets:
        for chart in ws._charts:
            texts += [s.tx.strRef.f for s in chart.series if s.tx and s.tx.strRef]
    blob = "\n".join(texts)
    assert my_name in blob
    for other, name in customers[1:]:
        assert not re.search(rf"(?<![A-Za-z0-9]){re.escape(other)}(?![A-Za-z0-9])", blob), other
        assert name not in blob, name


def test_an_empty_period_still_builds(fixture_db):
    wb = build(fixture_db, filters=Filters("2035-01", "2035-01"), lang="en")
    assert wb.sheetnames == [t(f"management_workbook_sheet_{s}", "en") for s in SHEETS]
    assert table(wb[t("management_workbook_sheet_breaches", "en")], label("ticket_id", "en")).empty


def test_filters_narrow_every_sheet(fixture_db):
    customer = sql(fixture_db, "SELECT customer_id FROM customers ORDER BY 1")[1][0]
    wb = build(fixture_db, filters=Filters(PERIOD.start, PERIOD.end, customers=(customer,)))
    rows = table(wb[t("management_workbook_sheet_breaches")], label("ticket_id"))
    assert set(rows[label("customer_id")]) <= {customer}
    assert customer in wb.worksheets[0]["A1"].value


# --- The download button -----------------------------------------------------------------------

def _download_app():
    from ui.frame import context
    from ui.management_workbook import management_download

    management_download(context())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_download_button(fixture_db, monkeypatch, lang):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_function(_download_app, default_timeout=60)
    at.query_params.update({"from": PERIOD.start, "to": PERIOD.end, "lang": lang})
    at.run()
    assert not at.exception
    button = at.get("download_button")[0]
    assert button.proto.label == t("management_workbook_download", lang)
    from ui.frame import Context
    from ui.management_workbook import file_name, workbook

    ctx = Context(lang, Scope.everyone(), PERIOD, pd.Timestamp("2026-01-01"), {})
    assert file_name(ctx) == {"zh": "管理报表_2025-10_2025-12.xlsx",
                              "en": "management_2025-10_2025-12.xlsx"}[lang]
    wb = openpyxl.load_workbook(io.BytesIO(workbook(ctx)))
    assert wb.sheetnames[0] == t("management_workbook_sheet_summary", lang)
