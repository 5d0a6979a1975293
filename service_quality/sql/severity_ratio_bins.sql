-- (after _tickets.sql) One ratio of faults ($measure: error_ratio or capacity_drop) in bins of
-- $bin_width percentage points (the last bin, $bin_cap, holds everything above), each bin split
-- at the line of each fault's own customer (error_ratio_threshold / capacity_drop_threshold in
-- ticket_sla; a ratio exactly on it is severe when threshold_inclusive) so a bin straddling a
-- line shows both sides. Binned here: a million faults return ~50 rows.
, v AS (
    SELECT CASE $measure
               WHEN 'error_ratio' THEN error_ratio
               WHEN 'capacity_drop' THEN capacity_drop
           END AS ratio,
           CASE $measure
               WHEN 'error_ratio' THEN error_ratio_threshold
               WHEN 'capacity_drop' THEN capacity_drop_threshold
           END AS threshold,
           threshold_inclusive AS inclusive
    FROM t
    WHERE category = 'fault'
)
SELECT
    -- round() first: 0.58 * 100 is 57.999…, which must land in the 58 bin
    least(floor(round(ratio * 100, 6) / $bin_width) * $bin_width, $bin_cap) AS bin_start,
    CASE WHEN ratio > threshold OR (inclusive AND ratio = threshold) THEN 'severe'
         ELSE 'general' END AS side,
    count(*) AS faults
FROM v
WHERE ratio IS NOT NULL
GROUP BY ALL
ORDER BY bin_start, side
