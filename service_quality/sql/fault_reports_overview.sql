-- (after _tickets.sql) The fault-report picture in one pass, as (kind, key, n) rows:
--   status    faults per report_status (3-day rule; na left out)
--   sections  tickets by the number of non-empty sections (0–7) of their latest report version
--   missing   latest versions lacking each section (a blank or whitespace-only text is missing)
--   decision  the customer's decision on the latest version (none recorded = pending)
--   versions  tickets by how many versions they have
--   stage     reports due (pending with a due time), overdue (breached, none submitted) or late
--             (breached, submitted after the due time) — the rows of fault_reports_due.sql
, latest AS (
    SELECT ticket_id, customer_decision,
           count(*) OVER (PARTITION BY ticket_id) AS versions,
           nullif(trim(fault_content), '') IS NOT NULL AS fault_content,
           nullif(trim(affected_time), '') IS NOT NULL AS affected_time,
           nullif(trim(affected_users), '') IS NOT NULL AS affected_users,
           nullif(trim(handling_process), '') IS NOT NULL AS handling_process,
           nullif(trim(analysis), '') IS NOT NULL AS analysis,
           nullif(trim(lessons), '') IS NOT NULL AS lessons,
           nullif(trim(prevention), '') IS NOT NULL AS prevention
    FROM fault_reports
    WHERE ticket_id IN (SELECT ticket_id FROM t)
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY version DESC) = 1
),
present AS (
    UNPIVOT (SELECT ticket_id, fault_content, affected_time, affected_users, handling_process,
                    analysis, lessons, prevention FROM latest)
    ON fault_content, affected_time, affected_users, handling_process, analysis, lessons,
       prevention
    INTO NAME section VALUE present
)
SELECT 'status' AS kind, report_status AS "key", count(*) AS n
FROM t
WHERE report_status <> 'na'
GROUP BY ALL
UNION ALL
SELECT 'sections', CAST(sections AS VARCHAR), count(*)
FROM (SELECT ticket_id, count(*) FILTER (WHERE present) AS sections FROM present
      GROUP BY ticket_id)
GROUP BY ALL
UNION ALL
SELECT 'missing', section, count(*) FILTER (WHERE NOT present)
FROM present
GROUP BY ALL
UNION ALL
SELECT 'decision', coalesce(customer_decision, 'pending'), count(*)
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'versions', CAST(versions AS VARCHAR), count(*)
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'stage',
       CASE WHEN t.report_status = 'pending' THEN 'due'
            WHEN EXISTS (SELECT 1 FROM fault_reports AS r WHERE r.ticket_id = t.ticket_id)
                THEN 'late'
            ELSE 'overdue' END,
       count(*)
FROM t
WHERE (t.report_status = 'pending' AND t.report_due_at IS NOT NULL)
   OR t.report_status = 'breached'
GROUP BY ALL
