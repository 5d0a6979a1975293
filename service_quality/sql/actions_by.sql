-- (after _actions.sql) Completion per $group (owner_dept, source_type, month or all; '' = not
-- given): on-time rate = on_time / (on_time + late); overdue = is_overdue; finished = done or
-- verified, and how many of those the customer was told about (customer_notified_at).
-- Worst on-time rate first.
SELECT
    CASE $group WHEN 'owner_dept' THEN coalesce(owner_dept, '')
                WHEN 'source_type' THEN coalesce(source_type, '')
                WHEN 'month' THEN month
                ELSE 'all' END AS grp,
    count(*) AS actions,
    count(*) FILTER (WHERE completion = 'on_time') AS on_time,
    count(*) FILTER (WHERE completion = 'late') AS late,
    count(*) FILTER (WHERE completion = 'open') AS open,
    count(*) FILTER (WHERE completion = 'cancelled') AS cancelled,
    count(*) FILTER (WHERE is_overdue) AS overdue,
    count(*) FILTER (WHERE completion = 'on_time')
        / nullif(count(*) FILTER (WHERE completion IN ('on_time', 'late')), 0) AS on_time_rate,
    count(*) FILTER (WHERE status IN ('done', 'verified')) AS finished,
    count(*) FILTER (WHERE status IN ('done', 'verified') AND customer_notified_at IS NOT NULL)
        AS notified,
    count(*) FILTER (WHERE status IN ('done', 'verified') AND customer_notified_at IS NOT NULL)
        / nullif(count(*) FILTER (WHERE status IN ('done', 'verified')), 0) AS notified_rate
FROM a
GROUP BY grp
ORDER BY on_time_rate ASC NULLS LAST, grp
