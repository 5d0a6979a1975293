-- Compliance of every promise for tickets reported (complaints received) in [$start, $end),
-- within the caller's customer scope ($customers NULL = every customer).
-- compliance = met / (met + breached + no_record); pending and na are counted, never in the rate.
WITH tickets AS (
    SELECT *
    FROM ticket_sla
    WHERE reported_at >= $start AND reported_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
),
complaints AS (
    SELECT *
    FROM complaint_sla
    WHERE received_at >= $start AND received_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
),
statuses AS (
    UNPIVOT (
        SELECT response_status, arrival_status, confirm_status, report_status, upgrade_status,
               handling_status
        FROM tickets
    )
    ON response_status AS 'response', arrival_status AS 'arrival', confirm_status AS 'confirm',
       report_status AS 'report', upgrade_status AS 'upgrade', handling_status AS 'handling'
    INTO NAME metric VALUE status
    UNION ALL
    UNPIVOT (SELECT first_reply_status, resolution_status FROM complaints)
    ON first_reply_status AS 'complaint_first_reply', resolution_status AS 'complaint_resolution'
    INTO NAME metric VALUE status
)
SELECT
    metric,
    count(*) FILTER (WHERE status = 'met') AS met,
    count(*) FILTER (WHERE status = 'breached') AS breached,
    count(*) FILTER (WHERE status = 'no_record') AS no_record,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'na') AS na,
    count(*) FILTER (WHERE status = 'met')
        / nullif(count(*) FILTER (WHERE status IN ('met', 'breached', 'no_record')), 0)
        AS compliance
FROM statuses
GROUP BY metric
