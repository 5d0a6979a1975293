-- (after _tickets.sql) The fault-report picture in one pass, as (kind, key, n) rows:
--   status    faults per report_status (the report rule; na left out)
--   sections  tickets by the number of non-empty sections (0–7) of their latest report version
--   missing   latest versions lacking each section (a blank or whitespace-only text is missing)
--   decision  the customer's decision on the latest version (none recorded = pending)
--   versions  tickets by how many versions they have
--   stage     reports due (pending with a due time), overdue (breached, none submitted) or late
--             (breached, submitted after the due time) — the rows of fault_reports_due.sql
--   flag      rejected_no_reason: versions the customer rejected without the reason the
--             agreement requires (blank or whitespace only) — a finding, not an accepted answer
, latest AS (
    -- the tickets with a report: the latest version's decision and its sections as a bit mask
    -- (bit i = section i of the seven), summed up by the load (sql/build_ticket_facts.sql)
    SELECT ticket_id, report_versions AS versions, report_decision AS customer_decision,
           report_present AS present
    FROM t
    WHERE report_versions IS NOT NULL
),
missing AS (
    -- one row of counts, turned into (section, n) rows: 7 rows, whatever the volume
    UNPIVOT (SELECT count(*) FILTER (WHERE present & 1 = 0) AS fault_content,
                    count(*) FILTER (WHERE present & 2 = 0) AS affected_time,
                    count(*) FILTER (WHERE present & 4 = 0) AS affected_users,
                    count(*) FILTER (WHERE present & 8 = 0) AS handling_process,
                    count(*) FILTER (WHERE present & 16 = 0) AS analysis,
                    count(*) FILTER (WHERE present & 32 = 0) AS lessons,
                    count(*) FILTER (WHERE present & 64 = 0) AS prevention
             FROM latest)
    ON fault_content, affected_time, affected_users, handling_process, analysis, lessons,
       prevention
    INTO NAME section VALUE n
)
SELECT 'status' AS kind, report_status AS "key", count(*) AS n
FROM t
WHERE report_status <> 'na'
GROUP BY ALL
UNION ALL
SELECT 'sections', CAST(bit_count(present) AS VARCHAR), count(*)
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'missing', section, n
FROM missing
UNION ALL
SELECT 'decision', customer_decision, count(*)
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'versions', CAST(versions AS VARCHAR), count(*)
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'flag', 'rejected_no_reason', coalesce(sum(report_rejected_no_reason), 0)
FROM t
WHERE report_versions IS NOT NULL
UNION ALL
SELECT 'stage',
       CASE WHEN t.report_status = 'pending' THEN 'due'
            WHEN t.report_versions IS NOT NULL
                THEN 'late'
            ELSE 'overdue' END,
       count(*)
FROM t
WHERE (t.report_status = 'pending' AND t.report_due_at IS NOT NULL)
   OR t.report_status = 'breached'
GROUP BY ALL
