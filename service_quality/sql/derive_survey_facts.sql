-- survey_facts in SQL (DESIGN §2.5), run by the load: each survey by its customer's score
-- thresholds (customer_terms), stored beside the judgements. Answered when scored; satisfied
-- at or above satisfied_min_score, a low score at or below low_score_max (both NULL when not
-- answered); has_action when an improvement action names the survey as its source.
WITH linked AS (
    SELECT DISTINCT source_id AS survey_id
    FROM actions
    WHERE source_type = 'survey' AND source_id IS NOT NULL
)
SELECT v.survey_id, v.customer_id, v.survey_type, v.sent_at, v.score IS NOT NULL AS answered,
       v.score, k.satisfied_min_score, v.score >= k.satisfied_min_score AS satisfied,
       k.low_score_max, v.score <= k.low_score_max AS low_score,
       l.survey_id IS NOT NULL AS has_action, k.terms_id
FROM surveys AS v
JOIN customer_terms AS k ON k.customer_id = v.customer_id
LEFT JOIN linked AS l ON l.survey_id = v.survey_id
