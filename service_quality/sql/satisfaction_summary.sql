-- (after _surveys.sql) Headline numbers per survey type and for all types (`survey_type` =
-- 'all'): CSAT = satisfied / answered, response rate = answered / sent, closed-loop rate = low
-- scores with a linked action / low scores.
SELECT
    CASE WHEN grouping(survey_type) = 1 THEN 'all' ELSE survey_type END AS survey_type,
    count(*) AS sent,
    count(*) FILTER (WHERE answered) AS answered,
    count(*) FILTER (WHERE satisfied) AS satisfied,
    count(*) FILTER (WHERE low_score) AS low,
    count(*) FILTER (WHERE low_score AND has_action) AS low_with_action,
    avg(score) AS mean_score,
    count(*) FILTER (WHERE satisfied) / nullif(count(*) FILTER (WHERE answered), 0) AS csat,
    count(*) FILTER (WHERE answered) / count(*) AS response_rate,
    count(*) FILTER (WHERE low_score AND has_action)
        / nullif(count(*) FILTER (WHERE low_score), 0) AS closed_loop
FROM v
GROUP BY GROUPING SETS ((survey_type), ())
ORDER BY grouping(survey_type), survey_type
