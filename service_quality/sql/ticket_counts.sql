-- Tickets reported in [$start, $end) within the caller's scope.
SELECT count(*) AS tickets
FROM ticket_sla
WHERE reported_at >= $start AND reported_at < $end
  AND ($customers IS NULL OR list_contains($customers, customer_id))
