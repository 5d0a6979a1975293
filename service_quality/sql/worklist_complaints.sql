-- Open complaints (not resolved) in scope and the customer filter whose clock, at $as_of, is
-- late or near: no first reply with at most $reply_near_minutes left of its customer's
-- first_reply_limit_hours; or unresolved with at most $resolution_near_days left of its
-- resolution_limit_days (both as complaint_sla judged it). Both clocks run 7×24. hours_left < 0:
-- late by that much.
WITH open AS (
    SELECT s.complaint_id, s.customer_id, s.received_at, k.ticket_id, k.category,
           k.complaint_manager, k.first_reply_at, s.first_reply_limit_hours,
           s.resolution_limit_days
    FROM complaint_sla AS s
    JOIN complaints AS k USING (complaint_id)
    WHERE k.resolved_at IS NULL AND s.received_at <= $as_of
      AND ($customers IS NULL OR list_contains($customers, s.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, s.customer_id))
),
clocks AS (
    SELECT *, 'first_reply' AS clock,
           received_at + to_seconds(first_reply_limit_hours * 3600) AS deadline,
           to_seconds($reply_near_minutes * 60) AS near
    FROM open
    WHERE first_reply_at IS NULL
    UNION ALL
    SELECT *, 'resolution',
           received_at + to_seconds(resolution_limit_days * 86400),
           to_seconds($resolution_near_days * 86400)
    FROM open
)
, listed AS (
    SELECT c.complaint_id, coalesce(n.name, c.customer_id) AS customer_name, c.clock,
           c.received_at, c.deadline,
           date_diff('second', CAST($as_of AS TIMESTAMP), c.deadline) / 3600 AS hours_left,
           c.ticket_id, c.category, c.complaint_manager
    FROM clocks AS c
    LEFT JOIN customers AS n USING (customer_id)
    WHERE c.deadline <= $as_of + c.near
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY hours_left, listed.complaint_id, listed.clock
LIMIT $limit
