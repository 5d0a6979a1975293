-- Base CTE `w`: every ticket of ticket_facts in the caller's scope ($customers) and the
-- customer / severity / service-mode / team filters, whatever its month: the supervision worklist
-- is about what needs following up now ($as_of), not about the selected period.
WITH w AS (
    SELECT *
    FROM ticket_facts
    WHERE ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_severities IS NULL
           OR list_contains($f_severities, coalesce(rule_severity, 'unknown')))
      AND ($f_service_modes IS NULL OR list_contains($f_service_modes, service_mode))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
)
