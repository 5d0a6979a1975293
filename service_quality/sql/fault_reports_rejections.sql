-- (after _tickets.sql) Rejected report versions by the customer's reason, most frequent first:
-- how many, on how many tickets, how many were followed by a new version, how many of those the
-- customer then accepted, and how many versions came after. A blank reason is NULL.
, v AS (
    SELECT ticket_id, version, customer_decision, nullif(trim(reject_reason), '') AS reason
    FROM fault_reports
    -- only the tickets with a rejected version (ticket_facts.report_rejected) can count here
    -- the range first: row groups outside it are not read (queries._id_range)
    WHERE ticket_id BETWEEN $t_lo AND $t_hi
      AND ticket_id IN (SELECT ticket_id FROM t WHERE report_rejected)
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
SELECT reason,
       count(*) AS rejections,
       count(DISTINCT ticket_id) AS tickets,
       count(*) FILTER (WHERE later_versions > 0) AS resubmitted,
       count(*) FILTER (WHERE accepted_later) AS accepted_later,
       count(*) FILTER (WHERE later_versions = 0) AS not_resubmitted,
       sum(later_versions) AS later_versions
FROM rej
GROUP BY reason
ORDER BY rejections DESC, reason NULLS LAST
LIMIT $limit
