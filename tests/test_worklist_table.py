"""The worklist read from the load's candidate tables (sql/build_worklist.sql) lists exactly what
the per-ticket SQL over the whole history listed, under several scopes, filters and thresholds.

The reference is the worklist SQL as it was before the tables: every ticket of ticket_facts as
the base, each pause/resume, flag, action and survey read from its own relation at query time.
Complaints never had a candidate table; their reference is a pandas reading of the rule over the
base tables (complaints, customers, customer_terms), not the production SQL.
"""

import re

import pandas as pd
import pytest

from service_quality.filters import Filters
from service_quality.queries import Scope, scope_params, sql
from service_quality.queries.worklist import KINDS, Thresholds, _now, worklist

LIMIT = 100_000
VIEWS = [
    (Scope.everyone(), Filters("2025-01", "2026-12")),
    (Scope.customer("C002"), Filters("2025-06", "2026-10")),
    (Scope.everyone(), Filters("2025-03", "2026-02", customers=("C001", "C003"),
                               severities=("severe", "unknown"))),
    (Scope.everyone(), Filters("2025-11", "2026-10", service_modes=("onsite",),
                               teams=("湛江一组",))),
]
# The defaults, and thresholds so wide that every candidate the tables hold is listed.
THRESHOLDS = [Thresholds(), Thresholds(near_minutes=1e7, near_share=1, report_within_hours=1e6,
                                       reply_near_minutes=1e7, resolution_near_days=1e4,
                                       severity_days=100_000)]

# The base before the tables: the same scope and filters over every ticket of ticket_facts.
OLD_BASE = sql("_worklist_tickets").replace("FROM worklist_tickets", "FROM ticket_facts")
assert "FROM ticket_facts" in OLD_BASE, "the reference would read the new table"
OLD = {
    "reproduction": OLD_BASE + """
, last_wait AS (
    SELECT ticket_id, event, "at" AS paused_at, note FROM ticket_events
    WHERE event IN ('pause', 'resume') AND "at" <= $as_of
    QUALIFY row_number() OVER (PARTITION BY ticket_id
                               ORDER BY "at" DESC, (event = 'resume') DESC) = 1
), at_due AS (
    SELECT e.ticket_id, e.event FROM ticket_events AS e JOIN ticket_facts AS f USING (ticket_id)
    WHERE e.event IN ('pause', 'resume') AND e."at" <= f.recurrence_due_at
    QUALIFY row_number() OVER (PARTITION BY e.ticket_id
                               ORDER BY e."at" DESC, (e.event = 'resume') DESC) = 1
)
SELECT w.ticket_id, coalesce(k.name, w.customer_id) AS customer_name, w.recurrence_due_at,
       date_diff('day', w.recurrence_due_at, CAST($as_of AS TIMESTAMP)) AS days_past,
       w.confirmed_at, CASE WHEN l.event = 'pause' THEN l.paused_at END AS paused_at,
       w.reported_at, w.rule_severity, w.engineer_name, l.note, count(*) OVER () AS matching
FROM w LEFT JOIN last_wait AS l USING (ticket_id)
LEFT JOIN at_due AS d USING (ticket_id)
LEFT JOIN customers AS k ON k.customer_id = w.customer_id
WHERE NOT w.finished AND w.recurrence_due_at <= $as_of
  AND (d.event = 'pause' OR (d.event IS NULL AND NOT EXISTS (
        SELECT 1 FROM ticket_events AS e WHERE e.ticket_id = w.ticket_id
          AND e.event IN ('pause', 'resume'))))
ORDER BY w.recurrence_due_at, w.ticket_id LIMIT $limit""",  # noqa: S608 (our constants)
    "severity": OLD_BASE + """
SELECT w.ticket_id, coalesce(n.name, w.customer_id) AS customer_name, w.reported_at, w.finished,
       w.reported_severity, w.rule_severity,
       list_filter([CASE WHEN k.system_down THEN 'system_down' END,
                    CASE WHEN k.network_down THEN 'network_down' END,
                    CASE WHEN k.key_device_down THEN 'key_device_down' END,
                    CASE WHEN k.imminent_outage THEN 'imminent_outage' END],
                   lambda x: x IS NOT NULL) AS flags,
       w.error_ratio, w.capacity_drop, w.engineer_name, count(*) OVER () AS matching
FROM w JOIN tickets AS k USING (ticket_id)
LEFT JOIN customers AS n ON n.customer_id = w.customer_id
WHERE w.severity_check = 'under_classified'
  AND w.reported_at > $as_of - to_days(CAST($severity_days AS INTEGER))
  AND w.reported_at <= $as_of
ORDER BY w.finished, w.reported_at DESC, w.ticket_id LIMIT $limit""",
    "actions": """
SELECT a.action_id, coalesce(n.name, a.customer_id) AS customer_name, a.days_overdue,
       a.due_date, a.status, a.source_type, x.source_id, x.owner_dept, x.owner, x.measure,
       k.ticket_id, count(*) OVER () AS matching
FROM action_status AS a JOIN actions AS x USING (action_id)
LEFT JOIN customers AS n ON n.customer_id = a.customer_id
LEFT JOIN tickets AS k
       ON k.ticket_id = x.source_id AND a.source_type IN ('fault_report', 'inspection')
WHERE a.is_overdue
  AND ($customers IS NULL OR list_contains($customers, a.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))
ORDER BY a.days_overdue DESC, a.action_id LIMIT $limit""",
    "low_scores": """
SELECT f.survey_id, coalesce(n.name, f.customer_id) AS customer_name, f.score,
       date_diff('day', coalesce(s.answered_at, s.sent_at), CAST($as_of AS TIMESTAMP))
           AS days_waiting,
       f.survey_type, s.sent_at, s.answered_at, s.problem_category, s.comment, s.ticket_id,
       count(*) OVER () AS matching
FROM survey_facts AS f JOIN surveys AS s USING (survey_id)
LEFT JOIN customers AS n ON n.customer_id = f.customer_id
WHERE f.low_score AND NOT f.has_action
  AND ($customers IS NULL OR list_contains($customers, f.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, f.customer_id))
ORDER BY days_waiting DESC, f.survey_id LIMIT $limit""",
}


def complaints_oracle(db, scope: Scope, filters: Filters, thresholds: Thresholds) -> pd.DataFrame:
    """Open complaints late or near a clock at as_of, in pandas over the base tables."""
    as_of = _now(db)["as_of"]
    c = db.query("SELECT complaint_id, customer_id, received_at, first_reply_at, resolved_at, "
                 "ticket_id, category, complaint_manager FROM complaints")
    terms = db.query("SELECT customer_id, first_reply_limit_hours, resolution_limit_days "
                     "FROM customer_terms")
    names = db.query("SELECT customer_id, name FROM customers")
    c = c[c["resolved_at"].isna() & (c["received_at"] <= as_of)]
    for allowed in (scope_params(scope)["customers"], filters.params()["f_customers"]):
        if allowed is not None:
            c = c[c["customer_id"].isin(allowed)]
    c = c.merge(terms, on="customer_id")
    reply = c[c["first_reply_at"].isna()].assign(
        clock="first_reply",
        deadline=lambda f: f["received_at"] + pd.to_timedelta(
            f["first_reply_limit_hours"] * 3600, unit="s"),
        near=pd.Timedelta(minutes=thresholds.reply_near_minutes))
    resolution = c.assign(
        clock="resolution",
        deadline=lambda f: f["received_at"] + pd.to_timedelta(
            f["resolution_limit_days"] * 86400, unit="s"),
        near=pd.Timedelta(days=thresholds.resolution_near_days))
    out = pd.concat([reply, resolution], ignore_index=True)
    out = out[out["deadline"] <= as_of + out["near"]]
    out = out.merge(names, on="customer_id", how="left")
    out["customer_name"] = out["name"].fillna(out["customer_id"])
    out["hours_left"] = ((out["deadline"] - as_of).dt.total_seconds() // 1) / 3600
    out["matching"] = len(out)
    out = out.sort_values(["hours_left", "complaint_id", "clock"]).head(LIMIT)
    return out[["complaint_id", "customer_name", "clock", "received_at", "deadline", "hours_left",
                "ticket_id", "category", "complaint_manager", "matching"]]


def old_worklist(db, scope: Scope, filters: Filters, thresholds: Thresholds) -> dict:
    """Each kind's rows by the per-ticket SQL (clocks, reports, complaints: their unchanged
    files over every ticket of ticket_facts)."""
    params = {**scope_params(scope), **filters.params(), **_now(db), **thresholds.params(),
              "limit": LIMIT}
    texts = {**{k: OLD_BASE + sql(f"worklist_{k}") for k in ("clocks", "reports")}, **OLD}
    out = {"complaints": complaints_oracle(db, scope, filters, thresholds)}
    for kind, text in texts.items():
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", text))
        out[kind] = db.query(text, {k: v for k, v in params.items() if k in used})
    return out


def assert_same(db, scope: Scope, filters: Filters, thresholds: Thresholds):
    """The worklist from the tables equals the per-ticket SQL, kind by kind; return it."""
    got = worklist(db, scope, filters, thresholds, limit=LIMIT)
    want = old_worklist(db, scope, filters, thresholds)
    for kind in KINDS:
        # The oracle's frames are pandas-built: compare values, not the integer widths.
        pd.testing.assert_frame_equal(getattr(got, kind).reset_index(drop=True),
                                      want[kind].reset_index(drop=True), obj=kind,
                                      check_dtype=kind != "complaints")
    return got


@pytest.mark.parametrize("threshold", range(len(THRESHOLDS)))
@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_worklist_from_the_load_tables_equals_the_per_ticket_sql(db, view, threshold):
    assert_same(db, *VIEWS[view], THRESHOLDS[threshold])


TINY_VIEWS = [
    (Scope.everyone(), Filters("2025-10", "2025-10")),
    (Scope.customer("C2"), Filters("2020-01", "2020-01")),
    (Scope.everyone(), Filters("2025-10", "2025-10", customers=("C1",))),
]


@pytest.mark.parametrize("threshold", range(len(THRESHOLDS)))
@pytest.mark.parametrize("view", range(len(TINY_VIEWS)))
def test_every_kind_of_the_hand_written_cases_equals_the_per_ticket_sql(tiny_db, view,
                                                                         threshold):
    got = assert_same(tiny_db, *TINY_VIEWS[view], THRESHOLDS[threshold])
    if view == 0:
        # An empty list would prove nothing: these cases list every kind.
        assert all(got.count(kind) > 0 for kind in KINDS), {k: got.count(k) for k in KINDS}


def test_the_candidate_tables_are_a_small_part_of_the_history(fixture_db):
    """The point of the tables: a page reads the candidates, not every ticket."""
    from sqlcheck import value

    tickets = value(fixture_db, "SELECT count(*) FROM ticket_facts")
    candidates = value(fixture_db, "SELECT count(*) FROM worklist_tickets")
    assert 0 < candidates < tickets
