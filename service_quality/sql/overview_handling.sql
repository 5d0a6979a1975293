-- (after _monthly.sql) Fault handling time of the filtered faults resolved so far: how many and
-- the median in hours. The agreement sets no handling target, so the median is the headline.
SELECT
    count(handling_minutes) AS resolved,
    median(handling_minutes) / 60 AS median_hours
FROM h
