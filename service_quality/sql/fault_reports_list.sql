-- (after _tickets.sql) The reports behind a number: each ticket's latest report version, newest
-- ticket first, narrowed by its number of non-empty sections ($d_sections), a missing section
-- ($d_missing), any section missing ($d_incomplete), the customer's decision on it ($d_decision,
-- none recorded = pending), or a rejection of any version ($d_rejected; $d_reason = that
-- rejection's reason).
, v AS (
    SELECT *, nullif(trim(reject_reason), '') AS reason
    FROM fault_reports
    WHERE ticket_id IN (SELECT ticket_id FROM t)
),
rejected AS (
    SELECT ticket_id, string_agg(DISTINCT reason, '；' ORDER BY reason) AS reject_reasons,
           coalesce(bool_or(reason = $d_reason), false) AS has_reason
    FROM v
    WHERE customer_decision = 'rejected'
    GROUP BY ticket_id
),
latest AS (
    SELECT ticket_id, version, submitted_at, coalesce(customer_decision, 'pending') AS decision,
           decided_at,
           count(*) OVER (PARTITION BY ticket_id) AS versions,
           min(submitted_at) OVER (PARTITION BY ticket_id) AS first_submitted_at,
           list_filter([
               CASE WHEN nullif(trim(fault_content), '') IS NULL THEN 'fault_content' END,
               CASE WHEN nullif(trim(affected_time), '') IS NULL THEN 'affected_time' END,
               CASE WHEN nullif(trim(affected_users), '') IS NULL THEN 'affected_users' END,
               CASE WHEN nullif(trim(handling_process), '') IS NULL THEN 'handling_process' END,
               CASE WHEN nullif(trim(analysis), '') IS NULL THEN 'analysis' END,
               CASE WHEN nullif(trim(lessons), '') IS NULL THEN 'lessons' END,
               CASE WHEN nullif(trim(prevention), '') IS NULL THEN 'prevention' END
           ], lambda s: s IS NOT NULL) AS missing
    FROM v
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY version DESC) = 1
),
r AS (
    SELECT l.*, 7 - len(l.missing) AS sections, x.reject_reasons,
           t.customer_id, t.reported_at, t.resolved_at, t.report_due_at, t.report_status,
           count(*) OVER () AS matching
    FROM latest AS l
    JOIN t USING (ticket_id)
    LEFT JOIN rejected AS x USING (ticket_id)
    WHERE ($d_sections IS NULL OR 7 - len(l.missing) = $d_sections)
      AND ($d_missing IS NULL OR list_contains(l.missing, $d_missing))
      AND ($d_incomplete IS NULL OR (len(l.missing) > 0) = $d_incomplete)
      AND ($d_decision IS NULL OR l.decision = $d_decision)
      AND ($d_rejected IS NULL OR (x.ticket_id IS NOT NULL) = $d_rejected)
      AND ($d_reason IS NULL OR coalesce(x.has_reason, false))
    ORDER BY t.reported_at DESC, l.ticket_id
    LIMIT $d_limit
)
SELECT r.ticket_id, r.customer_id, coalesce(c.name, r.customer_id) AS customer_name,
       r.reported_at, r.resolved_at, r.report_due_at, r.first_submitted_at, r.report_status,
       r.versions, r.version, r.submitted_at, r.sections, r.sections / 7 AS completeness,
       r.missing, r.decision, r.decided_at, r.reject_reasons, r.matching
FROM r
LEFT JOIN customers AS c ON c.customer_id = r.customer_id
ORDER BY r.reported_at DESC, r.ticket_id
