-- (after _worklist_tickets.sql) Unfinished faults waiting for reproduction for
-- $reproduction_wait_months months or more at $as_of: the latest pause/resume event is a pause
-- at least that old. Per the agreement a fault that has not recurred in that time is due for
-- closing. A pause and a resume at the same moment count as resumed.
-- (wait_event, paused_at, wait_note in worklist_tickets: that latest event at the load's as_of)
SELECT w.ticket_id, coalesce(k.name, w.customer_id) AS customer_name, w.paused_at,
       date_diff('day', w.paused_at, CAST($as_of AS TIMESTAMP)) AS days_waiting,
       w.reported_at, w.rule_severity, w.engineer_name, w.wait_note AS note,
       count(*) OVER () AS matching
FROM w
LEFT JOIN customers AS k ON k.customer_id = w.customer_id
WHERE NOT w.finished AND w.wait_event = 'pause'
  AND w.paused_at <= $as_of - to_months(CAST($reproduction_wait_months AS INTEGER))
ORDER BY w.paused_at, w.ticket_id
LIMIT $limit
