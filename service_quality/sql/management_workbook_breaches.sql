-- (after _tickets.sql) The management workbook's breach sheet: every filtered ticket with at least
-- one promise breached or without the record that proves it (no_record), oldest first, with every
-- promise's status. Statuses are ticket_sla's own; nothing is judged here.
, listed AS (
    SELECT t.ticket_id, t.customer_id, coalesce(c.name, t.customer_id) AS customer_name,
           t.reported_at, t.category, t.service_mode, t.engineer_name, t.rule_severity,
           t.response_minutes, t.response_status,
           t.arrival_limit_minutes, t.arrival_minutes, t.arrival_status,
           t.confirm_deadline, t.confirm_status,
           t.report_due_at, t.report_status,
           t.upgrade_status,
           t.handling_minutes, t.handling_status,
           t.resolved_at, t.closed_at
    FROM t
    LEFT JOIN customers AS c USING (customer_id)
    WHERE list_has_any(['breached', 'no_record'],
                       [t.response_status, t.arrival_status, t.confirm_status, t.report_status,
                        t.upgrade_status, t.handling_status])
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.reported_at, listed.ticket_id
LIMIT $limit
