-- (after _monthly.sql) Rejected report versions by the customer's reason, most frequent
-- first, from the load's counts (report_rejections, summed over the period's groups): how many, on
-- how many tickets, how many were followed by a new version, how many of those the customer then
-- accepted, and how many versions came after. A blank reason is NULL.
SELECT reason,
       sum(rejections)::BIGINT AS rejections,
       sum(tickets)::BIGINT AS tickets,
       sum(resubmitted)::BIGINT AS resubmitted,
       sum(accepted_later)::BIGINT AS accepted_later,
       sum(not_resubmitted)::BIGINT AS not_resubmitted,
       sum(later_versions)::BIGINT AS later_versions
FROM rr
GROUP BY reason
ORDER BY rejections DESC, reason NULLS LAST
LIMIT $limit
