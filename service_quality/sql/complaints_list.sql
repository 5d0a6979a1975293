-- (after _complaints.sql) The complaints behind a number: the filtered complaints narrowed by a
-- drill-down (month, category ('' = none), promise + status), newest first.
SELECT c.complaint_id, c.customer_id, coalesce(cu.name, c.customer_id) AS customer_name,
       c.received_at, c.category, c.channel, c.complaint_manager, c.ticket_id,
       c.first_reply_at, c.first_reply_minutes, c.first_reply_status,
       c.resolved_at, c.resolution_days, c.resolution_status, c.description, c.resolution,
       count(*) OVER () AS matching
FROM c
LEFT JOIN customers AS cu ON cu.customer_id = c.customer_id
WHERE ($d_month IS NULL OR c.month = $d_month)
  AND ($d_category IS NULL OR coalesce(c.category, '') = $d_category)
  AND ($d_status IS NULL OR CASE $d_promise
        WHEN 'first_reply' THEN c.first_reply_status
        WHEN 'resolution' THEN c.resolution_status
      END = $d_status)
ORDER BY c.received_at DESC, c.complaint_id
LIMIT $d_limit
