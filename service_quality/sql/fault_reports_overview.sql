-- (after _monthly.sql) The fault-report picture from the load's counts (report_monthly),
-- as (kind, key, n) rows, each a sum of the groups' tickets:
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
    SELECT versions, decision, present, tickets
    FROM rm
    WHERE versions IS NOT NULL
),
missing AS (
    UNPIVOT (SELECT coalesce(sum(tickets) FILTER (WHERE present & 1 = 0), 0) AS fault_content,
                    coalesce(sum(tickets) FILTER (WHERE present & 2 = 0), 0) AS affected_time,
                    coalesce(sum(tickets) FILTER (WHERE present & 4 = 0), 0) AS affected_users,
                    coalesce(sum(tickets) FILTER (WHERE present & 8 = 0), 0) AS handling_process,
                    coalesce(sum(tickets) FILTER (WHERE present & 16 = 0), 0) AS analysis,
                    coalesce(sum(tickets) FILTER (WHERE present & 32 = 0), 0) AS lessons,
                    coalesce(sum(tickets) FILTER (WHERE present & 64 = 0), 0) AS prevention
             FROM latest)
    ON fault_content, affected_time, affected_users, handling_process, analysis, lessons,
       prevention
    INTO NAME section VALUE n
)
SELECT 'status' AS kind, report_status AS "key", sum(tickets)::BIGINT AS n
FROM rm
WHERE report_status <> 'na'
GROUP BY ALL
UNION ALL
SELECT 'sections', CAST(bit_count(present) AS VARCHAR), sum(tickets)::BIGINT
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'missing', section, n::BIGINT
FROM missing
UNION ALL
SELECT 'decision', decision, sum(tickets)::BIGINT
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'versions', CAST(versions AS VARCHAR), sum(tickets)::BIGINT
FROM latest
GROUP BY ALL
UNION ALL
SELECT 'flag', 'rejected_no_reason', coalesce(sum(rejected_no_reason), 0)::BIGINT
FROM rm
WHERE versions IS NOT NULL
UNION ALL
SELECT 'stage', stage, sum(tickets)::BIGINT
FROM rm
WHERE stage IS NOT NULL
GROUP BY ALL
