-- ticket_monthly: ticket_facts counted per month, per value of every page filter (customer,
-- severity, service mode, team) and of the SLA breakdowns by working time and holiday, one row
-- per promise with the status counts its compliance rate is made of. Built once per load, so the
-- headline numbers read tens of thousands of rows whatever the volume, instead of every ticket.
-- Months only: a question narrower than a month, or by engineer, reads ticket_facts.
-- `tickets` counts every ticket of the row's group (the same for each promise of the group).
-- severity: a fault's rule severity (general, severe, unknown), `not_fault` for other tickets.
CREATE OR REPLACE TABLE ticket_monthly AS
WITH g AS (
    SELECT
        month, customer_id, coalesce(rule_severity, 'not_fault') AS severity, service_mode, team,
        reported_in_working_time, holiday,
        response_status AS response, arrival_status AS arrival, confirm_status AS confirm,
        report_status AS report, upgrade_status AS upgrade, handling_status AS handling,
        count(*) AS n
    FROM ticket_facts
    GROUP BY ALL
),
s AS (
    SELECT *
    FROM g UNPIVOT INCLUDE NULLS (
        status FOR metric IN (response, arrival, confirm, report, upgrade, handling))
)
SELECT
    month, customer_id, severity, service_mode, team, reported_in_working_time, holiday, metric,
    sum(n)::BIGINT AS tickets,
    coalesce(sum(n) FILTER (WHERE status = 'met'), 0)::BIGINT AS met,
    coalesce(sum(n) FILTER (WHERE status = 'breached'), 0)::BIGINT AS breached,
    coalesce(sum(n) FILTER (WHERE status = 'no_record'), 0)::BIGINT AS no_record,
    coalesce(sum(n) FILTER (WHERE status = 'pending'), 0)::BIGINT AS pending,
    coalesce(sum(n) FILTER (WHERE status = 'na'), 0)::BIGINT AS na
FROM s
GROUP BY ALL
ORDER BY month, metric;

-- survey_details: survey_facts with the survey's own columns and its engineer's name and team, one
-- row per survey, so the satisfaction queries (_surveys.sql) filter one table instead of joining
-- three on every view.
CREATE OR REPLACE TABLE survey_details AS
SELECT f.survey_id, f.customer_id, coalesce(f.survey_type, 'unknown') AS survey_type,
       f.sent_at, f.answered, f.score, f.satisfied, f.low_score, f.has_action,
       strftime(f.sent_at, '%Y-%m') AS month,
       s.ticket_id, s.engineer_id, s.method, s.answered_at, s.problem_category, s.comment,
       e.name AS engineer_name, e.team
FROM survey_facts AS f
JOIN surveys AS s USING (survey_id)
LEFT JOIN engineers AS e ON e.engineer_id = s.engineer_id
ORDER BY f.sent_at
