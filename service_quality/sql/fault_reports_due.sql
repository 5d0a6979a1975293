-- (after _tickets.sql) Reports due or late: faults whose report is pending with a due time
-- (resolved, nothing submitted yet, not late at $as_of) or breached (submitted late, or not at
-- all by now). stage: due (pending), overdue (breached, none submitted), late (submitted after
-- the due time); $d_stages narrows to some. Still-open items first — due soonest, then overdue
-- newest — then late ones. days_past_due is negative while time is left. $d_per_stage: each
-- stage its own $d_limit rows and its own `matching` (one scan for several lists); otherwise
-- they count together.
, d AS (
    -- the first submission and the versions as the load summed them up (ticket_facts.report_*)
    SELECT t.ticket_id, t.customer_id, t.reported_at, t.resolved_at, t.report_due_at,
           t.report_first_submitted_at AS first_submitted_at,
           coalesce(t.report_versions, 0) AS versions, t.report_status,
           report_stage(t.report_status, t.report_due_at, t.report_first_submitted_at) AS stage,
           (epoch(coalesce(t.report_first_submitted_at, CAST($as_of AS TIMESTAMP)))
            - epoch(t.report_due_at)) / 86400 AS days_past_due
    FROM t
    WHERE report_stage(t.report_status, t.report_due_at, t.report_first_submitted_at) IS NOT NULL
),
o AS (
    SELECT *, count(*) OVER (PARTITION BY CASE WHEN $d_per_stage THEN stage END) AS matching
    FROM (
        SELECT *,
               CASE stage WHEN 'due' THEN 1 WHEN 'overdue' THEN 2 ELSE 3 END AS stage_order,
               CASE WHEN stage = 'due' THEN epoch(report_due_at)
                    ELSE -epoch(report_due_at) END AS urgency
        FROM d
        WHERE $d_stages IS NULL OR list_contains($d_stages, stage)
    )
    QUALIFY row_number() OVER (PARTITION BY CASE WHEN $d_per_stage THEN stage END
                               ORDER BY stage_order, urgency, ticket_id) <= $d_limit
)
SELECT o.ticket_id, o.customer_id, coalesce(c.name, o.customer_id) AS customer_name,
       o.reported_at, o.resolved_at, o.report_due_at, o.first_submitted_at, o.versions,
       o.report_status, o.stage, o.days_past_due, o.matching
FROM o
LEFT JOIN customers AS c ON c.customer_id = o.customer_id
ORDER BY o.stage_order, o.urgency, o.ticket_id
