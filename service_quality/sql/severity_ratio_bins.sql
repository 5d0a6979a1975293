-- (after _tickets.sql) One ratio of faults ($measure: error_ratio or capacity_drop) in bins of
-- $bin_width percentage points (the last bin, $bin_cap, holds everything above), each bin split
-- at the agreement's 1/10 line ($threshold; a ratio exactly on it is severe when $inclusive) so
-- a bin straddling the line shows both sides. Binned here: a million faults return ~50 rows.
, v AS (
    SELECT CASE $measure
               WHEN 'error_ratio' THEN error_ratio
               WHEN 'capacity_drop' THEN capacity_drop
           END AS ratio
    FROM t
    WHERE category = 'fault'
)
SELECT
    -- round() first: 0.58 * 100 is 57.999…, which must land in the 58 bin
    least(floor(round(ratio * 100, 6) / $bin_width) * $bin_width, $bin_cap) AS bin_start,
    CASE WHEN ratio > $threshold OR ($inclusive AND ratio = $threshold) THEN 'severe'
         ELSE 'general' END AS side,
    count(*) AS faults
FROM v
WHERE ratio IS NOT NULL
GROUP BY ALL
ORDER BY bin_start, side
