-- (after _monthly.sql) Compliance of every promise over the filtered tickets (their monthly status
-- counts) and the complaints received in the same period and scope.
-- compliance = met / (met + breached + no_record); pending and na are counted, never in the rate.
, c AS (
    SELECT first_reply_status, resolution_status
    FROM complaint_sla
    WHERE received_at >= $start AND received_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
),
statuses AS (
    UNPIVOT (SELECT first_reply_status, resolution_status FROM c)
    ON first_reply_status AS 'complaint_first_reply', resolution_status AS 'complaint_resolution'
    INTO NAME metric VALUE status
)
SELECT
    metric,
    sum(met)::BIGINT AS met,
    sum(breached)::BIGINT AS breached,
    sum(no_record)::BIGINT AS no_record,
    sum(pending)::BIGINT AS pending,
    sum(na)::BIGINT AS na,
    compliance_of(met, breached, no_record) AS compliance
FROM m
GROUP BY metric
UNION ALL
SELECT
    metric,
    count(*) FILTER (WHERE status = 'met') AS met,
    count(*) FILTER (WHERE status = 'breached') AS breached,
    count(*) FILTER (WHERE status = 'no_record') AS no_record,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'na') AS na,
    compliance(status) AS compliance
FROM statuses
GROUP BY metric
