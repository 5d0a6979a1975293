-- (after _tickets.sql) The period's warranty split, and the repair quotes of the tickets out of
-- warranty (only those are charged, so only those get a quote): 'none' = no quote recorded.
SELECT 'warranty' AS kind, coalesce(warranty, 'unknown') AS value, count(*) AS tickets
FROM t
GROUP BY ALL
UNION ALL
SELECT 'quote', coalesce(quote_status, 'none'), count(*)
FROM t
WHERE warranty = 'out'
GROUP BY ALL
