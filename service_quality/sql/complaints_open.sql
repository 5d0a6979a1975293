-- Complaints not yet resolved at $as_of, most urgent first: the next due moment (the first reply
-- while none was given, else the resolution) earliest first, so the most overdue lead.
-- first reply due = received_at + the customer's first_reply_limit_hours; resolution due =
-- received_at + its resolution_limit_days (complaint_sla keeps the limits each complaint was
-- judged by); time left = due − as_of (negative = overdue). Both clocks run 7×24.
-- A NULL $start / $end leaves the receipt period open: an open complaint stays due whenever it
-- came in.
WITH o AS (
    SELECT k.complaint_id, k.customer_id, coalesce(cu.name, k.customer_id) AS customer_name,
           k.received_at, k.category, k.channel, k.complaint_manager, k.ticket_id,
           k.first_reply_at, s.first_reply_status, s.resolution_status, k.description,
           k.received_at + to_seconds(s.first_reply_limit_hours * 3600.0) AS first_reply_due,
           k.received_at + to_seconds(s.resolution_limit_days * 86400.0) AS resolution_due
    FROM complaints AS k
    JOIN complaint_sla AS s USING (complaint_id)
    LEFT JOIN customers AS cu ON cu.customer_id = k.customer_id
    WHERE k.resolved_at IS NULL
      AND ($start IS NULL OR k.received_at >= $start) AND ($end IS NULL OR k.received_at < $end)
      AND ($customers IS NULL OR list_contains($customers, k.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, k.customer_id))
)
, listed AS (
    SELECT complaint_id, customer_id, customer_name, received_at, category, channel,
           complaint_manager, ticket_id, first_reply_at, first_reply_due,
           CASE WHEN first_reply_at IS NULL
                THEN (epoch(first_reply_due) - epoch(CAST($as_of AS TIMESTAMP))) / 3600 END
               AS first_reply_hours_left,
           first_reply_status, resolution_due,
           (epoch(resolution_due) - epoch(CAST($as_of AS TIMESTAMP))) / 86400 AS resolution_days_left,
           resolution_status, description
    FROM o
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY CASE WHEN first_reply_at IS NULL THEN least(first_reply_due, resolution_due)
              ELSE resolution_due END, complaint_id
LIMIT $limit
