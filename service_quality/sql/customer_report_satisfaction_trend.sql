-- (after _surveys.sql) Surveys of every type per month sent: sent, answered, mean score, CSAT
-- (satisfied / answered) and response rate (answered / sent).
SELECT month,
       count(*) AS sent,
       count(*) FILTER (WHERE answered) AS answered,
       avg(score) AS mean_score,
       count(*) FILTER (WHERE satisfied) / nullif(count(*) FILTER (WHERE answered), 0) AS csat,
       count(*) FILTER (WHERE answered) / count(*) AS response_rate
FROM v
GROUP BY month
ORDER BY month
