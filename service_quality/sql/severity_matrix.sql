-- (after _tickets.sql) Reported severity against the agreement's rule severity for faults: every
-- cell of the 3 × 3 grid (reported general / severe / none × rule general / severe / unknown),
-- empty cells with 0, and the severity_check each cell stands for.
, f AS (
    SELECT coalesce(reported_severity, 'none') AS reported_severity,
           coalesce(rule_severity, 'unknown') AS rule_severity,
           any_value(severity_check) AS severity_check,
           count(*) AS faults
    FROM t
    WHERE category = 'fault'
    GROUP BY ALL
),
grid AS (
    SELECT * FROM (VALUES (1, 'general'), (2, 'severe'), (3, 'none')) AS r(r_ord, reported_severity)
    CROSS JOIN (VALUES (1, 'general'), (2, 'severe'), (3, 'unknown')) AS k(k_ord, rule_severity)
)
SELECT g.reported_severity, g.rule_severity, f.severity_check, coalesce(f.faults, 0) AS faults
FROM grid AS g
LEFT JOIN f USING (reported_severity, rule_severity)
ORDER BY g.r_ord, g.k_ord
