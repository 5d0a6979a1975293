-- (after _tickets.sql) Tickets per month by reporting channel or by service mode ($dimension),
-- with each value's share of its month; an empty value is 'unknown' so the month still adds up.
SELECT
    month,
    coalesce(CASE $dimension WHEN 'channel' THEN channel
                             WHEN 'service_mode' THEN service_mode END, 'unknown') AS value,
    count(*) AS tickets,
    count(*) / sum(count(*)) OVER (PARTITION BY month) AS share
FROM t
GROUP BY 1, 2
ORDER BY month, value
