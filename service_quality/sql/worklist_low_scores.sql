-- Low survey scores (survey_facts.low_score) with no improvement action linked yet, in scope and
-- the customer filter: each must be followed by one. Longest waiting first (days since the
-- answer, else since the form was sent, to $as_of).
SELECT f.survey_id, coalesce(n.name, f.customer_id) AS customer_name, f.score,
       date_diff('day', coalesce(s.answered_at, s.sent_at), CAST($as_of AS TIMESTAMP))
           AS days_waiting,
       f.survey_type, s.sent_at, s.answered_at, s.problem_category, s.comment, s.ticket_id,
       count(*) OVER () AS matching
FROM survey_facts AS f
JOIN surveys AS s USING (survey_id)
LEFT JOIN customers AS n ON n.customer_id = f.customer_id
WHERE f.low_score AND NOT f.has_action
  AND ($customers IS NULL OR list_contains($customers, f.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, f.customer_id))
ORDER BY days_waiting DESC, f.survey_id
LIMIT $limit
