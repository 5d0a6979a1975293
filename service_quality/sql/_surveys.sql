-- Base CTE `v`: surveys with their facts, sent in [$start, $end) (a NULL bound leaves that side
-- open), within the caller's scope ($customers) and the customer filter. The team filter narrows
-- by the survey's engineer; severity and service mode describe tickets, so they do not apply.
WITH v AS (
    SELECT f.survey_id, f.customer_id, coalesce(f.survey_type, 'unknown') AS survey_type,
           f.sent_at, f.answered, f.score, f.satisfied, f.low_score, f.has_action,
           strftime(f.sent_at, '%Y-%m') AS month,
           s.ticket_id, s.engineer_id, s.method, s.answered_at, s.problem_category, s.comment,
           e.name AS engineer_name, e.team
    FROM survey_facts AS f
    JOIN surveys AS s USING (survey_id)
    LEFT JOIN engineers AS e ON e.engineer_id = s.engineer_id
    WHERE ($start IS NULL OR f.sent_at >= $start) AND ($end IS NULL OR f.sent_at < $end)
      AND ($customers IS NULL OR list_contains($customers, f.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, f.customer_id))
      AND ($f_teams IS NULL OR list_contains($f_teams, e.team))
)
