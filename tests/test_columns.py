"""The column catalogue: one heading per column and language, used by every table the app shows
(pages, the management workbook, the customer report's xlsx and PDF); Excel flags red by name."""

import io
import re
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from service_quality import columns
from service_quality import pages as registry
from service_quality.database import Database
from service_quality.filters import Filters
from service_quality.messages import HERE as MESSAGES
from service_quality.messages import catalogue as messages
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.terms import terms_in_force
from service_quality.reports import customer_report as rc
from service_quality.reports.management_workbook import management_workbook
from ui.export import export_sheet
from ui.frame import Context

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")
LANGS = ("zh", "en")
HEADER_FILL = "DDEBF7"  # service_quality.excel.HEADER_FILL


def headings(fixture_db, lang: str, filters: Filters = PERIOD) -> set[str]:
    """Every heading the catalogue gives in LANG, terms filled as the pages fill them."""
    db = Database(fixture_db)
    try:
        terms = terms_in_force(db, Scope.everyone(), filters)
    finally:
        db.close()
    return set(columns.heading_names(lang, terms))


# --- one place, one heading ------------------------------------------------------------------

def test_the_catalogue_names_each_column_once_with_both_languages():
    text = columns.PATH.read_text(encoding="utf-8")
    names = re.findall(r"(?m)^\[([^\]]+)\]$", text)
    assert len(names) == len(set(names)) == len(tomllib.loads(text)) > 200
    for col in columns.catalogue().values():
        assert col.zh and col.en, col.name
        assert not (col.red and not col.codes), f"{col.name}: red codes need their words"
        for code in col.red:
            assert columns.code_word(col.name, code) != code, (col.name, code)


def test_no_message_file_defines_a_column_heading():
    defined = [k for k in messages() if re.match(r"(.*_)?col_", k)]
    assert defined == []
    for path in MESSAGES.glob("*.toml"):
        assert not re.search(r"(?m)^\[(.*_)?col_", path.read_text(encoding="utf-8")), path.name


def test_no_code_asks_the_messages_for_a_heading():
    # Headings come from service_quality.columns / ui.columns.column_label only.
    asks = re.compile(r"""\bt\(\s*f?["'][a-z_{}]*col_""")
    found = [f"{p.relative_to(ROOT)}:{n}"
             for folder in ("pages", "ui", "service_quality", "etl")
             for p in sorted((ROOT / folder).rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if asks.search(line)]
    assert found == []


def test_flagged_and_rate_headings_name_one_column():
    # show_table finds a relabelled column's name by its heading: for the columns Excel styles
    # (red flags, rates) a heading must lead back to one column.
    styled = [c for c in columns.catalogue().values() if c.red or c.red_when or c.format]
    for lang in LANGS:
        for col in styled:
            text = columns._text(col, lang, bool(col.zh_varies))
            same = [c.name for c in columns.catalogue().values()
                    if text in (columns._text(c, lang, False), columns._text(c, lang, True))]
            assert same == [col.name], (lang, text, same)


def test_headings_state_each_customers_terms(fixture_db):
    db = Database(fixture_db)
    try:
        terms = terms_in_force(db, Scope.everyone(), PERIOD)
    finally:
        db.close()
    hours = terms.words("zh").first_reply_limit_hours
    zh = columns.label("first_reply_status", "zh", terms)
    assert zh == (f"{hours}内回复" if hours is not None
                  else columns.column("first_reply_status").zh_varies)
    with pytest.raises(ValueError):
        columns.label("first_reply_status", "zh")


# --- every table shown uses it ----------------------------------------------------------------

def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if isinstance(d.value, pd.DataFrame)]


def _page_runs(fixture_db, monkeypatch, name: str, lang: str) -> list[AppTest]:
    """The page drawn in LANG, once per lazily drawn tab (the other tabs draw everything)."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
    at.query_params["lang"] = lang
    at.query_params["from"] = PERIOD.start
    at.query_params["to"] = PERIOD.end
    at.run()
    assert not at.exception, at.exception
    runs = [at]
    lazy = {"overview.py": "overview_worklist_tabs", "report.py": "report_tab"}.get(name)
    if lazy:
        for label in [tab.label for tab in at.tabs][1:]:
            at.session_state[lazy] = label
            at.run()
            assert not at.exception, at.exception
            runs.append(at)
    return runs


@pytest.mark.parametrize("name", sorted(p.file for p in registry.PAGES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_table_heading_is_the_catalogues(fixture_db, monkeypatch, name, lang):
    known = headings(fixture_db, lang)
    shown = {}
    for at in _page_runs(fixture_db, monkeypatch, name, lang):
        for frame in _tables(at):
            for heading in list(frame.columns) + [n for n in frame.index.names if n]:
                shown.setdefault(str(heading), frame.columns.tolist())
    # The terms table has one column per term of the agreement, named by the term (a pivot).
    known |= {t(k, lang) for k in messages() if k.startswith(("terms_item_", "data_setting_"))}
    unknown = {h: cols for h, cols in shown.items() if h not in known}
    assert not unknown, unknown


def _header_rows(ws) -> list[list[str]]:
    """The header rows of every table on a sheet (the header fill marks them)."""
    found = []
    for row in ws.iter_rows():
        if row and row[0].fill is not None and str(row[0].fill.fgColor.rgb).endswith(HEADER_FILL):
            found.append([c.value for c in row if c.value is not None])
    return found


def _pivot_heading(text: str, lang: str, terms) -> bool:
    """A heading that names a code value of a pivoted column (a promise, a survey type…)."""
    words = {t(k, lang, terms=terms) for k in messages()
             if k.startswith(("metric_", "management_workbook_kpi_", "sat_type_"))
             and not k.endswith("_varies") and not k.startswith("management_workbook_kpi_title")}
    words |= {t(k, lang) for k in messages() if k.endswith("_varies")
              and k.startswith("metric_")}
    return text in words or any(text.startswith(f"{w} · ") for w in words)


@pytest.mark.parametrize("lang", LANGS)
def test_management_workbook_headings_are_the_catalogues(fixture_db, lang):
    db = Database(fixture_db)
    try:
        data = management_workbook(db, Scope.everyone(), PERIOD, lang)
        terms = terms_in_force(db, Scope.everyone(), PERIOD)
    finally:
        db.close()
    known = set(columns.heading_names(lang, terms))
    book = openpyxl.load_workbook(io.BytesIO(data))
    seen = 0
    for ws in book.worksheets:
        if ws.title == t("management_workbook_sheet_terms", lang):
            continue  # one row per customer, one column per term: named by the terms
        for header in _header_rows(ws):
            seen += len(header)
            bad = [h for h in header if h not in known and not _pivot_heading(h, lang, terms)]
            assert not bad, (ws.title, bad)
    assert seen > 100


def _report(fixture_db, lang):
    db = Database(fixture_db)
    try:
        return rc.customer_report(db, "C003", "2026-Q3", lang)
    finally:
        db.close()


@pytest.mark.parametrize("lang", LANGS)
def test_customer_report_headings_are_the_catalogues(fixture_db, lang):
    report = _report(fixture_db, lang)
    known = set(columns.heading_names(lang, report.terms))
    book = openpyxl.load_workbook(io.BytesIO(rc.report_xlsx(report, lang)))
    seen = 0
    for ws, section in zip(book.worksheets, rc.sections(report, lang), strict=True):
        header = [c.value for c in ws[2] if c.value is not None]
        if section.key == "sla_trend":
            header = header[:1]  # then one column per promise, named by the promise
        seen += len(header)
        assert not [h for h in header if h not in known], (section.key, header)
    assert seen > 50
    pdf = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in
                                      PdfReader(io.BytesIO(rc.report_pdf(report, lang))).pages))
    for section in rc.sections(report, lang):
        if section.frame.empty or section.key == "sla_trend":
            continue
        for name in section.frame.columns:
            heading = re.sub(r"[\s\x00]+", "", rc.column_label(name, lang, report.terms))
            assert heading in pdf, (section.key, name, heading)


# --- red flags follow the column's name -------------------------------------------------------

def _flagged(data: bytes) -> list[list[tuple[str, str]]]:
    """Per sheet: each red rule's cell range and its formula with the quoted words taken out."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [sorted((str(rng.sqref), re.sub(r'"[^"]*"', '""', rule.formula[0]))
                   for rng in ws.conditional_formatting for rule in rng.rules)
            for ws in book.worksheets]


def test_management_workbook_flags_the_same_cells_in_both_languages(fixture_db):
    db = Database(fixture_db)
    try:
        zh, en = (management_workbook(db, Scope.everyone(), PERIOD, lang) for lang in LANGS)
    finally:
        db.close()
    flags = _flagged(zh)
    assert flags == _flagged(en)
    assert sum(len(sheet) for sheet in flags) >= 10


def test_customer_report_flags_the_same_cells_in_both_languages(fixture_db):
    zh, en = (rc.report_xlsx(_report(fixture_db, lang), lang) for lang in LANGS)
    flags = _flagged(zh)
    assert flags == _flagged(en)
    assert any(flags)


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_table_is_flagged_by_column_name_not_by_the_words_in_it(lang):
    ctx = Context(lang, Scope.everyone(), PERIOD, pd.Timestamp("2026-01-01"), {})
    breached = t("status_breached", lang)
    # A comment that happens to say "breached", and a status column whose rows are all met.
    frame = pd.DataFrame({"comment": [breached, "ok"],
                          "arrival_status": [t("status_met", lang)] * 2,
                          "first_reply_hours_left": [-1.0, 2.0], "days_overdue": [0, 3]})
    shown = frame.rename(columns={c: columns.label(c, lang) for c in
                                  ("comment", "arrival_status")})
    sheet = export_sheet(ctx, shown, "s", labels={"first_reply_hours_left": "left"})
    assert sheet.flag_values == {columns.label("arrival_status", lang):
                                 columns.red_words("arrival_status", lang)}
    assert list(sheet.flag_negative) == ["left"]
    assert list(sheet.flag_positive) == ["days_overdue"]
