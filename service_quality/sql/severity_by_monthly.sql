-- (after _monthly.sql) severity_by.sql by the agreement's rule, per month or customer, from
-- ticket_monthly (built by the load): the same rows without reading every fault of the trend's
-- year (10 M tickets: 0.14 s per view). A fault's rule severity is never empty
-- (derive_ticket_sla.sql), so the faults are the rows not marked `not_fault`; `tickets` is the
-- same on every promise's row of a group, so one promise's rows count each ticket once.
, g AS (
    SELECT
        CASE $group WHEN 'month' THEN month WHEN 'customer' THEN customer_id END AS grp,
        coalesce(sum(tickets) FILTER (WHERE severity = 'general'), 0)::BIGINT AS general,
        coalesce(sum(tickets) FILTER (WHERE severity = 'severe'), 0)::BIGINT AS severe,
        coalesce(sum(tickets) FILTER (WHERE severity = 'unknown'), 0)::BIGINT AS unknown,
        sum(tickets)::BIGINT AS faults
    FROM m
    WHERE metric = 'response' AND severity <> 'not_fault'
    GROUP BY grp
    ORDER BY grp
    LIMIT $limit
)
SELECT g.grp,
       CASE WHEN $group = 'customer' THEN coalesce(c.name, g.grp) ELSE g.grp END AS label,
       g.general, g.severe, g.unknown, g.faults,
       g.severe / nullif(g.general + g.severe, 0) AS severe_share
FROM g
LEFT JOIN customers AS c ON $group = 'customer' AND c.customer_id = g.grp
ORDER BY g.grp
