-- (after _worklist_tickets.sql) Unfinished tickets due for closing at $as_of: they waited for the
-- fault to recur and their recurrence window (recurrence_due_at = confirmation + the agreement's
-- months, ticket_sla) has closed while they were still waiting. Per clause 6.6 a fault that has
-- not recurred within the customer's reproduction_wait_months of confirmation is closed. A ticket whose pause was resumed within
-- the window recurred and is being handled again: not listed. days_past: calendar days since
-- the due moment. paused_at: the latest pause, while the ticket is paused at $as_of.
-- (wait_event, paused_at, wait_note, waiting_at_due in worklist_tickets, built at the load's as_of)
, listed AS (
    SELECT w.ticket_id, coalesce(k.name, w.customer_id) AS customer_name, w.recurrence_due_at,
           date_diff('day', w.recurrence_due_at, CAST($as_of AS TIMESTAMP)) AS days_past,
           w.confirmed_at, CASE WHEN w.wait_event = 'pause' THEN w.paused_at END AS paused_at,
           w.reported_at, w.rule_severity, w.engineer_name, w.wait_note AS note
    FROM w
    LEFT JOIN customers AS k ON k.customer_id = w.customer_id
    WHERE NOT w.finished AND w.waiting_at_due AND w.recurrence_due_at <= $as_of
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.recurrence_due_at, listed.ticket_id
LIMIT $limit
