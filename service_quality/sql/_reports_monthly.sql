-- Base CTEs `rm` and `rr`: report_monthly and report_rejections (built by the load,
-- sql/build_monthly.sql) within the caller's scope ($customers) and the page filters: the
-- narrowing of _tickets.sql on whole months, as _monthly.sql does for ticket_monthly.
WITH rm AS (
    SELECT *
    FROM report_monthly
    WHERE month >= strftime(CAST($start AS TIMESTAMP), '%Y-%m')
      AND month < strftime(CAST($end AS TIMESTAMP), '%Y-%m')
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_severities IS NULL OR list_contains($f_severities, severity))
      AND ($f_service_modes IS NULL OR list_contains($f_service_modes, service_mode))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
),
rr AS (
    SELECT *
    FROM report_rejections
    WHERE month >= strftime(CAST($start AS TIMESTAMP), '%Y-%m')
      AND month < strftime(CAST($end AS TIMESTAMP), '%Y-%m')
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
      AND ($f_severities IS NULL OR list_contains($f_severities, severity))
      AND ($f_service_modes IS NULL OR list_contains($f_service_modes, service_mode))
      AND ($f_teams IS NULL OR list_contains($f_teams, team))
)
