-- (after _worklist_tickets.sql) Faults reported in the $severity_days days up to $as_of that
-- the desk classified as general while the agreement's rules make them severe
-- (severity_check = under_classified). Unfinished ones first: they may still be handled on the
-- wrong priority. `flags`: the outage flags recorded true, as codes (the ratios are shown
-- as numbers beside them).
, listed AS (
    SELECT w.ticket_id, coalesce(n.name, w.customer_id) AS customer_name, w.reported_at, w.finished,
           w.reported_severity, w.rule_severity,
           list_filter([
               CASE WHEN w.system_down THEN 'system_down' END,
               CASE WHEN w.network_down THEN 'network_down' END,
               CASE WHEN w.key_device_down THEN 'key_device_down' END,
               CASE WHEN w.imminent_outage THEN 'imminent_outage' END
           ], lambda x: x IS NOT NULL) AS flags,
           w.error_ratio, w.capacity_drop, w.engineer_name
    FROM w
    LEFT JOIN customers AS n ON n.customer_id = w.customer_id
    WHERE w.severity_check = 'under_classified'
      AND w.reported_at > $as_of - to_days(CAST($severity_days AS INTEGER))
      AND w.reported_at <= $as_of
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.finished, listed.reported_at DESC, listed.ticket_id
LIMIT $limit
