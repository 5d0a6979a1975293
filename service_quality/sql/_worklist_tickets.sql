-- Base CTE `w`: the worklist's candidate tickets (worklist_tickets, built by the load at its
-- as_of) in the caller's scope ($customers) and the customer / severity / service-mode / team
-- filters, whatever their month: the supervision worklist is about what needs following up now,
-- not about the selected period.
WITH w AS (
    SELECT *
    FROM worklist_tickets
    WHERE ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_severities IS NULL
           OR list_contains($f_severities, coalesce(rule_severity, 'not_fault')))
      AND ($f_service_modes IS NULL OR list_contains($f_service_modes, service_mode))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
)
