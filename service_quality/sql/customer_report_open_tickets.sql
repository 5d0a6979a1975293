-- (after _tickets.sql) Tickets not finished (neither resolved nor closed), oldest first, with
-- days open at $as_of and the promises still running; at most $limit rows (`matching` = all).
SELECT ticket_id, reported_at, category, service_mode, rule_severity,
       (epoch(CAST($as_of AS TIMESTAMP)) - epoch(reported_at)) / 86400 AS days_open,
       confirm_status, arrival_status, count(*) OVER () AS matching
FROM t
WHERE NOT finished
ORDER BY reported_at, ticket_id
LIMIT $limit
