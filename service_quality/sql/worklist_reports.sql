-- (after _worklist_tickets.sql) Fault analysis reports to chase at $as_of: due within
-- $report_within_hours (still pending) or already late with no report submitted at all.
-- hours_left < 0: late by that much. Reports still in time come first (soonest due first), then
-- the late ones, most recently late first: one that just went late can still be chased today,
-- one months late is already a finding the supervisor has seen.
, listed AS (
    SELECT w.ticket_id, coalesce(k.name, w.customer_id) AS customer_name, w.reported_at,
           w.resolved_at, w.report_due_at,
           date_diff('second', CAST($as_of AS TIMESTAMP), w.report_due_at) / 3600 AS hours_left,
           w.report_status, w.rule_severity, w.engineer_name
    FROM w
    LEFT JOIN customers AS k USING (customer_id)
    WHERE (w.report_status = 'pending' AND w.report_due_at IS NOT NULL
           AND w.report_due_at <= $as_of + to_seconds($report_within_hours * 3600))
       OR (w.report_status = 'breached'
           AND w.report_versions IS NULL)   -- no version submitted (ticket_facts.report_versions)
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY hours_left < 0, abs(hours_left), listed.ticket_id
LIMIT $limit
