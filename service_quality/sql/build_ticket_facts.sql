-- ticket_facts: each ticket's judgement widened with the ticket columns, the engineer's team and
-- the calendar, built once per load so the pages filter and group one table instead of joining
-- four. `judged` is the temporary table of each ticket's judgement (derive_ticket_sla.sql typed
-- as the relation ticket_sla declares: rules.ticket_facts_in_db), so the file gets a million
-- judgements once, here (ticket_sla is a view of these columns: database.TICKET_SLA_VIEW).
-- The report_* columns sum up the ticket's fault reports (NULL when it has none): how many versions,
-- the latest one's number, the customer's decision on it (none recorded = pending) and its
-- non-empty sections as a bit mask (bit i = section i of the agreement's seven, as
-- fault_reports_overview.sql reads it), the first submission, whether any version was rejected,
-- and how many versions were rejected without a reason (the agreement requires one: 如拒绝，需注明
-- 原因; a blank or whitespace-only reason is none).
-- The fault-report page reads these instead of trimming seven texts of every version per view.
-- transfer_events counts the ticket's recorded transfer events (0 when none), for the process
-- page's check against tickets.transfers.
CREATE OR REPLACE TABLE ticket_facts AS
WITH te AS (
    SELECT ticket_id, count(*) AS transfer_events
    FROM ticket_events
    WHERE event = 'transfer'
    GROUP BY ticket_id
),
r AS (
    SELECT ticket_id,
           count(*) AS report_versions,
           max(version) AS report_version,
           min(submitted_at) AS report_first_submitted_at,
           arg_max(coalesce(customer_decision, 'pending'), version) AS report_decision,
           arg_max((nullif(trim(fault_content), '') IS NOT NULL)::INT
                   + (nullif(trim(affected_time), '') IS NOT NULL)::INT * 2
                   + (nullif(trim(affected_users), '') IS NOT NULL)::INT * 4
                   + (nullif(trim(handling_process), '') IS NOT NULL)::INT * 8
                   + (nullif(trim(analysis), '') IS NOT NULL)::INT * 16
                   + (nullif(trim(lessons), '') IS NOT NULL)::INT * 32
                   + (nullif(trim(prevention), '') IS NOT NULL)::INT * 64, version)
               AS report_present,
           bool_or(customer_decision = 'rejected') AS report_rejected,
           count(*) FILTER (WHERE customer_decision = 'rejected'
                              AND nullif(trim(reject_reason), '') IS NULL)
               AS report_rejected_no_reason
    FROM fault_reports
    GROUP BY ticket_id
)
SELECT
    s.*,
    strftime(s.reported_at, '%Y-%m') AS month,
    k.category, k.channel, k.service_mode, k.engineer_id, e.name AS engineer_name, e.team,
    k.reported_severity, k.warranty, k.transfers, k.quote_status, k.site, k.device,
    k.parent_ticket_id, k.responded_at, k.confirmed_at, k.arrived_at, k.resolved_at, k.closed_at,
    k.approved_at, k.wait_minutes, k.part_requested_at, k.part_received_at,
    k.error_ratio, k.capacity_drop,
    (k.resolved_at IS NOT NULL OR k.closed_at IS NOT NULL) AS finished,
    coalesce(d.is_workday, false) AS reported_on_workday,
    d.holiday AS holiday,
    r.report_versions, r.report_version, r.report_first_submitted_at, r.report_decision,
    r.report_present, r.report_rejected, r.report_rejected_no_reason,
    coalesce(te.transfer_events, 0) AS transfer_events
FROM judged AS s
JOIN tickets AS k USING (ticket_id)
LEFT JOIN engineers AS e USING (engineer_id)
LEFT JOIN calendar_days AS d ON d.date = CAST(s.reported_at AS DATE)
LEFT JOIN r USING (ticket_id)
LEFT JOIN te USING (ticket_id)
