-- (after _tickets.sql) Tickets per month in and out of warranty ('unknown' when not recorded).
SELECT month, coalesce(warranty, 'unknown') AS warranty, count(*) AS tickets
FROM t
GROUP BY ALL
ORDER BY month, warranty
