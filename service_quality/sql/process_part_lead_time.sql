-- (after _tickets.sql) Spare-part lead time (part_received_at − part_requested_at, hours) per
-- month of the ticket: median and 90th percentile of the parts received, parts still awaited,
-- and receipts dated before their request (a recording error, left out of the statistics).
-- The row with month NULL is the whole period (a median is not the median of monthly medians).
, p AS (
    SELECT month, part_received_at IS NULL AS waiting,
           date_diff('second', part_requested_at, part_received_at) / 3600.0 AS lead_hours
    FROM t
    WHERE part_requested_at IS NOT NULL
)
SELECT
    month,
    count(*) AS requested,
    count(*) FILTER (WHERE lead_hours >= 0) AS received,
    count(*) FILTER (WHERE waiting) AS waiting,
    count(*) FILTER (WHERE lead_hours < 0) AS inconsistent,
    median(lead_hours) FILTER (WHERE lead_hours >= 0) AS median_hours,
    quantile_cont(lead_hours, 0.9) FILTER (WHERE lead_hours >= 0) AS p90_hours
FROM p
GROUP BY GROUPING SETS ((month), ())
ORDER BY month NULLS FIRST
