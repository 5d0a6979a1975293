-- (after _complaints.sql) The complaints behind a number: the filtered complaints narrowed by a
-- drill-down (month, category ('' = none), promise + status), newest first.
, listed AS (
    SELECT c.complaint_id, c.customer_id, coalesce(cu.name, c.customer_id) AS customer_name,
           c.received_at, c.category, c.channel, c.complaint_manager, c.ticket_id,
           c.first_reply_at, c.first_reply_minutes, c.first_reply_status,
           c.resolved_at, c.resolution_days, c.resolution_status, c.description, c.resolution
    FROM c
    LEFT JOIN customers AS cu ON cu.customer_id = c.customer_id
    WHERE ($d_month IS NULL OR c.month = $d_month)
      AND ($d_category IS NULL OR coalesce(c.category, '') = $d_category)
      AND ($d_status IS NULL OR CASE $d_promise
            WHEN 'first_reply' THEN c.first_reply_status
            WHEN 'resolution' THEN c.resolution_status
          END = $d_status)
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.received_at DESC, listed.complaint_id
LIMIT $d_limit
