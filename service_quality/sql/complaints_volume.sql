-- (after _complaints.sql) Complaints received per month and category ('' = not categorised).
SELECT month, coalesce(category, '') AS category, count(*) AS complaints
FROM c
GROUP BY month, coalesce(category, '')
ORDER BY month, complaints DESC, category
