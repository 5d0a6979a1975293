-- Base CTE `t`: ticket_facts within the caller's scope ($customers) and the page filters.
-- $start and $end bound reported_at; each f_ list narrows, NULL meaning "all". A severity is
-- the rule severity of a fault (general, severe, unknown) or `not_fault` for any other ticket.
WITH t AS (
    SELECT *
    FROM ticket_facts
    WHERE reported_at >= $start AND reported_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_severities IS NULL
           OR list_contains($f_severities, coalesce(rule_severity, 'not_fault')))
      AND ($f_service_modes IS NULL OR list_contains($f_service_modes, service_mode))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
)
