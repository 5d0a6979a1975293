-- (after _tickets.sql) The reports behind a number: each ticket's latest report version, newest
-- ticket first, narrowed by its number of non-empty sections ($d_sections), a missing section
-- ($d_missing), any section missing ($d_incomplete), the customer's decision on it ($d_decision,
-- none recorded = pending), or a rejection of any version ($d_rejected; $d_reason = that
-- rejection's reason; $d_no_reason = a rejection without any reason). no_reason_rejections: the
-- ticket's versions rejected without the reason the agreement requires. Sections travel as a bit mask (bit i = the i-th of the seven, as in
-- fault_reports_overview.sql) so the narrowing is one GROUP BY; text is fetched for the shown
-- rows only.
, agg AS (
    -- each ticket's versions in one row, summed up by the load (sql/build_ticket_facts.sql)
    SELECT ticket_id, report_versions AS versions, report_version AS version,
           report_first_submitted_at AS first_submitted_at, report_decision AS decision,
           report_present AS present, report_rejected AS any_rejected,
           report_rejected_no_reason AS no_reason_rejections, customer_id, reported_at,
           resolved_at, report_due_at, report_status
    FROM t
    WHERE report_versions IS NOT NULL
),
rejected AS (
    SELECT ticket_id, bool_or(nullif(trim(reject_reason), '') = $d_reason) AS has_reason
    FROM fault_reports
    WHERE customer_decision = 'rejected' AND $d_reason IS NOT NULL
      AND ticket_id BETWEEN $t_lo AND $t_hi   -- skips row groups (queries._id_range)
    GROUP BY ticket_id
),
narrowed AS (
    SELECT a.* EXCLUDE (any_rejected), bit_count(a.present) AS sections
    FROM agg AS a
    LEFT JOIN rejected AS x USING (ticket_id)
    WHERE ($d_sections IS NULL OR bit_count(a.present) = $d_sections)
      AND ($d_missing IS NULL OR a.present & CASE $d_missing
            WHEN 'fault_content' THEN 1 WHEN 'affected_time' THEN 2
            WHEN 'affected_users' THEN 4 WHEN 'handling_process' THEN 8
            WHEN 'analysis' THEN 16 WHEN 'lessons' THEN 32 WHEN 'prevention' THEN 64
          END = 0)
      AND ($d_incomplete IS NULL OR (a.present <> 127) = $d_incomplete)
      AND ($d_decision IS NULL OR a.decision = $d_decision)
      AND ($d_rejected IS NULL OR a.any_rejected = $d_rejected)
      AND ($d_reason IS NULL OR coalesce(x.has_reason, false))
      AND ($d_no_reason IS NULL OR (a.no_reason_rejections > 0) = $d_no_reason)
),
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
r AS (
    SELECT narrowed.*, n.matching
    FROM narrowed CROSS JOIN (SELECT count(*) AS matching FROM narrowed) AS n
    ORDER BY narrowed.reported_at DESC, narrowed.ticket_id
    LIMIT $d_limit
),
reasons AS (
    SELECT ticket_id,
           string_agg(DISTINCT nullif(trim(reject_reason), ''), '；'
                      ORDER BY nullif(trim(reject_reason), '')) AS reject_reasons
    FROM fault_reports
    WHERE customer_decision = 'rejected' AND ticket_id BETWEEN $t_lo AND $t_hi
      AND ticket_id IN (SELECT ticket_id FROM r)
    GROUP BY ticket_id
)
SELECT r.ticket_id, r.customer_id, coalesce(c.name, r.customer_id) AS customer_name,
       r.reported_at, r.resolved_at, r.report_due_at, r.first_submitted_at, r.report_status,
       r.versions, r.version, v.submitted_at, r.sections, r.sections / 7 AS completeness,
       list_filter([
           CASE WHEN r.present & 1 = 0 THEN 'fault_content' END,
           CASE WHEN r.present & 2 = 0 THEN 'affected_time' END,
           CASE WHEN r.present & 4 = 0 THEN 'affected_users' END,
           CASE WHEN r.present & 8 = 0 THEN 'handling_process' END,
           CASE WHEN r.present & 16 = 0 THEN 'analysis' END,
           CASE WHEN r.present & 32 = 0 THEN 'lessons' END,
           CASE WHEN r.present & 64 = 0 THEN 'prevention' END
       ], lambda s: s IS NOT NULL) AS missing,
       r.decision, v.decided_at, x.reject_reasons, r.no_reason_rejections, r.matching
FROM r
JOIN fault_reports AS v ON v.ticket_id = r.ticket_id AND v.version = r.version
    AND v.ticket_id BETWEEN $t_lo AND $t_hi
LEFT JOIN reasons AS x ON x.ticket_id = r.ticket_id
LEFT JOIN customers AS c ON c.customer_id = r.customer_id
ORDER BY r.reported_at DESC, r.ticket_id
