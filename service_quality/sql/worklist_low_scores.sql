-- Low survey scores (survey_facts.low_score) with no improvement action linked yet, in scope and
-- the customer filter: each must be followed by one. Longest waiting first (days since the
-- answer, else since the form was sent, to $as_of).
-- (worklist_low_scores: those surveys with their columns, built by the load)
WITH listed AS (
    SELECT f.survey_id, coalesce(n.name, f.customer_id) AS customer_name, f.score,
           date_diff('day', coalesce(f.answered_at, f.sent_at), CAST($as_of AS TIMESTAMP))
               AS days_waiting,
           f.survey_type, f.sent_at, f.answered_at, f.problem_category, f.comment, f.ticket_id
    FROM worklist_low_scores AS f
    LEFT JOIN customers AS n ON n.customer_id = f.customer_id
    WHERE ($customers IS NULL OR list_contains($customers, f.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, f.customer_id))
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY days_waiting DESC, listed.survey_id
LIMIT $limit
