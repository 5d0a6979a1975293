"""The Data page: load log, rejected rows shown literally, freshness, calendar, settings."""

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts.data import REJECTED_COLOR, rejected_by_file
from service_quality.columns import label
from service_quality.database import Database
from service_quality.queries import Scope
from service_quality.queries import data as q
from service_quality.settings import TERMS, Settings
from service_quality.terms import setting_text

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>"
IMAGE = "![x](http://example.invalid/x.png)"
# A ticket older than the official calendar package (2004–2026): judged on the fallback.
OLD_DAY = "2003-06-02"


def one(path, text, params=()):
    """One value of an independent SQL query."""
    return sql(path, text, params)[0][0]


def sql(path, text, params=()):
    """Rows of an independent SQL query."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hostile_db(fixture_db, tmp_path_factory):
    """A copy of the fixture database that also loaded a tiny tickets file: one row rejected
    for hostile text, one good ticket from a year no official calendar covers."""
    from etl.load import load
    from service_quality.settings import load_settings

    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    as_of = sql(db, "SELECT value FROM load_info WHERE key = 'as_of'")[0][0]
    (tmp / "in").mkdir()
    (tmp / "in" / "tickets.csv").write_text(
        "ticket_id,customer_id,reported_at,channel,device\n"
        f"TX-HOSTILE-1,C001,2026-10-30 10:00,{SCRIPT},{IMAGE}\n"
        f"TX-OLD-1,C001,{OLD_DAY} 10:00,phone,old printer\n", encoding="utf-8")
    load([tmp / "in"], db, load_settings(), as_of=pd.Timestamp(as_of).to_pydatetime())
    return db


def page_on(path, monkeypatch, lang="zh") -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.query_params["lang"] = lang
    return at


def table(at, key) -> pd.DataFrame:
    """The data of the dataframe with `key`."""
    return at.get_by_key(key).value


def markdown_texts(at) -> list[str]:
    """Every text the page rendered as Markdown (titles, captions, alerts, metrics' labels)."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                 "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    return out


# ── the page on screen ────────────────────────────────────────────────────────────────────────

def test_freshness_and_load_log_match_the_database(fixture_db, monkeypatch):
    at = page_on(fixture_db, monkeypatch)
    at.run()
    assert not at.exception, at.exception
    as_of, newest, batches, finished = sql(fixture_db, """
        SELECT (SELECT value FROM load_info WHERE key = 'as_of'),
               (SELECT max(reported_at) FROM ticket_sla),
               (SELECT count(*) FROM load_batches), (SELECT max(finished_at) FROM load_batches)
    """)[0]
    shown = {m.label: m for m in at.metric}
    assert shown["判定时间（as_of）"].value == f"{pd.Timestamp(as_of):%Y-%m-%d %H:%M}"
    assert shown["最近一次载入完成"].value == f"{finished:%Y-%m-%d %H:%M}"
    assert shown["最新工单报障时间"].value == f"{newest:%Y-%m-%d %H:%M}"
    log = table_by_columns(at, "SHA-256（前 12 位）")
    assert len(log) == batches
    assert log["完成时间"].is_monotonic_decreasing


def test_rejected_rows_filter_by_file_and_search_the_reason(fixture_db, monkeypatch):
    at = page_on(fixture_db, monkeypatch)
    at.run()
    total = sql(fixture_db, "SELECT count(*) FROM rejected_rows")[0][0]
    assert len(table(at, "data_rejected_table")) == total
    per_file = dict(sql(fixture_db, "SELECT file, count(*) FROM rejected_rows GROUP BY file"))
    file = max(per_file, key=per_file.get)
    at.selectbox(key="data_rejected_file").set_value(file).run()
    assert len(table(at, "data_rejected_table")) == per_file[file]
    word = sql(fixture_db, "SELECT split_part(reason, ' ', 1) FROM rejected_rows "
                           "WHERE file = ? LIMIT 1", [file])[0][0]
    at.text_input(key="data_rejected_search").input(word.upper()).run()
    matching = sql(fixture_db, "SELECT count(*) FROM rejected_rows WHERE file = ? "
                               "AND contains(lower(reason), lower(?))", [file, word])[0][0]
    rows = table(at, "data_rejected_table")
    assert len(rows) == matching and matching > 0
    # The first listed row is shown as read: the file's headers → the cells' text.
    first = sql(fixture_db, "SELECT raw FROM rejected_rows WHERE file = ? AND row_number = ?",
                [file, int(rows["行号"].iloc[0])])[0][0]
    raw = table_by_columns(at, "列（文件表头）")
    assert dict(zip(raw.iloc[:, 0], raw.iloc[:, 1], strict=True)) == {
        k: "" if v is None else str(v) for k, v in json.loads(first).items()}


def test_hostile_text_in_a_rejected_row_shows_literally(hostile_db, monkeypatch):
    at = page_on(hostile_db, monkeypatch)
    at.run()
    hostile = sql(hostile_db, "SELECT file FROM rejected_rows WHERE raw LIKE '%TX-HOSTILE-1%'")
    assert len(hostile) == 1
    at.selectbox(key="data_rejected_file").set_value(hostile[0][0]).run()
    assert not at.exception, at.exception
    reasons = table(at, "data_rejected_table")[label("reason")]
    assert any(SCRIPT in r for r in reasons)
    values = list(table_by_columns(at, label("value")).iloc[:, 1])
    assert SCRIPT in values and IMAGE in values
    for text in markdown_texts(at):
        assert SCRIPT not in text and "<script" not in text and IMAGE not in text
        assert "example.invalid" not in text
    assert not at.get("html")


def test_calendar_tab_counts_tickets_on_an_estimated_calendar(hostile_db, monkeypatch):
    at = page_on(hostile_db, monkeypatch, lang="en")
    at.run()
    assert not at.exception, at.exception
    estimated = sql(hostile_db, "SELECT count(*) FROM ticket_sla WHERE calendar_estimated")[0][0]
    assert estimated >= 1
    shown = {m.label: m.value for m in at.metric}
    assert shown["Tickets judged on an estimated calendar"] == str(estimated)
    assert shown["Estimated years"].startswith("2003")
    assert at.warning and "2003" in at.warning[0].value
    years = table_by_columns(at, "Year").set_index("Year")
    fallback = sql(hostile_db, "SELECT count(*) FROM calendar_days WHERE source = 'fallback'")
    assert years.loc[2003, "Days · estimated (fallback)"] == fallback[0][0] > 0
    assert years.loc[2003, "Days · chinesecalendar"] == 0
    assert years.loc[2025, "Days · chinesecalendar"] == 365
    assert bool(years.loc[2003, "Estimated"]) and not bool(years.loc[2025, "Estimated"])


def table_by_columns(at, column) -> pd.DataFrame:
    """The first dataframe on the page that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_settings_in_force_are_listed(fixture_db, monkeypatch):
    at = page_on(fixture_db, monkeypatch, lang="en")
    at.run()
    settings = table_by_columns(at, "Key").set_index("Key")
    assert list(settings.index) == list(TERMS)
    assert settings.loc["working_hours", "Value"] == "08:30–17:30"
    assert settings.loc["working_hours", "Setting"] == "Working hours"
    # The fixture judges every customer by the defaults: none is listed as different.
    assert (settings["Customers on other terms"] == "").all()
    per_customer = table_by_columns(at, "Own terms")
    assert len(per_customer) == one(fixture_db, "SELECT count(*) FROM customer_terms "
                                                "WHERE customer_id IS NOT NULL") > 1
    assert set(per_customer["Arrival limit in working time (min)"]) == {"60"}


# ── query functions ───────────────────────────────────────────────────────────────────────────

def test_a_customer_scope_sees_no_load_log_and_no_rejected_row(db):
    customer = Scope.customer("C001")
    assert not q.load_batches(db, Scope.everyone()).empty
    assert not q.rejected_rows(db, Scope.everyone()).empty
    assert q.load_batches(db, customer).empty
    assert q.rejected_files(db, customer).empty
    assert q.rejected_rows(db, customer).empty
    row = q.rejected_rows(db, Scope.everyone()).iloc[0]
    assert not q.raw_row(db, Scope.everyone(), None, row["file"], row["row_number"]).empty
    assert q.raw_row(db, customer, None, row["file"], row["row_number"]).empty
    assert q.calendar_warnings(db, customer) == []
    with pytest.raises(TypeError):
        q.rejected_rows(db, None)


def test_freshness_and_calendar_counts_are_scoped(db, fixture_db):
    newest, tickets = sql(fixture_db, "SELECT max(reported_at), count(*) FROM ticket_sla "
                                      "WHERE customer_id = 'C001'")[0]
    mine = q.freshness(db, Scope.customer("C001"))
    assert mine.newest_ticket == newest and mine.tickets == tickets
    assert mine.newest_ticket_age_hours == pytest.approx(
        (mine.as_of - pd.Timestamp(newest)).total_seconds() / 3600)
    coverage = q.calendar_coverage(db, Scope.customer("C001"))
    assert coverage.by_year["tickets"].sum() == tickets


def test_raw_row_keeps_the_files_order_and_text(hostile_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(hostile_db, path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO rejected_rows VALUES ('b', 'f.csv', 'tickets', 2, 'r', ?), "
                "('b', 'f.csv', 'tickets', 3, 'r', 'not json')",
                ['{"b": "1", "a": null, "b": "<i>2</i>"}'])
    con.close()
    d = Database(path)
    try:
        dup = q.raw_row(d, Scope.everyone(), None, "f.csv", 2)
        broken = q.raw_row(d, Scope.everyone(), None, "f.csv", 3)
        hostile = q.rejected_rows(d, Scope.everyone(), None, None, "SCRIPT")
    finally:
        d.close()
    assert list(dup.itertuples(index=False, name=None)) == [("b", "1"), ("a", ""),
                                                            ("b", "<i>2</i>")]
    assert list(broken.itertuples(index=False, name=None)) == [("raw", "not json")]
    assert len(hostile) == 1 and SCRIPT in hostile["reason"].iloc[0]


def test_settings_text():
    s = Settings(working_hours=((510, 720), (840, 1050)))
    assert setting_text(s, "working_hours") == "08:30–12:00, 14:00–17:30"
    assert setting_text(s, "handling_target_minutes") == "—"
    assert setting_text(Settings(handling_target_minutes={"severe": 480.0}),
                        "handling_target_minutes") == "severe = 480"
    assert setting_text(s, "threshold_inclusive") == "true"


# ── chart builder ─────────────────────────────────────────────────────────────────────────────

def test_rejected_by_file_has_one_bar_per_file(db):
    files = q.rejected_files(db, Scope.everyone())
    fig = rejected_by_file(files, "zh")
    bar = fig.data[0]
    assert bar.orientation == "h" and bar.marker.color == REJECTED_COLOR
    assert list(bar.customdata) == list(files["file"])
    assert list(bar.x) == list(files["rows"])
    assert len(set(bar.y)) == len(files)
    assert fig.layout.yaxis.type == "category"
