-- (after _monthly.sql) The median handling hours of the filtered faults per month (NULL = none
-- resolved that month), the one trend of the overview that monthly counts cannot give.
SELECT month, median(handling_minutes) / 60 AS handling_hours
FROM h
GROUP BY month
