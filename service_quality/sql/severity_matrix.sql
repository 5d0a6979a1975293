-- (after _tickets.sql) Reported severity against the agreement's rule severity for faults: every
-- cell of the 3 × 3 grid (reported general / severe / none × rule general / severe / unknown),
-- empty cells with 0. Each cell names the severity_check it stands for (DESIGN §2.3), so a cell
-- with no faults yet still says what it would mean; the tests hold it to ticket_sla's own.
, f AS (
    SELECT coalesce(reported_severity, 'none') AS reported_severity,
           coalesce(rule_severity, 'unknown') AS rule_severity,
           count(*) AS faults
    FROM t
    WHERE category = 'fault'
    GROUP BY ALL
),
grid AS (
    SELECT * FROM (VALUES
        (1, 1, 'general', 'general', 'consistent'),
        (1, 2, 'general', 'severe', 'under_classified'),
        (1, 3, 'general', 'unknown', 'unverifiable'),
        (2, 1, 'severe', 'general', 'over_classified'),
        (2, 2, 'severe', 'severe', 'consistent'),
        (2, 3, 'severe', 'unknown', 'unverifiable'),
        (3, 1, 'none', 'general', 'unverifiable'),
        (3, 2, 'none', 'severe', 'unverifiable'),
        (3, 3, 'none', 'unknown', 'unverifiable')
    ) AS g(r_ord, k_ord, reported_severity, rule_severity, severity_check)
)
SELECT g.reported_severity, g.rule_severity, g.severity_check, coalesce(f.faults, 0) AS faults
FROM grid AS g
LEFT JOIN f USING (reported_severity, rule_severity)
ORDER BY g.r_ord, g.k_ord
