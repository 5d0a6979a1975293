-- (after _tickets.sql) The severity audit of the management workbook: every filtered fault whose
-- reported severity disagrees with the agreement's rule (under_classified, over_classified) or
-- cannot be checked (unverifiable), with the flags and ratios the rule reads. The check is
-- ticket_sla's own. Under-classified first: a severe fault handled as general is the risk.
, listed AS (
    SELECT t.ticket_id, t.customer_id, coalesce(c.name, t.customer_id) AS customer_name,
           t.reported_at, t.device, t.reported_severity, t.rule_severity, t.severity_check,
           k.system_down, k.network_down, k.key_device_down, k.imminent_outage,
           t.error_ratio, t.capacity_drop, t.report_status
    FROM t
    -- the period's id range: the tickets' row groups outside it are not read (queries._id_range)
    JOIN tickets AS k ON k.ticket_id = t.ticket_id AND k.ticket_id BETWEEN $t_lo AND $t_hi
    LEFT JOIN customers AS c ON c.customer_id = t.customer_id
    WHERE t.category = 'fault'
      AND t.severity_check IN ('under_classified', 'over_classified', 'unverifiable')
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY CASE listed.severity_check WHEN 'under_classified' THEN 1 WHEN 'over_classified' THEN 2
         ELSE 3 END, listed.reported_at, listed.ticket_id
LIMIT $limit
