-- (after _tickets.sql) On-site arrival times in 10-minute bins (capped at 300), split by whether
-- the report came in working time — binned here so a million tickets return a few dozen rows.
SELECT
    CASE WHEN reported_in_working_time THEN 'working' ELSE 'non_working' END AS period,
    least(floor(arrival_minutes / 10) * 10, 300) AS bin_start,
    count(*) AS tickets
FROM t
WHERE service_mode = 'onsite' AND arrival_minutes IS NOT NULL
GROUP BY ALL
ORDER BY period, bin_start
