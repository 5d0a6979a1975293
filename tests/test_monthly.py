"""The load's pre-aggregations answer exactly what the tickets answer.

ticket_monthly (sql/build_monthly.sql) carries the headline counts and rates; the report_*
columns of ticket_facts sum up each ticket's fault reports. Both are checked against independent
SQL over the per-ticket rows, under several scopes and filters.
"""

import pandas as pd
import pytest
from sqlcheck import frame, value

from service_quality.filters import Filters
from service_quality.queries import Scope, run
from service_quality.queries.fault_reports import SECTIONS, rejection_reasons, report_overview
from service_quality.queries.overview import (
    TICKET_METRICS,
    compliance,
    handling_hours,
    monthly,
    ticket_volume,
)
from service_quality.queries.sla import GROUPS, METRICS, sla_by

VIEWS = [
    (Scope.everyone(), Filters("2025-01", "2026-12")),
    (Scope.everyone(), Filters("2025-11", "2026-04", severities=("severe", "unknown"),
                               service_modes=("onsite",))),
    (Scope.customer("C002"), Filters("2025-06", "2026-10")),
    (Scope.everyone(), Filters("2025-03", "2026-02", customers=("C001", "C003"),
                               teams=("湛江一组",))),
    # "unknown" is a fault without flag or ratio; tickets that are not faults are apart
    (Scope.everyone(), Filters("2025-01", "2026-10", severities=("unknown",))),
    (Scope.everyone(), Filters("2025-01", "2026-10", severities=("not_fault",))),
]


def _where(scope: Scope, filters: Filters) -> tuple[str, list]:
    """The _tickets.sql narrowing written out for an independent query over ticket_facts."""
    p = {**scope.params(), **filters.params()}
    return ("reported_at >= ? AND reported_at < ? "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], customer_id)) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], customer_id)) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], "
            "CASE WHEN category = 'fault' THEN rule_severity ELSE 'not_fault' END)) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], service_mode)) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], team))",
            [p["start"], p["end"], p["customers"], p["customers"], p["f_customers"],
             p["f_customers"], p["f_severities"], p["f_severities"], p["f_service_modes"],
             p["f_service_modes"], p["f_teams"], p["f_teams"]])


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_sla_breakdowns_from_monthly_counts_equal_the_per_ticket_ones(db, view):
    scope, filters = VIEWS[view]
    for metric in METRICS:
        for group in GROUPS:
            got = sla_by(db, scope, filters, metric, group)
            want = run(db, "sla_by", scope, filters, base="_tickets", metric=metric, group=group)
            pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                          want.reset_index(drop=True))


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_headline_counts_and_rates_equal_the_tickets(db, fixture_db, view):
    scope, filters = VIEWS[view]
    where, params = _where(scope, filters)
    assert ticket_volume(db, scope, filters) == value(
        fixture_db, f"SELECT count(*) FROM ticket_facts WHERE {where}", params)  # noqa: S608
    got = compliance(db, scope, filters).set_index("metric")
    for metric in TICKET_METRICS:
        counts = frame(fixture_db, f"SELECT {metric}_status AS s, count(*) AS n "  # noqa: S608
                       f"FROM ticket_facts WHERE {where} GROUP BY ALL", params)
        counts = dict(zip(counts["s"], counts["n"], strict=True))
        for status in ("met", "breached", "no_record", "pending", "na"):
            assert got.loc[metric, status] == counts.get(status, 0), (metric, status)
        judged = sum(counts.get(s, 0) for s in ("met", "breached", "no_record"))
        rate = got.loc[metric, "compliance"]
        if judged:
            assert rate == pytest.approx(counts.get("met", 0) / judged)
        else:
            assert pd.isna(rate)
    by_month = monthly(db, scope, filters).set_index("month")["tickets"]
    want = frame(fixture_db, f"SELECT month, count(*) AS n FROM ticket_facts "  # noqa: S608
                 f"WHERE {where} GROUP BY month", params)
    assert by_month[by_month > 0].to_dict() == dict(zip(want["month"], want["n"], strict=True))
    assert list(by_month.index) == filters.months


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_the_fault_report_counts_of_the_load_are_the_tickets_own(db, fixture_db, view):
    # report_monthly and report_rejections (the page's overview and reasons) against the
    # tickets of the view and their report versions, counted here in pandas.
    scope, filters = VIEWS[view]
    where, params = _where(scope, filters)
    t = frame(fixture_db, f"SELECT ticket_id, report_status, report_versions, report_decision, "  # noqa: S608
              f"report_present, report_due_at, report_rejected_no_reason FROM ticket_facts "
              f"WHERE {where}", params)
    o = report_overview(db, scope, filters)
    assert o.statuses == {s: int((t["report_status"] == s).sum())
                          for s in ("met", "breached", "no_record", "pending")}
    latest = t[t["report_versions"].notna()]
    present = latest["report_present"].astype(int)
    assert o.reports == len(latest)
    assert list(o.completeness["reports"]) == [
        int((present.map(lambda m: bin(m).count("1")) == n).sum()) for n in range(8)]
    assert o.missing.set_index("section")["reports"].to_dict() == {
        s: int((present & 2**i == 0).sum()) for i, s in enumerate(SECTIONS)}
    assert o.decisions.set_index("decision")["reports"].to_dict() == {
        d: int((latest["report_decision"] == d).sum()) for d in ("accepted", "rejected", "pending")}
    assert dict(zip(o.versions["versions"], o.versions["tickets"], strict=True)) == {
        int(v): int(n) for v, n in latest["report_versions"].value_counts().items()}
    breached = t["report_status"] == "breached"
    assert o.stages == {
        "due": int(((t["report_status"] == "pending") & t["report_due_at"].notna()).sum()),
        "overdue": int((breached & t["report_versions"].isna()).sum()),
        "late": int((breached & t["report_versions"].notna()).sum())}
    assert o.rejected_no_reason == int(latest["report_rejected_no_reason"].sum())

    v = frame(fixture_db, "SELECT ticket_id, version, customer_decision, "
              "nullif(trim(reject_reason), '') AS reason FROM fault_reports")
    v = v[v["ticket_id"].isin(t["ticket_id"])]
    later = v.merge(v, on="ticket_id", suffixes=("", "_later"))
    later = later[later["version_later"] > later["version"]]
    rejected = v[v["customer_decision"] == "rejected"].set_index(["ticket_id", "version"])
    after = later.groupby(["ticket_id", "version"]).agg(
        n=("version_later", "size"),
        accepted=("customer_decision_later", lambda d: (d == "accepted").any()))
    rejected = rejected.join(after).reset_index()
    rejected["n"], rejected["accepted"] = rejected["n"].fillna(0), rejected["accepted"].eq(True)
    rejected["reason"] = rejected["reason"].fillna("\0")   # a blank reason is a group of its own
    want = rejected.groupby("reason").agg(
        rejections=("version", "size"), tickets=("ticket_id", "nunique"),
        resubmitted=("n", lambda n: int((n > 0).sum())),
        accepted_later=("accepted", "sum"),
        later_versions=("n", "sum"))
    got = rejection_reasons(db, scope, filters, limit=1000)
    got = got.assign(reason=got["reason"].fillna("\0")).set_index("reason")
    assert len(want) > 0 or view > 0
    assert sorted(got.index) == sorted(want.index)
    for column in want.columns:
        assert got[column].to_dict() == {k: int(x) for k, x in want[column].items()}, column
    assert (got["not_resubmitted"] == got["rejections"] - got["resubmitted"]).all()


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_the_handling_medians_of_the_load_are_the_faults_own(db, fixture_db, view):
    # fault_handling (the overview's median and its trend) against the view's faults.
    scope, filters = VIEWS[view]
    where, params = _where(scope, filters)
    faults = frame(fixture_db, f"SELECT month, handling_minutes FROM ticket_facts "  # noqa: S608
                   f"WHERE category = 'fault' AND {where}", params)
    got = handling_hours(db, scope, filters)
    assert got["resolved"] == faults["handling_minutes"].count()
    want = faults["handling_minutes"].median() / 60
    assert got["median_hours"] == pytest.approx(want) if faults["handling_minutes"].count() \
        else pd.isna(got["median_hours"])
    trend = monthly(db, scope, filters).set_index("month")["handling_hours"].dropna()
    per_month = (faults.dropna().groupby("month")["handling_minutes"].median() / 60)
    assert len(per_month) > 0 or view > 0
    assert trend.to_dict() == pytest.approx(per_month.to_dict())


def test_ticket_monthly_counts_every_ticket_once_per_promise(fixture_db):
    tickets = value(fixture_db, "SELECT count(*) FROM ticket_facts")
    per_metric = frame(fixture_db, "SELECT metric, sum(tickets) AS n, "
                       "sum(met + breached + no_record + pending + na) AS statuses "
                       "FROM ticket_monthly GROUP BY metric")
    assert sorted(per_metric["metric"]) == sorted(TICKET_METRICS)
    assert (per_metric["n"] == tickets).all()
    assert (per_metric["statuses"] == tickets).all()


def test_report_columns_sum_up_each_tickets_fault_reports(fixture_db):
    sections = ("fault_content", "affected_time", "affected_users", "handling_process",
                "analysis", "lessons", "prevention")
    # Independent: the latest version found by a window, its sections tested one by one.
    latest = frame(fixture_db, "SELECT * FROM fault_reports QUALIFY row_number() OVER "
                   "(PARTITION BY ticket_id ORDER BY version DESC) = 1")
    every = frame(fixture_db, "SELECT ticket_id, count(*) AS versions, "
                  "min(submitted_at) AS first_submitted_at, "
                  "bool_or(customer_decision = 'rejected') AS rejected "
                  "FROM fault_reports GROUP BY ticket_id").set_index("ticket_id")
    facts = frame(fixture_db, "SELECT ticket_id, report_versions, report_version, "
                  "report_first_submitted_at, report_decision, report_present, report_rejected "
                  "FROM ticket_facts").set_index("ticket_id")
    assert len(latest) > 0
    mask = sum((latest[s].fillna("").str.strip() != "").astype(int) * 2**i
               for i, s in enumerate(sections))
    got = facts.loc[latest["ticket_id"]]
    assert (got["report_version"].to_numpy() == latest["version"].to_numpy()).all()
    assert (got["report_present"].to_numpy() == mask.to_numpy()).all()
    assert (got["report_decision"].to_numpy()
            == latest["customer_decision"].fillna("pending").to_numpy()).all()
    assert (got["report_versions"].to_numpy()
            == every.loc[latest["ticket_id"], "versions"].to_numpy()).all()
    assert (got["report_rejected"].to_numpy()
            == every.loc[latest["ticket_id"], "rejected"].fillna(False).to_numpy()).all()
    assert (got["report_first_submitted_at"].to_numpy()
            == every.loc[latest["ticket_id"], "first_submitted_at"].to_numpy()).all()
    without = facts.drop(index=latest["ticket_id"])
    assert without["report_versions"].isna().all() and without["report_present"].isna().all()


def test_transfer_events_count_each_tickets_transfer_events(fixture_db):
    got = frame(fixture_db, "SELECT ticket_id, transfer_events FROM ticket_facts")
    want = frame(fixture_db, "SELECT ticket_id, count(*) AS n FROM ticket_events "
                 "WHERE event = 'transfer' GROUP BY ticket_id")
    counted = got.set_index("ticket_id")["transfer_events"]
    assert want["n"].sum() > 0
    assert (counted.loc[want["ticket_id"]].to_numpy() == want["n"].to_numpy()).all()
    assert (counted.drop(index=want["ticket_id"]) == 0).all()


def test_survey_details_is_the_join_of_surveys_facts_and_engineers(fixture_db):
    got = frame(fixture_db, "SELECT * FROM survey_details ORDER BY survey_id")
    want = frame(fixture_db, "SELECT f.survey_id, f.customer_id, "
                 "coalesce(f.survey_type, 'unknown') AS survey_type, f.sent_at, f.answered, "
                 "f.score, f.satisfied, f.low_score, f.has_action, "
                 "strftime(f.sent_at, '%Y-%m') AS month, s.ticket_id, s.engineer_id, s.method, "
                 "s.answered_at, s.problem_category, s.comment, e.name AS engineer_name, e.team "
                 "FROM survey_facts AS f JOIN surveys AS s USING (survey_id) "
                 "LEFT JOIN engineers AS e ON e.engineer_id = s.engineer_id ORDER BY survey_id")
    assert len(got) == value(fixture_db, "SELECT count(*) FROM survey_facts") > 0
    pd.testing.assert_frame_equal(got, want)
