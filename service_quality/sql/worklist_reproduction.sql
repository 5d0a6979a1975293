-- (after _worklist_tickets.sql) Unfinished faults waiting for reproduction for
-- $reproduction_wait_months months or more at $as_of: the latest pause/resume event is a pause
-- at least that old. Per the agreement a fault that has not recurred in that time is due for
-- closing. A pause and a resume at the same moment count as resumed.
, last_wait AS (
    SELECT ticket_id, event, "at" AS paused_at, note
    FROM ticket_events
    WHERE event IN ('pause', 'resume') AND "at" <= $as_of
    QUALIFY row_number() OVER (PARTITION BY ticket_id
                               ORDER BY "at" DESC, (event = 'resume') DESC) = 1
)
SELECT w.ticket_id, coalesce(k.name, w.customer_id) AS customer_name, l.paused_at,
       date_diff('day', l.paused_at, CAST($as_of AS TIMESTAMP)) AS days_waiting,
       w.reported_at, w.rule_severity, w.engineer_name, l.note, count(*) OVER () AS matching
FROM w
JOIN last_wait AS l USING (ticket_id)
LEFT JOIN customers AS k ON k.customer_id = w.customer_id
WHERE NOT w.finished AND l.event = 'pause'
  AND l.paused_at <= $as_of - to_months(CAST($reproduction_wait_months AS INTEGER))
ORDER BY l.paused_at, w.ticket_id
LIMIT $limit
