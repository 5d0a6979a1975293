"""The complaints page: volume and both promises equal the database's, open complaints with
their time left, scope, charts and the page itself."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from service_quality.charts import STATUS_COLORS, escape_figure
from service_quality.charts.complaints import compliance_bars, volume_by_category
from service_quality.database import Database
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.complaints import (
    ComplaintDrill,
    complaint_compliance,
    complaint_list,
    complaint_volume,
    open_complaints,
)
from tests.sqlcheck import frame as sql
from tests.sqlcheck import value as one

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Filters("2025-07", "2025-12")
EVERYTHING = Filters("2024-11", "2026-10")
MARKUP = "<b>bold</b> **md** <script>alert(1)</script>"


@pytest.fixture(scope="module")
def open_db(sample_dir, tmp_path_factory) -> Path:
    """The fixture sample with its last three complaints unresolved (the newest never replied
    to, and with markup in its description), loaded into its own database."""
    from etl.load import load
    from service_quality.settings import load_settings

    src = tmp_path_factory.mktemp("open_sample")
    shutil.copytree(sample_dir, src, dirs_exist_ok=True)
    wb = load_workbook(src / "complaints.xlsx")
    ws = wb.active
    head = [c.value for c in ws[1]]
    replied, resolved = head.index("首次回复时间") + 1, head.index("解决时间") + 1
    outcome, text = head.index("处理结果") + 1, head.index("投诉内容") + 1
    last = ws.max_row
    for row in (last - 2, last - 1, last):
        ws.cell(row, resolved).value = None
        ws.cell(row, outcome).value = None
    ws.cell(last, replied).value = None
    ws.cell(last, text).value = MARKUP
    wb.save(src / "complaints.xlsx")
    path = tmp_path_factory.mktemp("open_db") / "service.duckdb"
    load([src], path, load_settings())
    return path



def test_volume_matches_complaints(db, fixture_db):
    frame = complaint_volume(db, Scope.everyone(), EVERYTHING)
    expected = sql(fixture_db, "SELECT strftime(received_at, '%Y-%m') AS month, "
                   "coalesce(category, '') AS category, count(*) AS complaints FROM complaints "
                   "GROUP BY ALL")
    merged = frame.merge(expected, on=["month", "category"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["complaints_x"] == merged["complaints_y"]).all()


@pytest.mark.parametrize("promise", ["first_reply", "resolution"])
def test_compliance_by_month_matches_complaint_sla(db, fixture_db, promise):
    frame = complaint_compliance(db, Scope.everyone(), EVERYTHING, "month")
    frame = frame[frame["promise"] == promise].set_index("grp")
    expected = sql(fixture_db, "SELECT strftime(received_at, '%Y-%m') AS month, "
                   "count(*) FILTER (WHERE s = 'met') AS met, "
                   "count(*) FILTER (WHERE s = 'breached') AS breached FROM (SELECT received_at, "
                   "CASE ? WHEN 'first_reply' THEN first_reply_status ELSE resolution_status END "
                   "AS s FROM complaint_sla) GROUP BY ALL", [promise]).set_index("month")
    assert frame[["met", "breached"]].sort_index().equals(
        expected.loc[frame.index].sort_index().astype(frame["met"].dtype))
    rated = frame[frame["met"] + frame["breached"] + frame["no_record"] > 0]
    assert (rated["compliance"] == rated["met"] / (rated["met"] + rated["breached"]
                                                   + rated["no_record"])).all()


def test_totals_list_both_promises_even_when_empty(db):
    frame = complaint_compliance(db, Scope.customer("NO-SUCH"), PERIOD, "all")
    assert list(frame["promise"]) == ["first_reply", "resolution"]
    assert (frame["complaints"] == 0).all() and frame["compliance"].isna().all()
    with pytest.raises(ValueError):
        complaint_compliance(db, Scope.everyone(), PERIOD, "bogus")


def test_drill_lists_the_complaints_behind_a_bar(db, fixture_db):
    breached = complaint_list(db, Scope.everyone(), EVERYTHING,
                              ComplaintDrill(promise="first_reply", status="breached"))
    assert set(breached["first_reply_status"]) == {"breached"}
    assert len(breached) == one(fixture_db, "SELECT count(*) FROM complaint_sla WHERE "
                                "first_reply_status = 'breached'")
    month, category = sql(fixture_db, "SELECT strftime(received_at, '%Y-%m'), category "
                          "FROM complaints ORDER BY complaint_id LIMIT 1").iloc[0]
    listed = complaint_list(db, Scope.everyone(), EVERYTHING,
                            ComplaintDrill(month=month, category=category))
    assert len(listed) == one(fixture_db, "SELECT count(*) FROM complaints WHERE category = ? AND "
                              "strftime(received_at, '%Y-%m') = ?", [category, month])
    assert {"description", "resolution"} <= set(listed)
    with pytest.raises(ValueError):
        complaint_list(db, Scope.everyone(), PERIOD, ComplaintDrill(promise="bogus"))


def test_open_complaints_time_left_and_order(open_db):
    db = Database(open_db)
    try:
        frame = open_complaints(db, Scope.everyone(), PERIOD)
        as_of = pd.Timestamp(one(open_db, "SELECT value FROM load_info WHERE key = 'as_of'"))
        expected = sql(open_db, "SELECT complaint_id, received_at, first_reply_at FROM complaints "
                       "WHERE resolved_at IS NULL")
        assert set(frame["complaint_id"]) == set(expected["complaint_id"]) and len(frame) == 3
        received = frame["received_at"]
        reply_due = received + pd.Timedelta(hours=2)
        resolve_due = received + pd.Timedelta(days=15)
        assert (frame["first_reply_due"] == reply_due).all()
        assert (frame["resolution_due"] == resolve_due).all()
        assert frame["resolution_days_left"].tolist() == pytest.approx(
            ((resolve_due - as_of) / pd.Timedelta(days=1)).tolist())
        never = frame[frame["first_reply_at"].isna()]
        assert len(never) == 1 and never["description"].iloc[0] == MARKUP
        assert never["first_reply_hours_left"].tolist() == pytest.approx(
            ((reply_due[never.index] - as_of) / pd.Timedelta(hours=1)).tolist())
        assert frame.loc[frame["first_reply_at"].notna(), "first_reply_hours_left"].isna().all()
        # Most urgent first: the next due moment, earliest first.
        next_due = resolve_due.where(frame["first_reply_at"].notna(),
                                     pd.concat([reply_due, resolve_due], axis=1).min(axis=1))
        assert next_due.is_monotonic_increasing
        # Open complaints stay listed whatever the period, unless asked for the period only.
        assert open_complaints(db, Scope.everyone(), PERIOD, whole_history=False).empty
        newest = Filters(str(received.max().to_period("M")), str(received.max().to_period("M")))
        assert len(open_complaints(db, Scope.everyone(), newest, whole_history=False)) >= 1
        mine = frame["customer_id"].iloc[0]
        scoped = open_complaints(db, Scope.customer(mine), PERIOD)
        assert set(scoped["customer_id"]) == {mine}
        narrowed = open_complaints(db, Scope.everyone(), Filters(PERIOD.start, PERIOD.end,
                                                                 customers=("NO-SUCH",)))
        assert narrowed.empty
    finally:
        db.close()


def test_customer_scope_sees_only_its_complaints(db, fixture_db):
    mine = one(fixture_db, "SELECT min(customer_id) FROM complaints")
    listed = complaint_list(db, Scope.customer(mine), EVERYTHING)
    assert set(listed["customer_id"]) == {mine}
    total = complaint_compliance(db, Scope.customer(mine), EVERYTHING, "all")
    assert total["complaints"].iloc[0] == one(
        fixture_db, "SELECT count(*) FROM complaints WHERE customer_id = ?", [mine])
    volume = complaint_volume(db, Scope.customer(mine), EVERYTHING)
    assert volume["complaints"].sum() == total["complaints"].iloc[0]


# --- charts ---------------------------------------------------------------------------------

def test_volume_chart_keeps_every_month_in_order(db):
    frame = complaint_volume(db, Scope.everyone(), PERIOD)
    fig = volume_by_category(frame, "zh", months=PERIOD.months)
    assert fig.layout.barmode == "stack" and fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == PERIOD.months
    assert list(fig.layout.xaxis.range) == [-0.5, len(PERIOD.months) - 0.5]  # empty months too
    assert sum(sum(tr.y) for tr in fig.data) == frame["complaints"].sum()
    escaped = escape_figure(volume_by_category(pd.DataFrame(
        {"month": ["2025-07"], "category": ["<i>x</i>"], "complaints": [1]}), "zh"))
    assert escaped.data[0].name == "&lt;i&gt;x&lt;/i&gt;"


def test_compliance_chart_uses_the_status_palette(db):
    frame = complaint_compliance(db, Scope.everyone(), PERIOD, "month")
    fig = compliance_bars(frame[frame["promise"] == "resolution"], "en", "t", PERIOD.months)
    colors = {tr.customdata[0]: tr.marker.color for tr in fig.data}
    assert colors["met"] == STATUS_COLORS["met"] and colors["breached"] == STATUS_COLORS["breached"]
    assert fig.layout.xaxis.type == "category"


# --- the page -------------------------------------------------------------------------------

def make_app(path, monkeypatch):
    """The complaints page alone on `path`, period 2025-07..2025-12."""
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages" / "complaints.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    return at


def metric(at, label):
    """The value shown by the metric whose label contains `label`."""
    return next(m.value for m in at.metric if label in m.label)


def test_page_numbers_equal_the_database(fixture_db, monkeypatch):
    at = make_app(fixture_db, monkeypatch)
    at.run()
    assert not at.exception
    assert metric(at, "本期投诉") == str(one(fixture_db, "SELECT count(*) FROM complaints WHERE "
                                             "received_at >= '2025-07-01' AND received_at < "
                                             "'2026-01-01'"))
    row = sql(fixture_db, "SELECT count(*) FILTER (WHERE first_reply_status = 'met') AS met, "
              "count(*) FILTER (WHERE first_reply_status IN ('met', 'breached', 'no_record')) "
              "AS rated FROM complaint_sla WHERE received_at >= '2025-07-01' AND received_at < "
              "'2026-01-01'").iloc[0]
    assert metric(at, "投诉2小时内回复") == f"{row['met'] / row['rated']:.1%}"
    listed = one(fixture_db, "SELECT count(*) FROM complaints WHERE received_at >= '2025-07-01' "
                             "AND received_at < '2026-01-01'")
    assert any(f"共 {listed} 件投诉" in c.value for c in at.caption)


def test_open_complaints_on_the_page(open_db, monkeypatch):
    at = make_app(open_db, monkeypatch)
    at.run()
    assert not at.exception
    assert metric(at, "当前未解决") == "3"
    table = at.dataframe[0].value  # the open list comes before the complaint list
    assert len(table) == 3
    # Untrusted text stays a table cell, as written; never rendered as Markdown on the page.
    assert MARKUP in set(table["投诉内容"])
    assert not any("bold" in m.value for m in (*at.markdown, *at.caption))
    at.checkbox(key="cmp_open_period").check().run()
    assert not at.exception
    assert any("没有未解决的投诉" in s.value for s in at.success)


def test_english(fixture_db, monkeypatch):
    at = make_app(fixture_db, monkeypatch)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Complaints"
    assert any("complaints; showing" in c.value for c in at.caption)
