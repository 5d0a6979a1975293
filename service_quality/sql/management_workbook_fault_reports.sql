-- (after _tickets.sql) The fault-report sheet of the management workbook: every filtered fault the
-- report rule applies to (report_status other than na), with or without a report, oldest
-- first: its report status (ticket_sla's), versions, the latest version's sections present and
-- completeness (sections / 7, as fault_reports_list.sql), the customer's decision on it (none
-- recorded = pending), the reasons of any rejection and how many rejections gave none (the
-- agreement requires one: a finding).
, faults AS (
    SELECT t.ticket_id, t.customer_id, t.reported_at, t.rule_severity, t.resolved_at,
           t.report_due_at, t.report_status
    FROM t
    WHERE t.category = 'fault' AND t.report_status IS DISTINCT FROM 'na'
),
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
f AS (
    SELECT faults.*, n.matching
    FROM faults CROSS JOIN (SELECT count(*) AS matching FROM faults) AS n
    ORDER BY faults.reported_at, faults.ticket_id
    LIMIT $limit
),
agg AS (
    SELECT ticket_id,
           count(*) AS versions,
           max(version) AS version,
           min(submitted_at) AS first_submitted_at,
           arg_max(coalesce(customer_decision, 'pending'), version) AS decision,
           arg_max(decided_at, version) AS decided_at,
           arg_max((nullif(trim(fault_content), '') IS NOT NULL)::INT
                   + (nullif(trim(affected_time), '') IS NOT NULL)::INT
                   + (nullif(trim(affected_users), '') IS NOT NULL)::INT
                   + (nullif(trim(handling_process), '') IS NOT NULL)::INT
                   + (nullif(trim(analysis), '') IS NOT NULL)::INT
                   + (nullif(trim(lessons), '') IS NOT NULL)::INT
                   + (nullif(trim(prevention), '') IS NOT NULL)::INT, version) AS sections,
           string_agg(DISTINCT nullif(trim(reject_reason), ''), '；'
                      ORDER BY nullif(trim(reject_reason), ''))
               FILTER (WHERE customer_decision = 'rejected') AS reject_reasons,
           count(*) FILTER (WHERE customer_decision = 'rejected') AS rejections,
           count(*) FILTER (WHERE customer_decision = 'rejected'
                              AND nullif(trim(reject_reason), '') IS NULL) AS no_reason
    FROM fault_reports
    -- the range first: row groups outside it are not read (queries._id_range)
    WHERE ticket_id BETWEEN $t_lo AND $t_hi AND ticket_id IN (SELECT ticket_id FROM f)
    GROUP BY ticket_id
)
SELECT f.ticket_id, f.customer_id, coalesce(c.name, f.customer_id) AS customer_name,
       f.reported_at, f.rule_severity, f.resolved_at, f.report_due_at, a.first_submitted_at,
       f.report_status, coalesce(a.versions, 0) AS versions, a.sections,
       a.sections / 7 AS completeness, a.decision, a.decided_at,
       coalesce(a.rejections, 0) AS rejections, a.reject_reasons,
       coalesce(a.no_reason, 0) AS no_reason_rejections, f.matching
FROM f
LEFT JOIN agg AS a USING (ticket_id)
LEFT JOIN customers AS c ON c.customer_id = f.customer_id
ORDER BY f.reported_at, f.ticket_id
