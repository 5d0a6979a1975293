-- Base CTE `c`: complaints (with their SLA) received in [$start, $end), in scope and filter.
-- Severity, service mode and team describe tickets, so they do not narrow complaints.
WITH c AS (
    SELECT s.*, k.ticket_id, k.channel, k.category, k.description, k.complaint_manager,
           k.first_reply_at, k.resolved_at, k.resolution, strftime(s.received_at, '%Y-%m') AS month
    FROM complaint_sla AS s
    JOIN complaints AS k USING (complaint_id)
    WHERE s.received_at >= $start AND s.received_at < $end
      AND ($customers IS NULL OR list_contains($customers, s.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, s.customer_id))
)
