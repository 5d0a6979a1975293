-- (after _tickets.sql) Severe faults by the agreement's rule with their fault analysis report:
-- due time, first submission, the report status, versions, the customer's decision on the latest
-- version and any rejection reasons; newest first, at most $limit rows (`matching` = all).
, f AS (
    SELECT ticket_id, count(*) AS versions, min(submitted_at) AS first_submitted_at,
           arg_max(coalesce(customer_decision, 'pending'), version) AS decision,
           string_agg(DISTINCT nullif(trim(reject_reason), ''), '；') AS reject_reasons
    FROM fault_reports
    -- the range first: row groups outside it are not read (queries._id_range)
    WHERE ticket_id BETWEEN $t_lo AND $t_hi
      AND ticket_id IN (SELECT ticket_id FROM t WHERE rule_severity = 'severe')
    GROUP BY ticket_id
)
, listed AS (
    SELECT t.ticket_id, t.reported_at, t.site, t.device, t.resolved_at, t.report_due_at,
           f.first_submitted_at, t.report_status, coalesce(f.versions, 0) AS versions,
           f.decision, f.reject_reasons
    FROM t
    LEFT JOIN f USING (ticket_id)
    WHERE t.category = 'fault' AND t.rule_severity = 'severe'
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.reported_at DESC, listed.ticket_id
LIMIT $limit
