-- Base CTEs over the load's per-month tables (sql/build_monthly.sql) within the caller's scope
-- ($customers) and the page filters (macros.sql: in_months), for $start and $end at month
-- starts (the queries module checks that before choosing this base):
--   m   ticket_monthly     the promises' status counts
--   rm  report_monthly     the fault-report shapes' counts
--   rr  report_rejections  the rejections' counts per reason
--   h   fault_handling     each resolved fault's handling minutes
WITH m AS (
    SELECT *
    FROM ticket_monthly
    WHERE in_months(month, customer_id, severity, service_mode, team, $start, $end, $customers,
                    $f_customers, $f_severities, $f_service_modes, $f_teams)
),
rm AS (
    SELECT *
    FROM report_monthly
    WHERE in_months(month, customer_id, severity, service_mode, team, $start, $end, $customers,
                    $f_customers, $f_severities, $f_service_modes, $f_teams)
),
rr AS (
    SELECT *
    FROM report_rejections
    WHERE in_months(month, customer_id, severity, service_mode, team, $start, $end, $customers,
                    $f_customers, $f_severities, $f_service_modes, $f_teams)
),
h AS (
    SELECT *
    FROM fault_handling
    WHERE in_months(month, customer_id, severity, service_mode, team, $start, $end, $customers,
                    $f_customers, $f_severities, $f_service_modes, $f_teams)
)
