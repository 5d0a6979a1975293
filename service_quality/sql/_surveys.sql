-- Base CTE `v`: surveys with their facts (survey_details, built by the load from survey_facts,
-- surveys and engineers), sent in [$start, $end) (a NULL bound leaves that side open), within the
-- caller's scope ($customers) and the customer filter. The team filter narrows by the survey's
-- engineer; severity and service mode describe tickets, so they do not apply.
WITH v AS (
    SELECT *
    FROM survey_details
    WHERE ($start IS NULL OR sent_at >= $start) AND ($end IS NULL OR sent_at < $end)
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
)
