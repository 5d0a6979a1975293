"""Excel downloads and workbooks: read back with openpyxl, they hold what the screen shows."""

import io
import tracemalloc
import zipfile
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from service_quality import pages as registry
from service_quality.columns import label
from service_quality.excel import (
    DATE,
    DATETIME,
    INTEGER,
    PERCENT,
    Chart,
    Sheet,
    sheet_name,
    table_bytes,
    workbook_bytes,
    write_workbook,
)
from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.tickets import Drill, ticket_list
from ui.drill import STATUS_COLUMNS, ticket_list_view
from ui.export import export_sheet, file_name
from ui.frame import Context

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")
HOSTILE = ["=1+1", "+86 1", "-3", "@SUM(A1)", "\tx", "\rx", "\nx", "a\r\nb",
           "<script>alert(1)</script>", "=HYPERLINK(\"http://x\",\"y\")", "'quoted", "超时"]


def read(data: bytes):
    """The workbook in `data`, read back as a user's Excel would see it."""
    return load_workbook(io.BytesIO(data))


def ctx_for(lang: str, filters: Filters = PERIOD) -> Context:
    """A page context without Streamlit: language, everyone's scope, the filters."""
    return Context(lang, Scope.everyone(), filters, pd.Timestamp("2026-01-01"), {})


def rows(ws):
    """The sheet's values below the header."""
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


# --- sheet names ------------------------------------------------------------------------------

def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    long = "超时工单清单" * 10
    names = [sheet_name(n, taken) for n in (long, long, "a/b:c*d?e[f]g\\h", "A/B:C*D?E[F]G\\H",
                                             "'quoted'", "")]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[2] == "a_b_c_d_e_f_g_h"
    data = workbook_bytes([Sheet(long, pd.DataFrame({"a": [1]})),
                           Sheet(long, pd.DataFrame({"a": [2]}))])
    assert read(data).sheetnames == names[:2]


# --- number formats ---------------------------------------------------------------------------

def test_numbers_dates_and_percentages_keep_their_types():
    frame = pd.DataFrame({
        "day": pd.to_datetime(["2026-01-05", "2026-02-01"]),
        "moment": pd.to_datetime(["2026-01-05 08:30", None]),
        "count": pd.Series([3, 12000], dtype="int64"),
        "hours": [1.25, -0.5],
        "rate": [0.9543, None],
        "text": ["a", None],
    })
    ws = read(table_bytes(frame, "t", percent=["rate"]))["t"]
    day, moment, count, hours, rate, text = ws[2]
    assert day.is_date and day.number_format == DATE and day.value == pd.Timestamp("2026-01-05")
    assert moment.is_date and moment.number_format == DATETIME
    assert moment.value == pd.Timestamp("2026-01-05 08:30")
    assert count.data_type == "n" and count.value == 3 and count.number_format == INTEGER
    assert hours.data_type == "n" and hours.value == 1.25
    # A percentage is a number formatted 0.0%, never the text "95.4%".
    assert rate.data_type == "n" and rate.value == pytest.approx(0.9543)
    assert rate.number_format == PERCENT
    assert ws["E3"].value is None and ws["F3"].value is None and ws["B3"].value is None
    assert text.data_type == "s"


# --- safety -----------------------------------------------------------------------------------

def test_hostile_text_is_written_as_text_and_reads_back_identical():
    frame = pd.DataFrame({"comment": HOSTILE, "n": range(len(HOSTILE))})
    data = table_bytes(frame, "=cmd|' /C calc'!A0", labels={"comment": "=SUM(1)"})
    wb = read(data)
    ws = wb[wb.sheetnames[0]]
    assert ws["A1"].value == "=SUM(1)" and ws["A1"].data_type == "s"
    cells = [r[0] for r in ws.iter_rows(min_row=2, max_col=1)]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)
    # No formula anywhere in the file's XML: nothing the data says is ever evaluated.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in s or b"<f " in s for s in sheets)


def test_illegal_control_characters_are_dropped_not_fatal():
    ws = read(table_bytes(pd.DataFrame({"v": ["a\x00b\x1fc"]}), "t"))["t"]
    assert ws["A2"].value == "abc"


# --- layout and red flags ---------------------------------------------------------------------

def test_header_is_bold_frozen_and_filtered_with_red_rules():
    frame = pd.DataFrame({"status": ["超时", "达标"], "left": [-1.5, 2.0], "late": [3, 0]})
    ws = read(table_bytes(frame, "t", flag_values={"status": ("超时",)},
                          flag_negative=["left"], flag_positive=["late"]))["t"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C3"
    assert ws.column_dimensions["A"].width >= 6
    rules = {str(rng.sqref): [r.formula[0] for r in rng.rules]
             for rng in ws.conditional_formatting}
    assert rules["A2:A3"] == ['OR(A2="超时")']
    assert rules["B2:B3"] == ["AND(ISNUMBER(B2),B2<0)"]
    assert rules["C2:C3"] == ["AND(ISNUMBER(C2),C2>0)"]
    fill = next(iter(ws.conditional_formatting)).rules[0].dxf.fill
    assert fill.fgColor.rgb.endswith("FFC7CE") or fill.bgColor.rgb.endswith("FFC7CE")


# --- a real page table ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sla_ticket_list_equals_the_database(db, fixture_db, lang):
    ctx = ctx_for(lang)
    frame = ticket_list(db, Scope.everyone(), PERIOD, Drill(metric="arrival", status="breached"))
    sheet = export_sheet(ctx, ticket_list_view(ctx, frame), t("drill_title", lang))
    wb = read(workbook_bytes([sheet]))
    ws = wb[wb.sheetnames[0]]
    assert wb.sheetnames == [t("drill_title", lang)]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == [label(f"{c}", lang) for c in
                           ("ticket_id", "customer_name", "reported_at", "category")]
    col = {h: i for i, h in enumerate(headers)}
    con = duckdb.connect(str(fixture_db), read_only=True)
    try:
        expected = con.execute(
            "SELECT ticket_id, reported_at, arrival_minutes, arrival_limit_minutes "
            "FROM ticket_facts WHERE month BETWEEN '2025-07' AND '2025-12' "
            "AND arrival_status = 'breached' ORDER BY reported_at DESC, ticket_id "
            "LIMIT 500").fetchall()
    finally:
        con.close()
    got = rows(ws)
    assert len(got) == len(expected) > 0
    for row, (ticket, reported, minutes, limit) in zip(got, expected, strict=True):
        assert row[col[label("ticket_id", lang)]] == ticket
        assert row[col[label("reported_at", lang)]] == reported.replace(microsecond=0) \
            or row[col[label("reported_at", lang)]] == reported
        assert row[col[label("arrival_minutes", lang)]] == pytest.approx(minutes)
        assert row[col[label("arrival_limit_minutes", lang)]] == pytest.approx(limit)
    # Statuses are the words on screen, and the breached word is filled red.
    arrival = col[label("arrival_status", lang)]
    assert {r[arrival] for r in got} == {t("status_breached", lang)}
    reported_cell = ws.cell(row=2, column=col[label("reported_at", lang)] + 1)
    assert reported_cell.is_date and reported_cell.number_format == DATETIME
    flagged = {str(rng.sqref).split(":")[0][:-1] for rng in ws.conditional_formatting}
    letters = {ws.cell(row=1, column=col[label(f"{c}", lang)] + 1).column_letter
               for c in STATUS_COLUMNS if (frame[c] == "breached").any()}
    assert letters and letters <= flagged


def test_export_sheet_follows_the_screen():
    ctx = ctx_for("en")
    frame = pd.DataFrame({"a": [1, 2], "rate": [0.5, 0.25], "hidden": ["x", "y"]},
                         index=pd.Index(["p", "q"], name="who"))
    import streamlit as st
    sheet = export_sheet(ctx, frame.style.format("{:.1%}", subset=["rate"]), "s",
                         column_config={"rate": st.column_config.NumberColumn(format="percent"),
                                        "hidden": None},
                         hide_index=False)
    assert list(sheet.frame.columns) == ["who", "a", "rate"]
    assert list(sheet.percent) == ["rate"]
    relabelled = export_sheet(ctx, frame.reset_index(), "s", labels={"a": "Tickets"},
                              percent=["rate"], flag_negative=["a"], hide_index=True)
    assert list(relabelled.frame.columns) == ["who", "Tickets", "rate", "hidden"]
    assert list(relabelled.flag_negative) == ["Tickets"]


def test_file_name_is_page_name_period():
    ctx = ctx_for("zh", Filters("2026-01", "2026-03"))
    assert file_name(ctx, "tickets_breached", page="sla") == \
        "sla_tickets_breached_2026-01_2026-03.xlsx"
    assert file_name(ctx, "timeline_../x y", page="sla") == \
        "sla_timeline_x_y_2026-01_2026-03.xlsx"


@pytest.fixture
def served(monkeypatch):
    """Every deferred download a page registers: file name → the callable that builds it."""
    seen = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        seen[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


def test_sla_page_download_is_what_the_page_shows(fixture_db, monkeypatch, served):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "sla.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    name = "sla_tickets_breached_arrival_2025-07_2025-12.xlsx"
    assert name in served
    assert [b.proto.label for b in at.get("download_button")] == [t("export_xlsx", "en")]
    wb = read(served[name]())
    ws = wb[wb.sheetnames[0]]
    shown = at.dataframe[0].value
    assert [c.value for c in ws[1]] == list(shown.columns)
    got = rows(ws)
    assert len(got) == len(shown)
    assert [r[0] for r in got] == list(shown.iloc[:, 0])


def test_every_table_on_every_page_has_a_download(fixture_db, monkeypatch, served):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    # The customer report page downloads its whole report (xlsx and PDF), not table by table.
    for page in [ROOT / "pages" / p.file for p in registry.PAGES if p.stem != "report"]:
        served.clear()
        at = AppTest.from_file(str(page), default_timeout=120)
        at.query_params["from"] = "2025-01"
        at.query_params["to"] = "2025-12"
        at.run()
        assert not at.exception, page.name
        keys = {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}
        tables = [d.proto.id.rsplit("-", 1)[-1] for d in at.dataframe]
        assert len(at.get("download_button")) >= len(at.dataframe), page.name
        assert all(f"{k}_xlsx" in keys for k in tables if k), page.name
        # <page>_<name>_<from>_<to>.xlsx, one name per table (the overview also offers the
        # management workbook, named for itself).
        tables_served = [n for n in served if not n.startswith(("管理报表_", "management_"))]
        assert len(tables_served) >= len(at.dataframe), page.name
        assert all(n.startswith(f"{page.stem}_") and n.endswith("_2025-01_2025-12.xlsx")
                   for n in tables_served), (page.name, list(served))


# --- streaming: memory does not grow with rows ------------------------------------------------

def _peak(n: int, path: Path) -> int:
    # One text column: the kind of cell a long ticket list is made of (and quick to write).
    frame = pd.DataFrame({"ticket_id": [f"T{i:08d}" for i in range(n)]})
    tracemalloc.start()
    try:
        write_workbook([Sheet("t", frame)], path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_100k_row_sheet_is_written_in_bounded_memory(tmp_path):
    small = _peak(20_000, tmp_path / "small.xlsx")
    large = _peak(100_000, tmp_path / "large.xlsx")
    # Five times the rows, but not twice the memory: rows are streamed to disk.
    assert large < 2 * small, (small, large)
    with zipfile.ZipFile(tmp_path / "large.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert xml.count(b"<row ") == 100_001
    assert b"T00099999" in xml


# --- what the XlsxWriter rewrite must keep ----------------------------------------------------

def sheet_xml(data: bytes) -> bytes:
    """The first worksheet's XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_text_that_looks_like_xlsx_markup_stays_text():
    # XlsxWriter writes a string "<r>…</r>" as rich-text XML, unescaped; "_x0041_" is Excel's
    # escape of "A". Both are a customer's words here and must read back as written.
    texts = ["<r><t>x</t></r>", "<r></r>", "<r>a\nb</r>", "_x0041_", "a_x000D_b",
             "<r><f>1+1</f></r>", "</r>", "<r>"]
    data = table_bytes(pd.DataFrame({"v": texts}), "t")
    ws = read(data)["t"]
    got = [c.value for c in ws["A"][1:]]
    assert got[:3] + got[5:] == texts[:3] + texts[5:]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    # Excel decodes _xHHHH_: the underscore itself is escaped so Excel shows the text as is.
    xml = sheet_xml(data)
    assert b"_x005F_x0041_" in xml and b"a_x005F_x000D_b" in xml
    assert b"<f>" not in xml


def test_carriage_returns_and_illegal_characters_in_every_kind_of_cell():
    frame = pd.DataFrame({"plain": ["a\rb", "\r", "x\x00\x1f\x0b\x0cy", "\ufffez\uffff"],
                          "mixed": ["c\rd", 1, None, "e\x01"]})
    data = table_bytes(frame, "t\x01", labels={"plain": "h\r1"})
    wb = read(data)
    ws = wb[wb.sheetnames[0]]
    assert wb.sheetnames == ["t"]
    assert ws["A1"].value == "h\r1"
    assert [c.value for c in ws["A"][1:]] == ["a\rb", "\r", "xy", "z"]
    assert [c.value for c in ws["B"][1:]] == ["c\rd", 1, None, "e"]


def test_missing_values_are_empty_cells_of_every_dtype():
    frame = pd.DataFrame({
        "float": [1.5, np.nan, np.inf, -np.inf],
        "Int64": pd.array([1, None, 3, None], dtype="Int64"),
        "Float64": pd.array([0.5, None, 0.25, None], dtype="Float64"),
        "boolean": pd.array([True, None, False, None], dtype="boolean"),
        "when": pd.to_datetime(["2026-01-05 08:30", None, "2026-01-06 09:00", None]),
        "text": ["a", None, "", None],
        "object": pd.Series(["a", None, 2.5, float("nan")], dtype=object),
    })
    ws = read(table_bytes(frame, "t"))["t"]
    got = rows(ws)
    assert got[0] == [1.5, 1, 0.5, True, pd.Timestamp("2026-01-05 08:30"), "a", "a"]
    # NaN, ±inf, NA and NaT: no cell, never the text "nan" or an error value.
    assert got[1] == [None] * 7
    assert got[2][:5] == [None, 3, 0.25, False, pd.Timestamp("2026-01-06 09:00")]
    assert got[2][6] == 2.5
    assert len(got) == 3  # the last row has no value at all: no cell
    xml = sheet_xml(table_bytes(frame, "t"))
    assert b"nan" not in xml.lower() and b"inf" not in xml.lower() and b"#NUM" not in xml


def test_dates_times_and_mixed_objects_keep_their_types():
    frame = pd.DataFrame({
        "aware": pd.to_datetime(["2026-01-05 08:30"]).tz_localize("Asia/Shanghai"),
        "day_obj": pd.Series([date(2026, 3, 1)], dtype=object),
        "old": pd.to_datetime(["1900-01-15"]),
        "decimal": pd.Series([Decimal("12.5")], dtype=object),
        "list": pd.Series([["a", "b"]], dtype=object),
        "cat": pd.Series(["x"], dtype="category"),
        "ns": pd.Series(pd.to_datetime(["2026-01-05 08:30:15"])).astype("datetime64[ns]"),
        "waited": pd.to_timedelta(["26h30min"]),
        "at": pd.Series([time(8, 30)], dtype=object),
    })
    ws = read(table_bytes(frame, "t"))["t"]
    aware, day, old, dec, lst, cat, ns, waited, at = ws[2]
    # A duration is a number of days shown as hours (26:30), a time of day as hh:mm.
    assert waited.value == timedelta(hours=26, minutes=30) and waited.number_format == "[h]:mm"
    assert at.value == time(8, 30) and at.number_format == "hh:mm"
    # Wall-clock time as recorded; Excel has no time zones.
    assert aware.is_date and aware.value == pd.Timestamp("2026-01-05 08:30")
    assert day.is_date and day.number_format == DATE and day.value == pd.Timestamp("2026-03-01")
    # Before 1900-03-01 Excel counts from 1899-12-31 (serial 15 is 1900-01-15).
    assert old.value == pd.Timestamp("1900-01-15")
    assert dec.data_type == "n" and dec.value == 12.5
    assert lst.value == "a, b" and cat.value == "x"
    assert ns.value == pd.Timestamp("2026-01-05 08:30:15") and ns.number_format == DATETIME


def test_charts_are_native_with_text_categories_and_cached_values():
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    frame = pd.DataFrame({"month": months, "rate": [0.9, 0.8, None, 0.85, 0.95, 1.0],
                          "other": [0.5] * 6})
    data = workbook_bytes([Sheet("t", frame, {"rate": "达标率"}, percent=["rate"], charts=[
        Chart("趋势", ["rate"], percent=True), Chart("柱", ["other"], kind="bar", anchor="A20"),
        Chart("none", ["missing"])])])
    ws = read(data)["t"]
    assert [c.tagname for c in ws._charts] == ["lineChart", "barChart"]
    line = ws._charts[0]
    series = line.series[0]
    assert series.cat.strRef.f == "t!$A$2:$A$7"
    assert [p.v for p in series.cat.strRef.strCache.pt] == months
    assert series.val.numRef.f == "t!$B$2:$B$7"
    assert [p.idx for p in series.val.numRef.numCache.pt] == [0, 1, 3, 4, 5]
    assert series.tx.strRef.f == "t!$B$1"
    assert line.y_axis.number_format.formatCode == PERCENT
    assert not line.x_axis.delete and not line.y_axis.delete
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        chart_xml = z.read("xl/charts/chart1.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert "趋势" in chart_xml and "达标率" in chart_xml
    # The second chart is anchored where asked (A20: column 0, row 19).
    assert "<xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>19</xdr:row>" in drawing


def test_tables_below_row_formats_and_reserved_sheet_names():
    kpis = pd.DataFrame({"kpi": ["rate", "count"], "value": [0.5, 1234.0],
                         "fmt": [PERCENT, INTEGER]})
    below = Sheet("", pd.DataFrame({"n": [1, 2]}), title="below", flag_positive=["n"])
    data = workbook_bytes([Sheet("History", kpis, percent=["value"], row_format="fmt",
                                 title="top", below=[below])])
    wb = read(data)
    ws = wb[wb.sheetnames[0]]
    assert wb.sheetnames[0].lower() != "history"
    assert ws["A1"].value == "top" and ws["A1"].font.b and ws["A1"].font.sz == 13
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:B4"
    assert [c.value for c in ws[2]] == ["kpi", "value"]  # the format column is not written
    assert ws["B3"].number_format == PERCENT and ws["B3"].value == 0.5
    assert ws["B4"].number_format == INTEGER and ws["B4"].value == 1234
    # One blank row, then the next table with its own title and header.
    assert ws["A5"].value is None and ws["A6"].value == "below" and ws["A7"].value == "n"
    assert [ws["A8"].value, ws["A9"].value] == [1, 2]
    rules = {str(rng.sqref): [r.formula[0] for r in rng.rules]
             for rng in ws.conditional_formatting}
    assert rules == {"A8:A9": ["AND(ISNUMBER(A8),A8>0)"]}
    header = ws["A2"]
    assert header.font.b and header.fill.fgColor.rgb.endswith("DDEBF7")


def test_empty_tables_and_no_sheets_still_make_a_workbook():
    empty = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="float64")})
    wb = read(workbook_bytes([Sheet("e", empty, flag_negative=["b"],
                                    charts=[Chart("c", ["b"])])]))
    ws = wb["e"]
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1
    assert not ws._charts and not list(ws.conditional_formatting)
    assert read(workbook_bytes([])).sheetnames == ["Sheet"]


def _cells_of(data: bytes) -> list[tuple]:
    ws = read(data)["t"]
    return [(c.coordinate, c.value, c.data_type, c.number_format, c.style_id != 0)
            for row in ws.iter_rows() for c in row if c.value is not None]


def test_rows_built_as_xml_equal_xlsxwriters_own_cells():
    # Rows are written a chunk at a time as XML built column by column; a table whose formats
    # change per row goes through XlsxWriter's writers cell by cell. Both must agree exactly.
    n = 7
    frame = pd.DataFrame({
        "text": (HOSTILE + ["_x0041_", " lead", "trail ", "", None, "a\x00b"])[:n],
        "int": np.arange(n, dtype="int64") * 1_000_003,
        "Int64": pd.array([1, None, 3, None, 5, None, 2**40 + 1], dtype="Int64"),
        "float": [0.1, np.nan, 1e21, 1e-7, 0.30000000000000004, -np.inf, 46027.354166666664],
        "flag": pd.array([True, False, None, True, False, None, True], dtype="boolean"),
        "day": pd.to_datetime(["2026-01-05", None, "1900-02-28", "1900-03-01", "2026-12-31",
                               "2000-02-29", "1999-12-31"]),
        "moment": pd.to_datetime(["2026-01-05 08:30:15.500", None, "2026-01-05 23:59:59.000",
                                  "2026-01-06 00:00:00.000", "2026-07-01 12:00:00.000", None,
                                  "2026-01-01 00:00:00.000"]),
    })
    fast = workbook_bytes([Sheet("t", frame, percent=["float"])])
    per_cell = workbook_bytes([Sheet("t", frame.assign(fmt=None), percent=["float"],
                                     row_format="fmt")])
    assert b'<row r="2"><c r="A2" t="inlineStr">' in sheet_xml(fast)
    got, expected = _cells_of(fast), _cells_of(per_cell)
    # XlsxWriter writes 16 significant digits, the XML rows the shortest exact form.
    assert [c[:1] + c[2:] for c in got] == [c[:1] + c[2:] for c in expected]
    assert [c[1] for c in got] == [pytest.approx(c[1], rel=1e-15)
                                   if isinstance(c[1], float) else c[1] for c in expected]


def test_text_arrow_cannot_hold_is_written_cell_by_cell():
    # A lone surrogate (from a badly decoded file) is not UTF-8: dropped, the rest kept.
    frame = pd.DataFrame({"v": pd.Series(["ok", "a\ud800b", None], dtype=object)})
    ws = read(table_bytes(frame, "t"))["t"]
    assert [c.value for c in ws["A"]] == ["v", "ok", "ab"]


def test_chunks_written_either_way_keep_their_rows_in_order(monkeypatch):
    # A chunk arrow cannot hold goes cell by cell between chunks written as XML rows.
    import service_quality.excel as excel

    monkeypatch.setattr(excel, "CHUNK", 2)
    frame = pd.DataFrame({"v": pd.Series(["a", "b", "c\ud800", "d", "e", None, "g"],
                                         dtype=object), "n": range(7)})
    data = workbook_bytes([Sheet("t", frame, title="T", below=[Sheet("", frame.head(3))])])
    got = [[c.value for c in r] for r in read(data)["t"].iter_rows()]
    assert got == [["T", None], ["v", "n"], ["a", 0], ["b", 1], ["c", 2], ["d", 3], ["e", 4],
                   [None, 5], ["g", 6], [None, None], ["v", "n"], ["a", 0], ["b", 1], ["c", 2]]
