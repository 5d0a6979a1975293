-- (after _tickets.sql) Faults per severity — by the agreement's rule ($basis = 'rule') or as the
-- desk reported it ($basis = 'reported') — grouped by $group: month, customer or device.
-- Only faults (category = fault) have a rule severity, so other categories are left out; a fault
-- without one (no flag or ratio recorded, or nothing reported) counts as `unknown`.
-- Devices are free text: the $limit largest groups come back, the rest are left out.
, f AS (
    SELECT
        CASE $group
            WHEN 'month' THEN t.month
            WHEN 'customer' THEN t.customer_id
            WHEN 'device' THEN coalesce(t.device, '')
        END AS grp,
        CASE $basis
            WHEN 'rule' THEN coalesce(t.rule_severity, 'unknown')
            WHEN 'reported' THEN coalesce(t.reported_severity, 'unknown')
        END AS severity
    FROM t
    WHERE t.category = 'fault'
),
g AS (
    SELECT
        grp,
        count(*) FILTER (WHERE severity = 'general') AS general,
        count(*) FILTER (WHERE severity = 'severe') AS severe,
        count(*) FILTER (WHERE severity = 'unknown') AS unknown,
        count(*) AS faults,
        count(*) FILTER (WHERE severity = 'severe')
            / nullif(count(*) FILTER (WHERE severity IN ('general', 'severe')), 0) AS severe_share
    FROM f
    GROUP BY grp
    ORDER BY CASE WHEN $group = 'device' THEN count(*) ELSE 0 END DESC, grp
    LIMIT $limit
)
SELECT g.grp,
       CASE WHEN $group = 'customer' THEN coalesce(c.name, g.grp) ELSE g.grp END AS label,
       g.general, g.severe, g.unknown, g.faults, g.severe_share
FROM g
LEFT JOIN customers AS c ON $group = 'customer' AND c.customer_id = g.grp
ORDER BY CASE WHEN $group = 'device' THEN g.faults ELSE 0 END DESC, g.grp
