"""Terms per customer (issue 13): two customers on different terms in one load, each judged by
its own, the limits stored beside the statuses, and every page, export and report saying each
customer's own numbers — or, for several customers on different terms, saying that they differ."""

import io
import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from google.protobuf.json_format import MessageToDict
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from etl.cli import main
from etl.load import load
from service_quality import pages as registry
from service_quality.database import Database
from service_quality.filters import Filters
from service_quality.messages import catalogue, t, term_placeholders
from service_quality.queries import Scope
from service_quality.queries.terms import terms_in_force
from service_quality.reports.management_workbook import management_workbook
from service_quality.settings import TERMS, load_settings

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2025-10-20 12:00"

# C001 keeps the defaults; C002's agreement changes every kind of term; C009 is in no file.
SETTINGS = """
[customers.C002.calendar]
working_hours = ["09:00-18:00"]

[customers.C002.ticket]
response_limit_minutes = 30
arrival_limit_working_minutes = 240
arrival_limit_non_working_minutes = 300
report_due_hours = 120
report_required_for = "severe"
handling_target_minutes = { general = 600 }
reproduction_wait_months = 1

[customers.C002.severity]
error_ratio_threshold = 0.2
threshold_inclusive = false

[customers.C002.complaint]
first_reply_limit_hours = 4
resolution_limit_days = 10

[customers.C002.survey]
satisfied_min_score = 5
low_score_max = 3

[customers.C009.survey]
low_score_max = 1
"""

CUSTOMERS = "customer_id,name\nC001,Alpha Hospital\nC002,Beta Bank\n"
# The same two tickets for each customer. A: an on-site fault reported Thu 08:45 (C001: in
# working time; C002: before its 09:00 start), response after 20 min, arrival after 180 min,
# confirmed 17:45, resolved the next day, report 96 h later, error ratio 0.25 (severe for both).
# B: a fault at exactly error ratio 0.2 (severe for C001, general for C002's exclusive 0.2 line),
# handled in 480 minutes.
TICKET_ROWS = """{c}-A,{c},2025-10-09 08:45,email,fault,onsite,severe,0.25,2025-10-09 09:05,\
2025-10-09 17:45,2025-10-09 11:45,2025-10-10 10:00,,
{c}-B,{c},2025-10-09 10:00,email,fault,remote,general,0.2,2025-10-09 10:05,\
2025-10-09 10:05,,2025-10-09 18:05,,
"""
TICKETS = ("ticket_id,customer_id,reported_at,channel,category,service_mode,reported_severity,"
           "error_ratio,responded_at,confirmed_at,arrived_at,resolved_at,closed_at,wait_minutes\n"
           + TICKET_ROWS.format(c="C001") + TICKET_ROWS.format(c="C002"))
REPORTS = ("ticket_id,version,submitted_at\nC001-A,1,2025-10-14 10:00\n"
           "C002-A,1,2025-10-14 10:00\n")
# Replied after 3 h, resolved after 12 days.
COMPLAINTS = ("complaint_id,customer_id,received_at,first_reply_at,resolved_at\n"
              "K1,C001,2025-10-01 10:00,2025-10-01 13:00,2025-10-13 10:00\n"
              "K2,C002,2025-10-01 10:00,2025-10-01 13:00,2025-10-13 10:00\n")
SURVEYS = ("survey_id,customer_id,sent_at,score\n"
           "S1,C001,2025-10-02 10:00,4\nS2,C001,2025-10-02 10:00,3\n"
           "S3,C002,2025-10-02 10:00,4\nS4,C002,2025-10-02 10:00,3\n")


def write_inputs(folder: Path) -> Path:
    """The two customers' input files in FOLDER."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS),
                       ("fault_reports", REPORTS), ("complaints", COMPLAINTS),
                       ("surveys", SURVEYS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """(database, load summary) of the two customers on their own terms."""
    tmp = tmp_path_factory.mktemp("two_terms")
    settings = tmp / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    db = tmp / "two.duckdb"
    summary = load([write_inputs(tmp / "in")], db, load_settings(settings),
                   as_of=datetime.fromisoformat(AS_OF))
    return db, summary


def rows(db: Path, sql: str) -> dict:
    """key (first column) → the other columns, of an independent query."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0]: tuple(r[1:]) for r in con.execute(sql).fetchall()}


# ---- the load ------------------------------------------------------------------------------------

def test_each_ticket_is_judged_by_its_customers_terms(two):
    db, _ = two
    got = rows(db, """SELECT ticket_id, reported_in_working_time, response_limit_minutes,
                      response_status, arrival_limit_minutes, arrival_status, confirm_deadline,
                      confirm_status, rule_severity, report_due_hours, report_status,
                      handling_target_minutes, handling_status, error_ratio_threshold,
                      threshold_inclusive FROM ticket_sla""")
    assert got["C001-A"] == (True, 15, "breached", 60, "breached",
                             datetime(2025, 10, 9, 17, 30), "breached", "severe", 72,
                             "breached", None, "na", 0.1, True)
    assert got["C002-A"] == (False, 30, "met", 300, "met", datetime(2025, 10, 9, 18, 0), "met",
                             "severe", 120, "met", None, "na", 0.2, False)
    # Exactly 0.2: severe on C001's inclusive 0.1 line, general on C002's exclusive 0.2 one, so
    # only C001 owes a report (C002's are for severe faults), and C002's general target applies.
    assert got["C001-B"][7:12] == ("severe", 72, "breached", None, "na")
    assert got["C002-B"][7:12] == ("general", None, "na", 600, "met")


def test_complaints_and_surveys_by_their_customers_terms(two):
    db, _ = two
    complaints = rows(db, """SELECT customer_id, first_reply_limit_hours, first_reply_status,
                             resolution_limit_days, resolution_status FROM complaint_sla""")
    assert complaints == {"C001": (2, "breached", 15, "met"), "C002": (4, "met", 10, "breached")}
    surveys = rows(db, """SELECT survey_id, satisfied_min_score, satisfied, low_score_max,
                          low_score FROM survey_facts""")
    assert surveys == {"S1": (4, True, 2, False), "S2": (4, False, 2, False),
                       "S3": (5, False, 3, False), "S4": (5, False, 3, True)}


def test_the_terms_are_stored_once_per_customer(two):
    db, summary = two
    terms = rows(db, """SELECT coalesce(customer_id, '(defaults)'), terms_id, in_data,
                        overridden, working_hours, arrival_limit_working_minutes
                        FROM customer_terms""")
    assert terms["(defaults)"] == (0, False, [], "08:30-17:30", 60)
    assert terms["C001"] == (0, True, [], "08:30-17:30", 60)
    assert terms["C002"][1:] == (True, ["working_hours", "response_limit_minutes",
                                        "arrival_limit_working_minutes",
                                        "arrival_limit_non_working_minutes", "report_due_hours",
                                        "report_required_for", "handling_target_minutes",
                                        "reproduction_wait_months", "error_ratio_threshold",
                                        "threshold_inclusive", "first_reply_limit_hours",
                                        "resolution_limit_days", "satisfied_min_score",
                                        "low_score_max"], "09:00-18:00", 240)
    assert terms["C009"][1] is False
    # Every relation names the set of terms it judged by.
    ids = rows(db, "SELECT DISTINCT customer_id, terms_id FROM ticket_sla")
    assert ids == {"C001": (0,), "C002": (terms["C002"][0],)} and terms["C002"][0] > 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert not con.execute("SELECT * FROM load_info WHERE key = 'settings'").fetchall()
    # A customer only the settings name is a warning of the load, not a refusal.
    assert summary.settings_warnings == [
        "settings: [customers.C009] names a customer that is in none of the loaded files, so "
        "its terms judge nothing yet; check the customer id"]


def test_the_cli_prints_the_warning(tmp_path, capsys):
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    status = main(["load", str(write_inputs(tmp_path / "in")), "--db", str(tmp_path / "x.duckdb"),
                   "--settings", str(settings), "--as-of", AS_OF])
    assert status == 0
    assert "warning: settings: [customers.C009] names a customer" in capsys.readouterr().out


def test_a_bad_customer_table_refuses_the_load(tmp_path, capsys):
    settings = tmp_path / "settings.toml"
    settings.write_text("[customers.C002.complaints]\nfirst_reply_limit_hours = 4\n")
    db = tmp_path / "x.duckdb"
    status = main(["load", str(write_inputs(tmp_path / "in")), "--db", str(db),
                   "--settings", str(settings)])
    err = capsys.readouterr().err
    assert status == 2 and not db.exists()
    assert f"error: {settings}: unknown section customers.C002.complaints" in err


# ---- what the app reads --------------------------------------------------------------------------

def test_terms_in_force_are_scoped_and_filtered(two):
    db, _ = two
    d = Database(db)
    try:
        both = terms_in_force(d, Scope.everyone(), Filters("2025-10", "2025-10"))
        one = terms_in_force(d, Scope.customer("C002"))
        filtered = terms_in_force(d, Scope.everyone(), Filters("2025-10", "2025-10",
                                                               customers=("C001",)))
    finally:
        d.close()
    assert [c.customer_id for c in both.customers] == ["C001", "C002", "C009"]
    assert both.differs("arrival_limit_working_minutes")
    assert both.value("arrival_limit_working_minutes") is None
    # C009 has no data: its low score of 1 changes no number shown.
    assert both.values("low_score_max") == [2, 3]
    assert [c.customer_id for c in one.customers] == ["C002"]
    assert one.value("arrival_limit_working_minutes") == 240
    assert filtered.value("arrival_limit_working_minutes") == 60
    assert t("metric_report", "zh", terms=one) == "故障报告5天内提交"
    assert t("metric_report", "en", terms=filtered) == "Fault report in 3 days"
    assert t("metric_report", "zh", terms=both) == t("metric_report_varies", "zh")
    note = both.note(["arrival_limit_working_minutes", "low_score_max"], "en")
    assert note == ("Limits differ by customer: Beta Bank: Arrival limit in working time (min) "
                    "240, Highest low score (needs an action) 3; Alpha Hospital: Arrival limit "
                    "in working time (min) 60, Highest low score (needs an action) 2")


def test_a_label_stating_a_term_needs_the_terms():
    with pytest.raises(ValueError, match="metric_report"):
        t("metric_report", "zh")


def test_every_term_label_names_a_setting_and_has_a_twin_without_numbers():
    labels = {k: v for k, v in catalogue().items()
              if any(term_placeholders(text) for text in v.values())}
    assert len(labels) >= 20
    for key, texts in labels.items():
        for text in texts.values():
            assert set(term_placeholders(text)) <= set(TERMS), (key, text)
        twin = catalogue().get(f"{key}_varies")
        assert twin, f"{key} has no _varies twin for customers on different terms"
        assert not any(term_placeholders(text) for text in twin.values()), key
        assert not any(re.search(p, text) for p in DEFAULT_WORDS for text in twin.values()), key


# The agreement's default numbers as the labels used to write them (and as the tests below
# must no longer find them once the limits change). A digit before the number is another number.
DEFAULT_WORDS = [r"(?<![\d.])15 ?分钟", r"(?<![\d.])60 ?分钟", r"(?<![\d.])120 ?分钟",
                 r"(?<![\d.])3 ?天", r"(?<![\d.])2 ?小时", r"(?<![\d.])15 ?天", r"半个月",
                 r"(?<![\d.])3 ?个月", r"1/10", r"(?<![\d.])10 ?%", r"[≥≤<] ?[42](?![\d.])",
                 r"(?<![\d.])72 ?(小时|h\b|hours)", r"(?<![\d.])15 min", r"(?<![\d.])60 min",
                 r"(?<![\d.])120 min", r"(?<![\d.])3 days", r"(?<![\d.])2 h\b",
                 r"(?<![\d.])2 hours", r"(?<![\d.])15 days", r"(?<![\d.])3 months",
                 r"(?<![\d.])15 d\b", r"3-day", r"2-hour", r"15-day"]


def test_no_literal_limit_in_the_code_or_the_labels():
    """The terms reach the code once (settings.py's defaults): nowhere else in pages/, ui/,
    service_quality/ (code, SQL, labels) is a default limit written, nor a settings default."""
    found = []
    for folder in ("pages", "ui", "service_quality"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".sql", ".toml") or path.name == "settings.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: settings.get" for _ in
                      re.finditer(r"settings(_parsed)?\.get\(|settings_parsed", text)]
            for pattern in DEFAULT_WORDS:
                found += [f"{path.relative_to(ROOT)}: {m.group(0)!r}"
                          for m in re.finditer(pattern, text)]
    assert not found, found


# ---- changed limits: every page, the management workbook, the customer report ------------------

CHANGED = """
[ticket]
response_limit_minutes = 10
arrival_limit_working_minutes = 90
arrival_limit_non_working_minutes = 180
report_due_hours = 120
reproduction_wait_months = 2

[severity]
error_ratio_threshold = 0.2
capacity_drop_threshold = 0.25

[complaint]
first_reply_limit_hours = 4
resolution_limit_days = 10

[survey]
satisfied_min_score = 3
low_score_max = 1
"""
PERIOD = ("2025-07", "2025-12")
PAGES = sorted(p.file for p in registry.PAGES)
# The pages whose sections are tabs, only the open one drawn: the key of their tabs.
TAB_KEYS = {"overview.py": "overview_worklist_tabs", "report.py": "report_tab",
            "process.py": "process_tab"}
# What each page must say with the changed limits (the actions page states no term).
NEW_WORDS = {
    "zh": {"overview.py": ["故障报告5天内提交", "投诉4小时内回复", "投诉10天内解决", "2个月",
                           "≤ 1", "≥3"],
           "sla.py": ["90分钟", "180分钟", "故障报告5天内提交", "工作时间时限 90 分钟"],
           "severity.py": ["≥ 20%", "≥ 25%", "错误占比 20%"],
           "satisfaction.py": ["≥3", "≤1", "<3"],
           "complaints.py": ["4小时", "10天", "投诉4小时内回复"],
           "fault_reports.py": ["5天", "5天内提交率"],
           "process.py": ["故障报告5天内提交"],
           "data.py": ["90", "180", "120", "0.2", "0.25", "4", "10", "3", "1"],
           "report.py": ["故障报告5天内提交", "90分钟", "180分钟", "4小时", "10天", "≥ 20%",
                         "≥ 25%", "2个月"],
           "actions.py": []},
    "en": {"overview.py": ["Fault report in 5 days", "Complaint reply in 4 h",
                           "Complaint resolved in 10 days", "2 months", "score ≥ 3"],
           "sla.py": ["90 min", "180 min", "Fault report in 5 days"],
           "severity.py": ["≥ 20%", "≥ 25%"],
           "satisfaction.py": ["≥ 3", "≤ 1", "< 3"],
           "complaints.py": ["4 h", "10 days", "Complaint reply in 4 h"],
           "fault_reports.py": ["within 5 days", "Submitted within 5 days"],
           "process.py": ["Fault report in 5 days"],
           "data.py": ["90", "180", "120", "0.2", "0.25", "4", "10", "3", "1"],
           "report.py": ["Fault report in 5 days", "90 min", "180 min", "4 h", "10 days",
                         "≥ 20%", "2 months"],
           "actions.py": []},
}


@pytest.fixture(scope="module")
def changed_db(sample_dir, tmp_path_factory):
    """The fixture sample loaded with every limit changed from the agreement's defaults."""
    tmp = tmp_path_factory.mktemp("changed")
    settings = tmp / "settings.toml"
    settings.write_text(CHANGED, encoding="utf-8")
    db = tmp / "changed.duckdb"
    load([sample_dir], db, load_settings(settings))
    return db


def old_words(text: str) -> list[str]:
    """The agreement's default numbers as a label would state them, found in TEXT."""
    return [m.group(0) for p in DEFAULT_WORDS for m in re.finditer(p, text)]


def page_texts(at: AppTest) -> tuple[str, str]:
    """(every text the page shows — labels, captions, options, metrics, chart texts, column
    headers —, the cells of its tables)."""
    texts, cells = [], []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") != "arrow_data_frame":
            texts.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        texts.append(" | ".join(map(str, frame.value.columns)))
        cells.append(frame.value.to_csv(index=False))
    return "\n".join(texts), "\n".join(cells)


def run_page(db: Path, name: str, lang: str, monkeypatch, **params) -> AppTest:
    """NAME run alone on DB in LANG for the period (and PARAMS), without exceptions."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
    at.query_params.update({"lang": lang, "from": PERIOD[0], "to": PERIOD[1], **params})
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_states_the_changed_limits(changed_db, monkeypatch, name, lang):
    at = run_page(changed_db, name, lang, monkeypatch)
    text, cells = page_texts(at)
    # Pages draw only their open tab: open each in turn, as a reader would.
    key = TAB_KEYS.get(name)
    for label in [tab.label for tab in at.tabs] if key else []:
        at.session_state[key] = label
        at.run()
        assert not at.exception, (label, at.exception)
        more = page_texts(at)
        text, cells = text + "\n" + more[0], cells + "\n" + more[1]
    assert old_words(text) == [], f"{name} still states a default limit"
    missing = [w for w in NEW_WORDS[lang][name] if w not in text + cells]
    assert not missing, f"{name} does not state {missing}"
    assert "各客户约定的时限不同" not in text and "Limits differ" not in text


def test_the_data_page_lists_the_changed_terms(changed_db, monkeypatch):
    at = run_page(changed_db, "data.py", "en", monkeypatch)
    defaults = next(d.value for d in at.dataframe if "Key" in d.value.columns).set_index("Key")
    assert defaults.loc["arrival_limit_working_minutes", "Value"] == "90"
    assert defaults.loc["arrival_limit_non_working_minutes", "Value"] == "180"
    assert defaults.loc["report_due_hours", "Value"] == "120"
    assert defaults.loc["first_reply_limit_hours", "Value"] == "4"
    assert defaults.loc["resolution_limit_days", "Value"] == "10"
    assert defaults.loc["error_ratio_threshold", "Value"] == "0.2"
    per_customer = next(d.value for d in at.dataframe if "Own terms" in d.value.columns)
    assert set(per_customer["Arrival limit in working time (min)"]) == {"90"}
    assert set(per_customer["Complaint resolution limit (days)"]) == {"10"}


def workbook_strings(data: bytes, skip: frozenset = frozenset()) -> str:
    """Every text cell and sheet name of an xlsx, but the texts in SKIP."""
    book = load_workbook(io.BytesIO(data))
    out = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            out += [v for v in row if isinstance(v, str) and v not in skip]
    return "\n".join(out)


def data_texts(db: Path) -> frozenset:
    """Every text of the input tables: the data's own words (a measure may well say "72小时"),
    which no label wrote."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE "
                              "data_type = 'VARCHAR' AND table_name IN ('complaints', "
                              "'actions', 'surveys', 'fault_reports', 'tickets')").fetchall()
        return frozenset(v for table, column in columns for (v,) in con.execute(
            f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL'  # noqa: S608
        ).fetchall())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_management_workbook_states_the_changed_limits(changed_db, lang):
    d = Database(changed_db)
    try:
        data = management_workbook(d, Scope.everyone(), Filters(*PERIOD), lang)
    finally:
        d.close()
    assert old_words(workbook_strings(data, data_texts(changed_db))) == []
    text = workbook_strings(data)
    new = {"zh": ["故障报告5天内提交", "投诉4小时内回复", "投诉10天内解决", "4小时内回复",
                  "10天内解决", "适用5天报告规则", "低分（≤1）", "90分钟", "180分钟", "≥ 20%"],
           "en": ["Fault report in 5 days", "Reply in 4 h", "Resolved in 10 days",
                  "Low scores (≤ 1)", "90 min", "180 min", "≥ 25%"]}[lang]
    assert [w for w in new if w not in text] == []


def squeeze(text: str) -> str:
    """pypdf puts spaces (or NULs) between CJK glyphs: compare without them."""
    return re.sub(r"[\s\x00]", "", text)


def test_the_customer_report_states_the_changed_limits(changed_db):
    from pypdf import PdfReader

    from service_quality.reports.customer_report import customer_report, report_pdf, report_xlsx

    d = Database(changed_db)
    try:
        report = customer_report(d, "C003", "2026-Q3", "zh")
        xlsx = workbook_strings(report_xlsx(report, "zh"))
        pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
            report_pdf(report, "zh"))).pages)
    finally:
        d.close()
        pdf_data = [squeeze(v) for v in data_texts(changed_db)]
    new = ["故障报告5天内提交", "投诉4小时内回复", "投诉10天内解决", "90分钟", "180分钟",
           "≥20%", "≥25%", "4小时内回复", "10天内解决"]
    skip = data_texts(changed_db)
    assert old_words(squeeze(workbook_strings(report_xlsx(report, "zh"), skip))) == []
    labels = squeeze(pdf)
    for text in sorted(pdf_data, key=len, reverse=True):
        labels = labels.replace(text, "")   # the data's own words, not the report's labels
    assert old_words(labels) == []
    for name, text in (("xlsx", squeeze(xlsx)), ("pdf", squeeze(pdf))):
        assert [w for w in new if w not in text] == [], name


# ---- several customers on different terms --------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_of_customers_on_different_terms_says_so(two, monkeypatch, lang):
    db, _ = two
    differ = {"zh": "各客户约定的时限不同", "en": "Limits differ by customer"}[lang]
    at = run_page(db, "complaints.py", lang, monkeypatch, **{"from": "2025-10", "to": "2025-10"})
    text, _ = page_texts(at)
    # No one number for both: the labels name the promise, a line lists each customer's limits.
    assert differ in text
    assert t("metric_complaint_first_reply_varies", lang) in text
    # Shown escaped (customer names are the data's): read it as the browser renders it.
    note = next(c.value for c in at.caption if differ in c.value).replace("\\", "")
    assert "Beta Bank" in note and "Alpha Hospital" in note
    assert {"zh": "投诉首次回复时限（小时） 4", "en": "Complaint first reply limit (h) 4"}[lang] \
        in note
    assert {"zh": "投诉首次回复时限（小时） 2", "en": "Complaint first reply limit (h) 2"}[lang] \
        in note
    # Filtered to one customer, the page states that customer's own numbers.
    at = run_page(db, "complaints.py", lang, monkeypatch,
                  **{"from": "2025-10", "to": "2025-10", "customers": "C002"})
    text, _ = page_texts(at)
    assert differ not in text
    assert t("metric_complaint_first_reply", lang, terms=_terms(db, "C002")) in text
    assert {"zh": "投诉4小时内回复", "en": "Complaint reply in 4 h"}[lang] in text


def _terms(db: Path, customer: str):
    d = Database(db)
    try:
        return terms_in_force(d, Scope.customer(customer))
    finally:
        d.close()


@pytest.mark.parametrize("name", [p for p in PAGES if p != "report.py"])
def test_every_page_runs_on_customers_with_different_terms(two, monkeypatch, name):
    """(The report page shows one customer: test_each_customers_report_states_its_own_terms.)"""
    text, _ = page_texts(run_page(two[0], name, "zh", monkeypatch,
                                  **{"from": "2025-10", "to": "2025-10"}))
    # With different limits for the customers shown no page states a default as if for all.
    assert not re.search(r"故障报告3天内提交|投诉2小时内回复|投诉15天内解决", text)


def test_sla_and_severity_draw_every_customers_line(two, monkeypatch):
    db, _ = two
    at = run_page(db, "sla.py", "en", monkeypatch, **{"from": "2025-10", "to": "2025-10"})
    text, _ = page_texts(at)
    assert "Working-time limit 60 min" in text and "Working-time limit 240 min" in text
    at = run_page(db, "severity.py", "en", monkeypatch, **{"from": "2025-10", "to": "2025-10"})
    text, _ = page_texts(at)
    # (plotly's texts are escaped: ">" is "&gt;")
    assert "≥ 10% is severe" in text and "&gt; 20% is severe" in text


def test_the_workbook_of_customers_on_different_terms_lists_them(two):
    db, _ = two
    d = Database(db)
    try:
        both = management_workbook(d, Scope.everyone(), Filters("2025-10", "2025-10"), "en")
        beta = management_workbook(d, Scope.customer("C002"), Filters("2025-10", "2025-10"),
                                   "en")
    finally:
        d.close()
    book = load_workbook(io.BytesIO(both))
    assert "limits differ by customer" in book["Summary"]["A1"].value
    terms = [r for r in book["Terms"].iter_rows(values_only=True) if r[0] in ("C001", "C002")]
    assert [(r[0], r[4]) for r in terms] == [("C001", "60 min"), ("C002", "240 min")]
    text = workbook_strings(both)
    assert "Complaint reply in the agreed time" in text
    assert "Complaint reply in 2 h" not in text and "Complaint reply in 4 h" not in text
    text = workbook_strings(beta)
    assert "Complaint reply in 4 h" in text and "C001" not in text and "Alpha" not in text


def test_each_customers_report_states_its_own_terms(two):
    from service_quality.reports.customer_report import customer_report, report_xlsx

    db, _ = two
    d = Database(db)
    try:
        alpha = workbook_strings(report_xlsx(customer_report(d, "C001", "2025-10", "en"), "en"))
        beta = workbook_strings(report_xlsx(customer_report(d, "C002", "2025-10", "en"), "en"))
    finally:
        d.close()
    assert "Fault report in 3 days" in alpha and "60 min" in alpha
    assert "Fault report in 5 days" in beta and "240 min" in beta and "09:00–18:00" in beta
    assert "Fault report in 3 days" not in beta and "240 min" not in alpha
