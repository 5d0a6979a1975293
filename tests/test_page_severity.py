"""The severity page: counts equal the database's, the 1/10 line, the check, drill-down, charts."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.charts import SEVERITY_COLORS, STATUS_COLORS
from service_quality.charts.severity import ratio_histogram, severity_bars, severity_heatmap
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.severity import (
    BIN_CAP,
    BIN_WIDTH,
    CHECKS,
    DEVICE_LIMIT,
    GROUP_LIMIT,
    SeverityDrill,
    drill_for,
    fault_list,
    ratio_distribution,
    severity_by,
    severity_summary,
)

ROOT = Path(__file__).resolve().parent.parent
# The whole fixture: 800 tickets over two years leave few severe faults in any one month.
PERIOD = Filters("2024-11", "2026-10")
# The tests' own view of the data: faults reported in PERIOD with the columns the rule reads.
VIEWS = """
    CREATE TEMP VIEW faults AS
    SELECT s.*, k.reported_severity, k.error_ratio, k.capacity_drop, k.device
    FROM ticket_sla AS s JOIN tickets AS k USING (ticket_id)
    WHERE k.category = 'fault' AND s.reported_at >= '2024-11-01'
      AND s.reported_at < '2026-11-01'
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

def test_severity_by_month_matches_ticket_sla(db, fixture_db):
    frame = severity_by(db, Scope.everyone(), PERIOD, "rule", "month").set_index("grp")
    assert list(frame.index) == PERIOD.months
    for severity in ("general", "severe"):
        expected = count(fixture_db, "SELECT count(*) FROM faults WHERE rule_severity = ? AND "
                         "strftime(reported_at, '%Y-%m') = '2026-04'", [severity])
        assert frame.loc["2026-04", severity] == expected
    faults = count(fixture_db, "SELECT count(*) FROM faults")
    assert frame["faults"].sum() == faults
    row = frame.loc["2026-04"]
    assert row["severe_share"] == pytest.approx(row["severe"] / (row["general"] + row["severe"]))


@pytest.mark.parametrize("group", ["month", "customer"])
@pytest.mark.parametrize("filters", [
    PERIOD, Filters("2026-10", "2026-10"), Filters("2025-01", "2026-06", severities=("severe",)),
    Filters("2025-01", "2026-06", severities=("unknown", "not_fault")),
    Filters("2025-01", "2026-06", service_modes=("onsite",)), Filters("2030-01", "2030-02"),
], ids=["all", "month", "severe", "unknown", "onsite", "empty"])
def test_the_rule_by_month_or_customer_from_the_monthly_table_is_the_faults_own(db, group,
                                                                                 filters):
    # ticket_monthly answers these (a year of faults read per view cost 0.12 s at 10 M): it must
    # give what the faults themselves give, customer scope and every filter included.
    from service_quality.queries import run

    one = db.query("SELECT min(customer_id) AS c FROM tickets")["c"][0]
    for scope in (Scope.everyone(), Scope.customer(one)):
        quick = severity_by(db, scope, filters, "rule", group)
        own = run(db, "severity_by", scope, filters, base="_tickets", basis="rule", group=group,
                  limit=GROUP_LIMIT)
        pd.testing.assert_frame_equal(quick, own)
    assert filters.start == "2030-01" or len(quick)


def test_reported_basis_counts_the_desks_severity(db, fixture_db):
    frame = severity_by(db, Scope.everyone(), PERIOD, "reported", "customer")
    severe = count(fixture_db, "SELECT count(*) FROM faults WHERE reported_severity = 'severe'")
    missing = count(fixture_db, "SELECT count(*) FROM faults WHERE reported_severity IS NULL")
    assert frame["severe"].sum() == severe
    assert frame["unknown"].sum() == missing
    assert (frame["label"] != frame["grp"]).any(), "customers are shown by name"


def test_devices_are_the_largest_few(db, fixture_db):
    frame = severity_by(db, Scope.everyone(), PERIOD, "rule", "device")
    assert len(frame) <= DEVICE_LIMIT
    assert list(frame["faults"]) == sorted(frame["faults"], reverse=True)
    top = count(fixture_db, "SELECT count(*) FROM faults GROUP BY device ORDER BY 1 DESC LIMIT 1")
    assert frame["faults"].iloc[0] == top


def test_summary_grid_and_checks(db, fixture_db):
    summary = severity_summary(db, Scope.everyone(), PERIOD)
    assert len(summary.matrix) == 9
    assert summary.faults == count(fixture_db, "SELECT count(*) FROM faults")
    for check in CHECKS:
        assert summary.checks[check] == count(
            fixture_db, "SELECT count(*) FROM faults WHERE severity_check = ?", [check])
    cell = summary.matrix.set_index(["reported_severity", "rule_severity"])
    assert cell.loc[("general", "severe"), "severity_check"] == "under_classified"
    # every cell names the check ticket_sla gives its faults (over the whole fixture)
    everything = severity_summary(db, Scope.everyone(), Filters("2024-01", "2027-12"))
    for row in everything.matrix.itertuples():
        if row.faults:
            assert count(fixture_db, "SELECT count(*) FROM ticket_sla AS s JOIN tickets AS k "
                         "USING (ticket_id) WHERE k.category = 'fault' AND coalesce("
                         "k.reported_severity, 'none') = ? AND s.rule_severity = ? AND "
                         "s.severity_check = ?", [row.reported_severity, row.rule_severity,
                                                  row.severity_check]) == row.faults
    assert cell.loc[("severe", "general"), "severity_check"] == "over_classified"
    assert cell.loc[("general", "severe"), "faults"] == summary.checks["under_classified"]
    assert summary.rule["severe"] == count(
        fixture_db, "SELECT count(*) FROM faults WHERE rule_severity = 'severe'")


def test_the_unknown_filter_selects_the_faults_this_page_calls_unknown(db, fixture_db):
    """§2.3: unknown is a fault with no flag or ratio; tickets that are not faults are apart."""
    from service_quality.queries.overview import ticket_volume
    from service_quality.queries.sla import sla_by
    from service_quality.queries.tickets import ticket_list

    everyone = Scope.everyone()
    unknown = severity_summary(db, everyone, PERIOD).rule["unknown"]
    assert unknown == count(fixture_db, "SELECT count(*) FROM faults "
                                        "WHERE rule_severity = 'unknown'") > 0
    picked = Filters(PERIOD.start, PERIOD.end, severities=("unknown",))
    assert ticket_volume(db, everyone, picked) == unknown
    listed = ticket_list(db, everyone, picked, limit=100_000)
    assert len(listed) == unknown and set(listed["category"]) == {"fault"}
    # the other tickets: a group of their own in the filter and in every split by severity
    others = count(fixture_db, "SELECT count(*) FROM tickets WHERE category <> 'fault' "
                               "AND reported_at >= '2024-11-01' AND reported_at < '2026-11-01'")
    not_fault = Filters(PERIOD.start, PERIOD.end, severities=("not_fault",))
    assert ticket_volume(db, everyone, not_fault) == others > 0
    assert severity_summary(db, everyone, not_fault).faults == 0
    by = sla_by(db, everyone, PERIOD, "response", "severity").set_index("grp")
    statuses = ["met", "breached", "no_record", "pending", "na"]
    assert by.loc["unknown", statuses].sum() == unknown
    assert by.loc["not_fault", statuses].sum() == others


def test_ratio_bins_split_at_the_one_in_ten_line(db, fixture_db):
    dist = ratio_distribution(db, Scope.everyone(), PERIOD, "error_ratio")
    assert (dist["bin_start"] % BIN_WIDTH == 0).all() and dist["bin_start"].max() <= BIN_CAP
    assert dist["faults"].sum() == count(
        fixture_db, "SELECT count(*) FROM faults WHERE error_ratio IS NOT NULL")
    severe = dist.loc[dist["side"] == "severe", "faults"].sum()
    # exactly 1/10 counts as severe (threshold_inclusive, the default)
    assert severe == count(fixture_db, "SELECT count(*) FROM faults WHERE error_ratio >= 0.1")
    assert (dist.loc[dist["side"] == "severe", "bin_start"] >= 10).all()
    assert (dist.loc[dist["side"] == "general", "bin_start"] < 10).all()


def test_customer_scope_sees_only_its_rows(db, fixture_db):
    everyone = severity_by(db, Scope.everyone(), PERIOD, "rule", "customer")
    one = everyone["grp"].iloc[0]
    mine = severity_by(db, Scope.customer(one), PERIOD, "rule", "customer")
    assert list(mine["grp"]) == [one]
    summary = severity_summary(db, Scope.customer(one), PERIOD)
    assert summary.faults == count(fixture_db, "SELECT count(*) FROM faults WHERE customer_id = ?",
                                   [one])
    assert set(fault_list(db, Scope.customer(one), PERIOD, SeverityDrill())["customer_id"]) == {one}
    dist = ratio_distribution(db, Scope.customer(one), PERIOD, "capacity_drop")
    assert dist["faults"].sum() == count(
        fixture_db, "SELECT count(*) FROM faults WHERE customer_id = ? AND capacity_drop IS NOT "
        "NULL", [one])


# --- drill-down ----------------------------------------------------------------------------------

def test_a_clicked_bar_lists_its_faults(db):
    frame = severity_by(db, Scope.everyone(), PERIOD, "rule", "month").set_index("grp")
    drill = drill_for("month", {"x": "2026-04", "customdata": ["severe", "2026-04"]})
    faults = fault_list(db, Scope.everyone(), PERIOD, drill)
    assert len(faults) == frame.loc["2026-04", "severe"] == faults["matching"].iloc[0]
    assert set(faults["rule_severity"]) == {"severe"}
    assert {"system_down", "error_ratio", "device"} <= set(faults.columns)


def test_a_clicked_device_or_customer_lists_its_faults(db):
    devices = severity_by(db, Scope.everyone(), PERIOD, "reported", "device")
    top = devices.iloc[0]
    drill = drill_for("device", {"y": top["label"], "customdata": ["general", top["grp"]]},
                      "reported")
    faults = fault_list(db, Scope.everyone(), PERIOD, drill)
    assert len(faults) == top["general"]
    assert set(faults["reported_severity"]) == {"general"} and set(faults["device"]) == {top["grp"]}
    customers = severity_by(db, Scope.everyone(), PERIOD, "rule", "customer")
    row = customers.iloc[1]
    drill = drill_for("customer", {"y": row["label"], "customdata": ["unknown", row["grp"]]})
    assert len(fault_list(db, Scope.everyone(), PERIOD, drill)) == row["unknown"]


def test_a_clicked_ratio_bin_lists_its_faults(db):
    dist = ratio_distribution(db, Scope.everyone(), PERIOD, "error_ratio")
    row = dist[dist["side"] == "severe"].iloc[0]
    drill = drill_for("error_ratio", {"customdata": [row["bin_start"], "severe"]})
    faults = fault_list(db, Scope.everyone(), PERIOD, drill)
    assert len(faults) == row["faults"]
    assert (faults["error_ratio"] >= 0.1).all()


def test_drill_for_without_a_click_lists_severe_faults():
    assert drill_for(None, None) == SeverityDrill(severity="severe")
    # the share line carries no severity: the whole month
    assert drill_for("month", {"x": "2025-08"}) == SeverityDrill(month="2025-08")
    with pytest.raises(ValueError):
        drill_for("engineer", {"x": "E1", "customdata": ["severe", "E1"]})


# --- charts --------------------------------------------------------------------------------------

def test_severity_bars_use_the_palette_and_month_categories(db):
    frame = severity_by(db, Scope.everyone(), PERIOD, "rule", "month")
    fig = severity_bars(frame, "grp", "zh", "rule")
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert {tr.marker.color for tr in bars} <= set(SEVERITY_COLORS.values())
    assert fig.layout.xaxis.type == "category"
    assert fig.layout.barmode == "stack"
    share = [tr for tr in fig.data if tr.type == "scatter"]
    assert share and share[0].yaxis == "y2" and fig.layout.yaxis2.tickformat == ".0%"
    assert fig.layout.yaxis.title.text == "故障数"
    assert list(bars[0].customdata[0]) == ["severe", frame["grp"].iloc[0]]
    fig = severity_bars(frame.assign(unknown=0), "grp", "en", "reported", horizontal=True)
    assert [tr.name for tr in fig.data] == ["severe", "general"]


def test_ratio_histogram_draws_the_threshold(db):
    dist = ratio_distribution(db, Scope.everyone(), PERIOD, "error_ratio")
    fig = ratio_histogram(dist, "zh", [(0.1, True)], BIN_WIDTH, BIN_CAP)
    assert [s.x0 for s in fig.layout.shapes] == [10]
    assert "≥ 10%" in fig.layout.annotations[0].text
    colors = {tr.name: tr.marker.color for tr in fig.data}
    assert set(colors.values()) <= {SEVERITY_COLORS["general"], SEVERITY_COLORS["severe"]}
    assert sum(sum(tr.y) for tr in fig.data) == dist["faults"].sum()


def test_heatmap_shows_counts_and_marks_the_risk(db):
    summary = severity_summary(db, Scope.everyone(), PERIOD)
    fig = severity_heatmap(summary.matrix, "en")
    heat = fig.data[0]
    assert heat.type == "heatmap" and heat.texttemplate == "%{z}"
    assert list(heat.y) == ["general", "severe", "not reported"]
    assert heat.z[0][1] == summary.checks["under_classified"]
    assert fig.layout.shapes[0].line.color == STATUS_COLORS["breached"]
    assert "under_classified" in list(fig.data[1].customdata)


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture
def app(fixture_db, monkeypatch):
    """The severity page alone on the fixture database, over the whole fixture."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "severity.py"), default_timeout=60)
    at.query_params["from"] = PERIOD.start
    at.query_params["to"] = PERIOD.end
    return at


def test_cards_show_the_databases_counts(app, fixture_db):
    app.run()
    assert not app.exception
    cards = {m.label: m.value for m in app.metric}
    assert cards["故障数"] == str(count(fixture_db, "SELECT count(*) FROM faults"))
    assert cards["严重按一般处理"] == str(count(
        fixture_db, "SELECT count(*) FROM faults WHERE severity_check = 'under_classified'"))
    assert cards["按规则严重"] == str(count(
        fixture_db, "SELECT count(*) FROM faults WHERE rule_severity = 'severe'"))


def test_mismatch_list_starts_with_under_classified(app, fixture_db):
    app.run()
    assert app.segmented_control(key="severity_check_pick").value == "under_classified"
    under = count(fixture_db,
                  "SELECT count(*) FROM faults WHERE severity_check = 'under_classified'")
    assert f"共 {under} 张工单" in app.caption[-1].value
    app.segmented_control(key="severity_check_pick").set_value("over_classified").run()
    over = count(fixture_db, "SELECT count(*) FROM faults WHERE severity_check = 'over_classified'")
    assert f"共 {over} 张工单" in app.caption[-1].value
    ticket = count(fixture_db, "SELECT min(ticket_id) FROM faults WHERE severity_check = "
                   "'over_classified'")
    app.text_input(key="severity_mismatch_tickets_lookup").input(ticket).run()
    assert not app.exception
    assert any(ticket in s.value for s in app.subheader)


def test_default_fault_list_is_severe_by_rule(app, fixture_db):
    app.run()
    severe = count(fixture_db, "SELECT count(*) FROM faults WHERE rule_severity = 'severe'")
    assert any(f"共 {severe} 张工单" in c.value for c in app.caption)
    app.segmented_control(key="severity_basis").set_value("reported").run()
    assert not app.exception


def test_the_sidebar_severity_filter_names_non_faults(app, fixture_db):
    app.query_params["severities"] = "unknown"
    app.run()
    assert not app.exception
    pick = app.multiselect(key="f_severities")
    assert list(pick.options) == ["一般", "严重", "未知", "非故障"]
    assert pick.value == ["unknown"]
    cards = {m.label: m.value for m in app.metric}
    assert cards["故障数"] == str(count(fixture_db, "SELECT count(*) FROM faults "
                                                   "WHERE rule_severity = 'unknown'"))


def test_english(app):
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Severity"
    assert any("Reported severity against the rule" == s.value for s in app.subheader)
