-- (after _surveys.sql) Satisfaction per engineer or customer ($group), for one survey type or
-- all ($survey_type NULL), worst first: lowest CSAT, then lowest mean score. `grp` is the key
-- ('—' for surveys without an engineer), `label` the name to show.
SELECT
    CASE $group WHEN 'engineer' THEN coalesce(v.engineer_id, '—') ELSE v.customer_id END AS grp,
    any_value(CASE $group
                  WHEN 'engineer' THEN coalesce(v.engineer_name, v.engineer_id, '—')
                  ELSE coalesce(c.name, v.customer_id)
              END) AS label,
    any_value(CASE $group WHEN 'engineer' THEN v.team END) AS team,
    count(*) AS sent,
    count(*) FILTER (WHERE v.answered) AS answered,
    count(*) FILTER (WHERE v.satisfied) AS satisfied,
    count(*) FILTER (WHERE v.low_score) AS low,
    count(*) FILTER (WHERE v.low_score AND NOT v.has_action) AS low_without_action,
    avg(v.score) AS mean_score,
    count(*) FILTER (WHERE v.satisfied) / nullif(count(*) FILTER (WHERE v.answered), 0) AS csat,
    count(*) FILTER (WHERE v.answered) / count(*) AS response_rate
FROM v
LEFT JOIN customers AS c ON c.customer_id = v.customer_id
WHERE $survey_type IS NULL OR v.survey_type = $survey_type
GROUP BY grp
ORDER BY csat ASC NULLS LAST, mean_score ASC NULLS LAST, grp
