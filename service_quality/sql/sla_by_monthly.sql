-- (after _monthly.sql) sla_by.sql for every group but the engineer, from the monthly status counts:
-- status counts and compliance of one promise ($metric) by $group (month, customer, severity,
-- working_time or holiday); `grp` is the key, `label` the name to show (the customer's name).
, s AS (
    SELECT
        CASE $group
            WHEN 'month' THEN m.month
            WHEN 'customer' THEN m.customer_id
            WHEN 'severity' THEN m.severity
            WHEN 'working_time' THEN CASE WHEN m.reported_in_working_time THEN 'working'
                                          ELSE 'non_working' END
            WHEN 'holiday' THEN coalesce(m.holiday, '')
        END AS grp,
        m.met, m.breached, m.no_record, m.pending, m.na
    FROM m
    WHERE m.metric = $metric
)
SELECT
    s.grp,
    coalesce(any_value(c.name), s.grp) AS label,
    sum(s.met)::BIGINT AS met,
    sum(s.breached)::BIGINT AS breached,
    sum(s.no_record)::BIGINT AS no_record,
    sum(s.pending)::BIGINT AS pending,
    sum(s.na)::BIGINT AS na,
    compliance_of(s.met, s.breached, s.no_record) AS compliance
FROM s
LEFT JOIN customers AS c ON $group = 'customer' AND c.customer_id = s.grp
GROUP BY s.grp
HAVING sum(s.met + s.breached + s.no_record + s.pending) > 0
ORDER BY s.grp
