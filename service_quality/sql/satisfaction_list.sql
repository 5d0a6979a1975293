-- (after _surveys.sql) The surveys behind a number: the filtered surveys narrowed by a drill-down
-- (month, survey type, customer, engineer ('—' = none), problem category, and a kind: answered,
-- satisfied, unsatisfied, low, low_without_action, unanswered), newest first.
, listed AS (
    SELECT v.survey_id, v.customer_id, coalesce(c.name, v.customer_id) AS customer_name,
           v.survey_type, v.method, v.sent_at, v.answered_at, v.ticket_id, v.engineer_id,
           coalesce(v.engineer_name, v.engineer_id) AS engineer_name, v.team, v.score,
           v.satisfied, v.low_score, v.has_action, v.problem_category, v.comment
    FROM v
    LEFT JOIN customers AS c ON c.customer_id = v.customer_id
    WHERE ($d_month IS NULL OR v.month = $d_month)
      AND ($d_survey_type IS NULL OR v.survey_type = $d_survey_type)
      AND ($d_customer IS NULL OR v.customer_id = $d_customer)
      AND ($d_engineer IS NULL OR coalesce(v.engineer_id, '—') = $d_engineer)
      AND ($d_problem_category IS NULL OR v.problem_category = $d_problem_category)
      AND ($d_kind IS NULL OR CASE $d_kind
            WHEN 'answered' THEN v.answered
            WHEN 'satisfied' THEN coalesce(v.satisfied, false)
            WHEN 'unsatisfied' THEN v.answered AND NOT v.satisfied
            WHEN 'low' THEN coalesce(v.low_score, false)
            WHEN 'low_without_action' THEN coalesce(v.low_score AND NOT v.has_action, false)
            WHEN 'unanswered' THEN NOT v.answered
          END)
)
-- `matching` counted apart: a window over every matching row had DuckDB hold all their columns
-- before the LIMIT (10 M tickets, a month of them: ticket_list.sql 0.25-0.38 s -> 0.08 s)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.sent_at DESC, listed.survey_id
LIMIT $d_limit
