-- (after _tickets.sql) Status counts and compliance of one promise ($metric) grouped by $group:
-- month, customer, engineer, severity, working_time or holiday. `grp` is the key, `label` the
-- name to show (customer or engineer name; holiday name; codes otherwise). By severity, tickets
-- that are not faults are their own group, `not_fault`.
, s AS (
    SELECT
        CASE $group
            WHEN 'month' THEN t.month
            WHEN 'customer' THEN t.customer_id
            WHEN 'engineer' THEN coalesce(t.engineer_id, '—')
            WHEN 'severity' THEN coalesce(t.rule_severity, 'not_fault')
            WHEN 'working_time' THEN CASE WHEN t.reported_in_working_time THEN 'working'
                                          ELSE 'non_working' END
            WHEN 'holiday' THEN coalesce(t.holiday, '')
        END AS grp,
        CASE $group
            WHEN 'customer' THEN coalesce(c.name, t.customer_id)
            WHEN 'engineer' THEN coalesce(t.engineer_name, t.engineer_id, '—')
        END AS name,
        CASE $metric
            WHEN 'response' THEN t.response_status
            WHEN 'arrival' THEN t.arrival_status
            WHEN 'confirm' THEN t.confirm_status
            WHEN 'report' THEN t.report_status
            WHEN 'upgrade' THEN t.upgrade_status
            WHEN 'handling' THEN t.handling_status
        END AS status
    FROM t
    LEFT JOIN customers AS c USING (customer_id)
)
SELECT
    grp,
    coalesce(any_value(name), grp) AS label,
    count(*) FILTER (WHERE status = 'met') AS met,
    count(*) FILTER (WHERE status = 'breached') AS breached,
    count(*) FILTER (WHERE status = 'no_record') AS no_record,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'na') AS na,
    compliance(status) AS compliance
FROM s
GROUP BY grp
HAVING count(*) FILTER (WHERE status <> 'na') > 0
ORDER BY grp
