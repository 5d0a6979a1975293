-- (after _surveys.sql) Per survey type and month: sent, answered, mean score, CSAT, response
-- rate, and the CSAT alert. A month is an alert when its CSAT is below the mean minus $sigmas
-- standard deviations of the monthly CSAT of the 12 calendar months before it; it is judged only
-- with at least $min_history such months. The caller starts $start 12 months early for that
-- history and shows the months from $show_from on.
-- CSAT = satisfied / answered; response rate = answered / sent; unanswered forms score NULL, so
-- avg(score) leaves them out.
, m AS (
    SELECT survey_type, month,
           any_value(year(sent_at) * 12 + month(sent_at)) AS month_no,
           count(*) AS sent,
           count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE satisfied) AS satisfied,
           count(*) FILTER (WHERE low_score) AS low,
           avg(score) AS mean_score,
           count(*) FILTER (WHERE satisfied) / nullif(count(*) FILTER (WHERE answered), 0) AS csat,
           count(*) FILTER (WHERE answered) / count(*) AS response_rate
    FROM v
    GROUP BY survey_type, month
),
w AS (
    SELECT *,
           count(csat) OVER history AS history_months,
           avg(csat) OVER history AS baseline,
           stddev_samp(csat) OVER history AS baseline_sd
    FROM m
    -- RANGE over the month number, so a month without surveys shortens the history, never
    -- stretches it beyond 12 calendar months.
    WINDOW history AS (PARTITION BY survey_type ORDER BY month_no
                       RANGE BETWEEN 12 PRECEDING AND 1 PRECEDING)
)
SELECT survey_type, month, sent, answered, satisfied, low, mean_score, csat, response_rate,
       history_months, baseline, baseline_sd,
       CASE WHEN history_months >= $min_history THEN baseline - $sigmas * baseline_sd END
           AS threshold,
       coalesce(history_months >= $min_history AND csat < baseline - $sigmas * baseline_sd,
                false) AS alert
FROM w
WHERE month >= $show_from
ORDER BY survey_type, month
