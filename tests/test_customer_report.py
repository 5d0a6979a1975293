"""The customer periodic report: contents equal the database's for one customer and nothing of
any other; the workbook and the PDF read back; the batch command; the page."""

import io
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from etl.cli import main
from service_quality.charts import STATUS_COLORS
from service_quality.charts import customer_report as report_charts
from service_quality.columns import label
from service_quality.database import Database
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.customer_report import report_customers
from service_quality.reports import customer_report as rc
from service_quality.reports.customer_report import (
    customer_report,
    default_period,
    period_choices,
    report_pdf,
    report_period,
    report_xlsx,
    sections,
)
from service_quality.reports.customer_report import scoped_customer_report as report_query
from tests.support.drawing import recording

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER = "C003"
PERIOD = "2026-Q3"
START, END = "2026-07-01", "2026-10-01"
IN_PERIOD = [CUSTOMER, START, END]
TICKETS_SQL = ("SELECT count(*) FROM ticket_facts WHERE customer_id = ? AND reported_at >= "
               "CAST(? AS TIMESTAMP) AND reported_at < CAST(? AS TIMESTAMP)")
ARRIVAL_SQL = ("SELECT count(*) FILTER (WHERE arrival_status = 'met') AS met, "
               "count(*) FILTER (WHERE arrival_status IN ('met', 'breached', 'no_record')) "
               "AS judged FROM ticket_sla WHERE customer_id = ? AND reported_at >= "
               "CAST(? AS TIMESTAMP) AND reported_at < CAST(? AS TIMESTAMP)")


def sql(path, text, params=()):
    """An independent query's rows as a DataFrame."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, list(params)).df()
    finally:
        con.close()


def one(path, text, params=()):
    """An independent query's single value."""
    return sql(path, text, params).iloc[0, 0]


def squeeze(text: str) -> str:
    """pypdf puts spaces (or NULs) between CJK glyphs: compare without them."""
    return re.sub(r"[\s\x00]+", "", text)


@pytest.fixture(scope="module")
def customers(fixture_db) -> pd.DataFrame:
    """Every customer of the fixture: id and name."""
    return sql(fixture_db, "SELECT customer_id, name FROM customers ORDER BY customer_id")


@pytest.fixture(scope="module")
def report(fixture_db):
    """C003's report for 2026-Q3, in Chinese."""
    db = Database(fixture_db)
    try:
        yield customer_report(db, CUSTOMER, PERIOD, "zh")
    finally:
        db.close()


def others(customers, customer_id):
    """The ids and names of every customer but `customer_id`."""
    rest = customers[customers["customer_id"] != customer_id]
    return list(rest["customer_id"]) + list(rest["name"])


# --- the period ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2026-10", ("2026-10", "2026-10", "2026-10")),
    ("2026-Q3", ("2026-07", "2026-09", "2026-Q3")),
    ("2026-q1", ("2026-01", "2026-03", "2026-Q1")),
    (" 2025-Q4 ", ("2025-10", "2025-12", "2025-Q4")),
])
def test_report_period(text, expected):
    assert report_period(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026/10", "", "Q3", "2026-1"])
def test_bad_period_is_refused(text):
    with pytest.raises(ValueError, match="2026-10"):
        report_period(text)


def test_default_period_and_choices():
    as_of = pd.Timestamp("2026-11-01 09:00")
    assert default_period(as_of, "month") == "2026-10"
    assert default_period(as_of, "quarter") == "2026-Q3"
    assert period_choices("2026-02", "2026-11", "quarter") == [
        "2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1"]
    assert period_choices("2026-09", "2026-11", "month") == ["2026-11", "2026-10", "2026-09"]


# --- contents equal the database's ------------------------------------------------------------

def test_contents_equal_sql(report, fixture_db):
    assert report.name == one(fixture_db, "SELECT name FROM customers WHERE customer_id = ?",
                              [CUSTOMER])
    assert (report.start, report.end, report.period) == ("2026-07", "2026-09", PERIOD)
    assert report.summary["tickets"] == one(fixture_db, TICKETS_SQL, IN_PERIOD)
    assert report.by_category["tickets"].sum() == report.summary["tickets"]
    assert report.summary["onsite_visits"] == one(
        fixture_db, "SELECT count(*) FROM ticket_facts WHERE customer_id = ? AND reported_at >= "
                    "CAST(? AS TIMESTAMP) AND reported_at < CAST(? AS TIMESTAMP) AND "
                    "service_mode = 'onsite' AND arrived_at IS NOT NULL", IN_PERIOD)
    arrival = sql(fixture_db, ARRIVAL_SQL, IN_PERIOD).iloc[0]
    row = report.sla.set_index("metric").loc["arrival"]
    assert row["met"] == arrival["met"]
    assert row["compliance"] == pytest.approx(arrival["met"] / arrival["judged"])
    assert report.summary["severe"] == one(
        fixture_db, "SELECT count(*) FROM ticket_facts WHERE customer_id = ? AND reported_at >= "
                    "CAST(? AS TIMESTAMP) AND reported_at < CAST(? AS TIMESTAMP) AND "
                    "category = 'fault' AND rule_severity = 'severe'", IN_PERIOD)
    assert len(report.severe_faults) == report.summary["severe"]
    # Twelve months of trend, ending with the period.
    months = report.sla_trend["month"].unique()
    assert len(months) == 12 and months[-1] == "2026-09"
    assert list(report.satisfaction_trend["month"]) == list(months)


def test_complaints_equal_sql(fixture_db):
    customer = one(fixture_db, "SELECT customer_id FROM complaints WHERE received_at >= "
                               "CAST(? AS TIMESTAMP) AND received_at < CAST(? AS TIMESTAMP) "
                               "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", [START, END])
    db = Database(fixture_db)
    try:
        rep = customer_report(db, customer, PERIOD, "zh")
    finally:
        db.close()
    expected = sql(fixture_db, "SELECT complaint_id, resolution FROM complaints WHERE "
                               "customer_id = ? AND received_at >= CAST(? AS TIMESTAMP) AND "
                               "received_at < CAST(? AS TIMESTAMP) ORDER BY complaint_id",
                   [customer, START, END])
    got = rep.complaints.sort_values("complaint_id")
    assert list(got["complaint_id"]) == list(expected["complaint_id"])
    assert list(got["resolution"].fillna("")) == list(expected["resolution"].fillna(""))
    assert rep.summary["complaints"] == len(expected)
    first_reply = rep.sla.set_index("metric").loc["complaint_first_reply"]
    assert first_reply[["met", "breached", "no_record", "pending", "na"]].sum() == len(expected)


def test_only_this_customer(report, fixture_db):
    """Every ticket, complaint and action listed belongs to the customer; no internal names."""
    tickets = set(report.severe_faults["ticket_id"]) | set(report.open_tickets["ticket_id"]) \
        | set(report.open_reports["ticket_id"])
    if tickets:
        owners = sql(fixture_db, "SELECT DISTINCT customer_id FROM tickets WHERE "
                                 "list_contains(?, ticket_id)", [sorted(tickets)])
        assert set(owners["customer_id"]) == {CUSTOMER}
    actions = set(report.actions["action_id"]) | set(report.open_actions["action_id"])
    if actions:
        owners = sql(fixture_db, "SELECT DISTINCT customer_id FROM actions WHERE "
                                 "list_contains(?, action_id)", [sorted(actions)])
        assert set(owners["customer_id"]) == {CUSTOMER}
    for frame in (report.severe_faults, report.complaints, report.actions, report.open_tickets,
                  report.open_reports, report.open_complaints, report.open_actions):
        assert not {"engineer_id", "engineer_name", "owner", "complaint_manager", "team",
                    "customer_id", "customer_name"} & set(frame.columns)


def test_unknown_customer_and_scope(fixture_db):
    db = Database(fixture_db)
    try:
        with pytest.raises(LookupError):
            customer_report(db, "NOPE", PERIOD, "zh")
        with pytest.raises(PermissionError):
            report_query(db, Scope.customer("C001"), None, CUSTOMER, PERIOD, "zh")
        assert list(report_customers(db, Scope.customer(CUSTOMER))["customer_id"]) == [CUSTOMER]
    finally:
        db.close()


# --- charts ------------------------------------------------------------------------------------

def test_chart_builders(report):
    trend = report_charts.sla_trend(report, "zh")
    assert trend.layout.xaxis.type == "category"
    assert {tr.name for tr in trend.data} == {t(f"metric_{m}", "zh", terms=report.terms)
                                              for m in report.sla["metric"]}
    bars = report_charts.sla_statuses(report, "zh")
    colors = {tr.name: tr.marker.color for tr in bars.data}
    assert colors[t("status_met", "zh")] == STATUS_COLORS["met"]
    assert colors[t("status_breached", "zh")] == STATUS_COLORS["breached"]
    sat = report_charts.satisfaction(report, "en")
    assert [tr.name for tr in sat.data] == ["CSAT", "Response rate"]
    assert sat.layout.yaxis.tickformat == ".0%"
    assert report_charts.categories(report, "zh").data[0].y.sum() == report.summary["tickets"]


# --- the workbook ------------------------------------------------------------------------------

def test_xlsx_reads_back(report):
    wb = load_workbook(io.BytesIO(report_xlsx(report, "zh")))
    titles = [s.title for s in sections(report, "zh")]
    assert wb.sheetnames == titles
    sla = wb[t("customer_report_sec_sla", "zh")]
    # Row 1 is the title line, row 2 the headers.
    assert report.name in sla["A1"].value and PERIOD in sla["A1"].value
    headers = [c.value for c in sla[2]]
    assert headers == [label("metric", "zh"), "达标", "超时", "无记录", "进行中",
                       "不适用", "达标率"]
    rows = list(sla.iter_rows(min_row=3, values_only=True))
    arrival = next(r for r in rows if r[0] == t("metric_arrival", "zh"))
    expected = report.sla.set_index("metric").loc["arrival"]
    assert arrival[1] == expected["met"] and arrival[6] == pytest.approx(expected["compliance"])
    rate_cell = next(c for c in sla["G"][2:] if c.value is not None)
    assert rate_cell.number_format == "0.0%" and isinstance(rate_cell.value, int | float)
    summary = wb[t("customer_report_sec_summary", "zh")]
    values = {r[0]: r[1] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert values[t("customer_report_kpi_tickets", "zh")] == report.summary["tickets"]
    trend = wb[t("customer_report_sec_sla_trend", "zh")]
    assert trend._charts, "the 12-month trend has a native chart"
    assert trend.max_row == 2 + 12
    severe = wb[t("customer_report_sec_severe_faults", "zh")]
    assert severe.conditional_formatting, "late reports are filled red"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_english_workbook(report):
    wb = load_workbook(io.BytesIO(report_xlsx(report, "en")))
    assert "Service-time promises" in wb.sheetnames
    ws = wb["Service-time promises"]
    assert [c.value for c in ws[2]][-1] == "Compliance"


# --- the PDF -----------------------------------------------------------------------------------

def test_pdf_without_chromium_or_font(report, monkeypatch, tmp_path):
    monkeypatch.setattr(rc, "chart_png", lambda fig: None)
    text = squeeze("".join(p.extract_text() for p in PdfReader(
        io.BytesIO(report_pdf(report, "zh"))).pages))
    assert squeeze(t("customer_report_chart_missing", "zh")) in text
    monkeypatch.setattr(rc, "FONT_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="apt-get install fonts-noto-cjk"):
        report_pdf(report, "zh")


# --- the batch command -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch(fixture_db, tmp_path_factory):
    """`python -m etl report --period 2026-Q3 --all` into a fresh folder."""
    out = tmp_path_factory.mktemp("reports")
    assert main(["report", "--period", PERIOD, "--all", "--out", str(out),
                 "--db", str(fixture_db)]) == 0
    return out


def test_batch_writes_one_xlsx_and_one_pdf_per_customer(batch, customers):
    expected = {f"{c}_{PERIOD}.{ext}" for c in customers["customer_id"] for ext in ("xlsx", "pdf")}
    assert {p.name for p in batch.iterdir()} == expected


def test_pdf_pages_name_the_customer_and_period(batch, customers):
    for customer_id, name in customers.itertuples(index=False):
        pages = PdfReader(batch / f"{customer_id}_{PERIOD}.pdf").pages
        assert len(pages) >= 2
        for n, page in enumerate(pages, start=1):
            text = squeeze(page.extract_text())
            assert name in text and PERIOD in text, (customer_id, n)
            assert f"第{n}页/共{len(pages)}页" in text, (customer_id, n)


def test_no_other_customer_anywhere(batch, customers):
    for customer_id, _ in customers.itertuples(index=False):
        forbidden = others(customers, customer_id)
        pdf = squeeze("".join(p.extract_text() for p in
                              PdfReader(batch / f"{customer_id}_{PERIOD}.pdf").pages))
        wb = load_workbook(batch / f"{customer_id}_{PERIOD}.xlsx")
        cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
        cells += " ".join(wb.sheetnames)
        for other in forbidden:
            assert squeeze(other) not in pdf, (customer_id, other)
            assert other not in cells, (customer_id, other)


def test_pdf_is_a4_with_the_cjk_font_embedded(batch):
    reader = PdfReader(batch / f"{CUSTOMER}_{PERIOD}.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = {str(f.get_object().get("/BaseFont", ""))
             for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSansCJK" in f for f in fonts), fonts
    assert len(reader.pages[0].images) >= 1, "charts are embedded as images"


def test_cli_refuses_with_exit_2(fixture_db, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", "--period", "2026-13", "--all", "--out", str(out),
                 "--db", str(fixture_db)]) == 2
    assert "bad period" in capsys.readouterr().err
    assert main(["report", "--period", PERIOD, "--customer", "C999", "--out", str(out),
                 "--db", str(fixture_db)]) == 2
    assert "unknown customer 'C999'" in capsys.readouterr().err
    assert main(["report", "--period", PERIOD, "--customer", CUSTOMER, "--out", str(out),
                 "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "no database" in capsys.readouterr().err
    assert not out.exists()


def test_cli_one_customer(fixture_db, tmp_path, capsys):
    assert main(["report", "--period", "2026-09", "--customer", CUSTOMER, "--out",
                 str(tmp_path), "--db", str(fixture_db), "--lang", "en"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{CUSTOMER}_2026-09.pdf",
                                                           f"{CUSTOMER}_2026-09.xlsx"]
    assert "1/1 C003" in capsys.readouterr().err
    wb = load_workbook(tmp_path / f"{CUSTOMER}_2026-09.xlsx")
    assert "Service summary" in wb.sheetnames


# --- the page ----------------------------------------------------------------------------------

def make_app(path, monkeypatch):
    """The report page alone on `path`."""
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=60)


def metric(at, label):
    """The value shown by the metric whose label is `label`."""
    return next(m.value for m in at.metric if m.label == label)


def test_page_customer_and_quarter(fixture_db, monkeypatch, report):
    at = make_app(fixture_db, monkeypatch)
    at.run()
    assert not at.exception
    assert at.title[0].value == "客户报告"
    assert at.selectbox(key="report_period_month").value == "2026-10"  # last full month
    at.selectbox(key="customer_report_customer").set_value(CUSTOMER).run()
    at.segmented_control(key="report_kind").set_value("quarter").run()
    assert not at.exception
    assert at.selectbox(key="report_period_quarter").value == PERIOD
    assert metric(at, "服务工单") == str(one(fixture_db, TICKETS_SQL, IN_PERIOD))
    arrival = sql(fixture_db, ARRIVAL_SQL, IN_PERIOD).iloc[0]
    assert metric(at, "到场时效") == f"{arrival['met'] / arrival['judged']:.1%}"
    name = one(fixture_db, "SELECT name FROM customers WHERE customer_id = ?", [CUSTOMER])
    assert any(name in c.value for c in at.caption)
    assert len(at.get("download_button")) == 2
    # Each promise card carries its 12-month line (drawn by the browser, no chart library).
    assert all(len(m.proto.chart_data) == 12 for m in at.metric if m.label == "到场时效")
    # Data text stays in tables: every section's table is a dataframe, in its tab, and only
    # the open tab's tables are made.
    assert [tab.label for tab in at.tabs] == [t(f"customer_report_tab_{k}", "zh") for k in rc.TABS]
    by_key = {s.key: s for s in sections(report, "zh")}
    for key, section_keys in rc.TABS.items():
        at.session_state["report_tab"] = t(f"customer_report_tab_{key}", "zh")
        at.run()
        assert not at.exception
        titles = [h.value for h in at.subheader if h.value in {s.title for s in by_key.values()}]
        assert titles == [by_key[k].title for k in section_keys], key
        tables = [k for k in section_keys if not rc.display_frame(by_key[k], "zh").empty]
        assert len(at.dataframe) + len(at.table) == len(tables), key
        # Text from data files (sites, descriptions) only ever in a grid, never as Markdown.
        assert len(at.table) <= len([k for k in tables if k in {
            "by_category", "by_mode", "sla", "sla_trend", "severity", "satisfaction"}]), key


def test_the_page_queries_the_report_it_shows_before_drawing_anything(fixture_db, monkeypatch):
    """The report the pickers show is queried once per run, before the page's first element,
    for the pickers' defaults and after each change (so a cold page reaches the browser in
    one burst, not element by element while the queries run)."""
    queried = []
    recording(monkeypatch, rc, "customer_report", queried)
    at = make_app(fixture_db, monkeypatch)
    changes = (lambda: None,
               lambda: at.selectbox(key="customer_report_customer").set_value(CUSTOMER),
               lambda: at.segmented_control(key="report_kind").set_value("quarter"),
               lambda: at.selectbox(key="report_period_quarter").set_value("2026-Q2"),
               lambda: at.segmented_control(key="report_kind").set_value("month"))
    for change in changes:
        change()
        st.cache_data.clear()
        queried.clear()
        at.run()
        assert not at.exception
        kind = at.segmented_control(key="report_kind").value
        shown = (at.selectbox(key="customer_report_customer").value,
                 at.selectbox(key=f"report_period_{kind}").value)
        assert [(args[:2], drawn) for _, args, drawn in queried] == [(shown, 0)]
    assert shown == (CUSTOMER, "2026-10")


def test_page_english(fixture_db, monkeypatch):
    at = make_app(fixture_db, monkeypatch)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Customer report"
    assert any(m.label == "Service tickets" for m in at.metric)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_are_unique(report, lang):
    for section in sections(report, lang):
        headers = list(rc.display_frame(section, lang).columns)
        assert len(headers) == len(set(headers)), (section.key, headers)


# --- file names from customer ids (issue 15) ---------------------------------------------------

AWKWARD = ("../../x", "ACME.EAST", "ACME.WEST", "acme.east", "C001")


@pytest.fixture(scope="module")
def awkward_db(tmp_path_factory):
    """A database whose customer ids are awkward as file names."""
    from etl.load import load
    from service_quality.settings import load_settings

    src = tmp_path_factory.mktemp("awkward")
    (src / "customers.csv").write_text(
        "customer_id,name\n" + "".join(f'"{c}",Customer {n}\n' for n, c in enumerate(AWKWARD)),
        encoding="utf-8")
    (src / "tickets.csv").write_text(
        "ticket_id,customer_id,reported_at\n" + "".join(
            f'T{n},"{c}",2026-10-0{n + 1} 10:00\n' for n, c in enumerate(AWKWARD)),
        encoding="utf-8")
    db = src / "service.duckdb"
    load([src / "customers.csv", src / "tickets.csv"], db, load_settings())
    return db


def test_report_files_of_awkward_ids_stay_in_out_and_never_clash(awkward_db, tmp_path, capsys):
    out = tmp_path / "a" / "b" / "out"
    code = main(["report", "--period", "2026-10", "--all", "--out", str(out), "--db",
                 str(awkward_db)])
    err = capsys.readouterr().err
    assert code == 0, err
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 2 * len(AWKWARD), written   # five customers, ten distinct files
    assert {p.name for p in tmp_path.rglob("*") if p.is_file()} == set(written)
    # Plain ids name their files; ACME.EAST and acme.east would be one file on a case-blind
    # file system, so both carry a hash of the id, like ../../x.
    assert {"ACME.WEST_2026-10.pdf", "C001_2026-10.xlsx"} <= set(written)
    assert [n for n in written if n.lower().startswith("acme.east-")] == [
        n for n in written if re.fullmatch(r"(ACME|acme)\.EAST-[0-9a-f]{8}_2026-10\.(xlsx|pdf)", n,
                                           re.IGNORECASE)]
    assert len([n for n in written if n.lower().startswith("acme.east-")]) == 4
    assert len([n for n in written if re.fullmatch(r"x-[0-9a-f]{8}_2026-10\.(xlsx|pdf)", n)]) == 2
    # Each file holds its own customer: the names in the workbooks are all different.
    names = {load_workbook(out / n).worksheets[0]["A1"].value for n in written
             if n.endswith(".xlsx")}
    assert len(names) == len(AWKWARD)
    assert "'../../x' is not a safe file name" in err
    assert "Traceback" not in err


def test_report_all_goes_on_after_one_customer_fails(awkward_db, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "C001_2026-10.xlsx").mkdir(parents=True)   # in the way of C001's workbook
    code = main(["report", "--period", "2026-10", "--all", "--out", str(out), "--db",
                 str(awkward_db)])
    captured = capsys.readouterr()
    assert code == 1
    assert "the report of customer 'C001' failed" in captured.err
    assert "1 report(s) failed: 'C001'" in captured.err
    assert "4 customer(s): 8 files" in captured.out
    assert len([p for p in out.iterdir() if p.is_file()]) == 8


def test_report_files_are_owner_only_unless_configured(awkward_db, tmp_path, monkeypatch):
    import os
    import stat

    out = tmp_path / "new" / "reports"
    assert main(["report", "--period", "2026-10", "--customer", "C001", "--out", str(out),
                 "--db", str(awkward_db)]) == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (out.parent, out, *out.iterdir())}
    assert modes == {"new": 0o700, "reports": 0o700, "C001_2026-10.xlsx": 0o600,
                     "C001_2026-10.pdf": 0o600}
    # A folder that was there already is left as it is; a link in the way is not followed.
    (tmp_path / "elsewhere").write_text("keep")
    os.chmod(out, 0o755)
    (out / "C001_2026-10.xlsx").unlink()
    (out / "C001_2026-10.xlsx").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setenv("DASHBOARD_FILE_MODE", "640")
    assert main(["report", "--period", "2026-10", "--customer", "C001", "--out", str(out),
                 "--db", str(awkward_db)]) == 1
    assert (tmp_path / "elsewhere").read_text() == "keep"
    (out / "C001_2026-10.xlsx").unlink()
    assert main(["report", "--period", "2026-10", "--customer", "C001", "--out", str(out),
                 "--db", str(awkward_db)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o640}


# --- the PDF at scale: long lists, the table drawing, charts drawn alongside ----------------

def _long_report(report, rows: int):
    """The report with `rows` open tickets, each with a long wrapping description."""
    from dataclasses import replace

    tickets = pd.DataFrame({
        "ticket_id": [f"T{i:05d}" for i in range(rows)],
        "reported_at": pd.date_range("2026-01-01 08:00", periods=rows, freq="h"),
        "category": "fault", "service_mode": "onsite", "rule_severity": "severe",
        "days_open": range(rows), "confirm_status": "breached", "arrival_status": "met"})
    return replace(report, open_tickets=tickets,
                   open_counts={**report.open_counts, "tickets": rows + 1000})


def test_pdf_lists_stop_at_pdf_rows_with_a_note(report):
    rows = rc.PDF_ROWS + 30
    pdf = PdfReader(io.BytesIO(report_pdf(_long_report(report, rows), "zh")))
    text = squeeze("".join(p.extract_text() for p in pdf.pages))
    assert squeeze(t("customer_report_pdf_first_rows", "zh", shown=rc.PDF_ROWS,
                     total=rows + 1000)) in text
    assert f"T{rc.PDF_ROWS - 1:05d}" in text and f"T{rc.PDF_ROWS:05d}" not in text
    # The workbook keeps every row the report holds.
    wb = load_workbook(io.BytesIO(report_xlsx(_long_report(report, rows), "zh")))
    ws = wb[t("customer_report_sec_open_tickets", "zh")]
    assert ws.max_row == 2 + rows


def test_pdf_tables_wrap_text_and_repeat_their_heading(report):
    from dataclasses import replace

    words = " ".join(f"word{i}" for i in range(60))
    chinese = "故障现象描述" * 30
    complaints = report.complaints.head(0).reindex(range(45))
    complaints["complaint_id"] = [f"TS{i:03d}" for i in range(45)]
    complaints["description"] = [words if i % 2 else chinese for i in range(45)]
    complaints["resolution"] = "line one\r\nline two\tend"
    data = report_pdf(replace(report, complaints=complaints), "zh")
    pages = [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]
    text = "".join(pages)
    # Every word is printed (wrapped onto as many lines as it takes), nothing cut off.
    assert squeeze(words) in text and squeeze(chinese) in text
    assert all(f"TS{i:03d}" in text for i in range(45))
    assert "lineone" in text and "linetwoend" in text
    # The table runs over pages: its heading is drawn again on the next one.
    heading = squeeze(rc.column_label("complaint_id", "zh"))
    assert sum(heading in p for p in pages) >= 2


def test_charts_of_two_pdfs_at_once_are_not_swapped():
    # kaleido's one server returns results in order, to whoever asks next: two downloads at
    # once must each get their own image. Each figure has its own background colour.
    import threading

    import plotly.graph_objects as go
    from PIL import Image

    colours = {"a": (255, 0, 0), "b": (0, 0, 255)}
    got: dict[str, list] = {"a": [], "b": []}

    def draw(name):
        for _ in range(3):
            fig = go.Figure(go.Bar(y=[1, 2]), layout={"paper_bgcolor": f"rgb{colours[name]}"})
            png = rc.chart_png(fig)
            got[name].append(None if png is None else
                             Image.open(io.BytesIO(png)).convert("RGB").getpixel((2, 2)))

    threads = [threading.Thread(target=draw, args=(n,)) for n in colours]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    if got["a"] == [None] * 3:
        pytest.skip("kaleido cannot draw here (no Chromium)")
    assert got == {n: [c] * 3 for n, c in colours.items()}
