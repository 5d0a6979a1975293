-- (after _tickets.sql) Tickets not finished (neither resolved nor closed), oldest first, with
-- days open at $as_of and the promises still running; at most $limit rows (`matching` = all).
, listed AS (
    SELECT ticket_id, reported_at, category, service_mode, rule_severity,
           (epoch(CAST($as_of AS TIMESTAMP)) - epoch(reported_at)) / 86400 AS days_open,
           confirm_status, arrival_status
    FROM t
    WHERE NOT finished
)
-- `matching` counted apart: a window over every matching row had DuckDB hold all their columns
-- before the LIMIT (10 M tickets, a month of them: ticket_list.sql 0.25-0.38 s -> 0.08 s)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY reported_at, ticket_id
LIMIT $limit
