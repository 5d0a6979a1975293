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
ORDER BY f.sent_at;

-- report_monthly: ticket_facts counted per month, per value of every page filter (customer,
-- severity, service mode, team) and per fault-report shape: report_status, versions, the latest
-- version's decision and sections (bit mask), the due-or-late stage (macros.sql: report_stage), and
-- the versions rejected without a reason. The fault-report overview sums these rows instead of
-- reading a month of tickets (10 M tickets: their row groups hold every month).
CREATE OR REPLACE TABLE report_monthly AS
SELECT
    month, customer_id, coalesce(rule_severity, 'not_fault') AS severity, service_mode, team,
    report_status, report_versions AS versions, report_decision AS decision,
    report_present AS present,
    report_stage(report_status, report_due_at, report_first_submitted_at) AS stage,
    coalesce(sum(report_rejected_no_reason), 0)::BIGINT AS rejected_no_reason,
    count(*)::BIGINT AS tickets
FROM ticket_facts
GROUP BY ALL
ORDER BY month;

-- report_rejections: the customer's rejections of report versions per month, page-filter value
-- and reason (a blank reason is NULL), which fault_reports_rejections.sql sums: how many, on
-- how many tickets (a ticket is in one group, so the groups' counts add up), how many were
-- followed by a new version, how many of those the customer then accepted, how many versions
-- came after.
CREATE OR REPLACE TABLE report_rejections AS
WITH v AS (
    SELECT ticket_id, version, customer_decision, nullif(trim(reject_reason), '') AS reason
    FROM fault_reports
    WHERE ticket_id IN (SELECT ticket_id FROM ticket_facts WHERE report_rejected)
),
rej AS (
    SELECT x.ticket_id, x.version, any_value(x.reason) AS reason,
           count(y.version) AS later_versions,
           coalesce(bool_or(y.customer_decision = 'accepted'), false) AS accepted_later
    FROM v AS x
    LEFT JOIN v AS y ON y.ticket_id = x.ticket_id AND y.version > x.version
    WHERE x.customer_decision = 'rejected'
    GROUP BY x.ticket_id, x.version
)
SELECT
    f.month, f.customer_id, coalesce(f.rule_severity, 'not_fault') AS severity, f.service_mode,
    f.team, r.reason,
    count(*)::BIGINT AS rejections,
    count(DISTINCT r.ticket_id)::BIGINT AS tickets,
    count(*) FILTER (WHERE r.later_versions > 0)::BIGINT AS resubmitted,
    count(*) FILTER (WHERE r.accepted_later)::BIGINT AS accepted_later,
    count(*) FILTER (WHERE r.later_versions = 0)::BIGINT AS not_resubmitted,
    sum(r.later_versions)::BIGINT AS later_versions
FROM rej AS r
JOIN ticket_facts AS f USING (ticket_id)
GROUP BY ALL
ORDER BY f.month
;

-- action_overdue: the span each improvement action is overdue in (macros.sql: from `since` to
-- `until`, NULL being no end), for the actions that are overdue at some moment. The overview
-- counts the overdue actions at a month's end or the previous period's by comparing two times
-- per action, instead of joining actions and judging every action again.
CREATE OR REPLACE TABLE action_overdue AS
WITH d AS (
    SELECT a.action_id, a.customer_id,
           action_overdue_since(a.status, a.due_date, x.created_at,
                                coalesce(x.completed_at, x.verified_at)) AS since,
           action_overdue_until(a.status, coalesce(x.completed_at, x.verified_at)) AS "until"
    FROM action_status AS a
    JOIN actions AS x USING (action_id)
)
SELECT *
FROM d
WHERE since IS NOT NULL AND ("until" IS NULL OR "until" >= since)
ORDER BY since
;

-- fault_handling: each resolved fault's handling minutes with its month and page-filter values,
-- in month order: the overview's medians (not a sum of months) read a period's few row groups of
-- six narrow columns instead of a month of ticket_facts spread over all of its row groups.
CREATE OR REPLACE TABLE fault_handling AS
SELECT month, customer_id, coalesce(rule_severity, 'not_fault') AS severity, service_mode, team,
       handling_minutes
FROM ticket_facts
WHERE category = 'fault' AND handling_minutes IS NOT NULL
ORDER BY month
