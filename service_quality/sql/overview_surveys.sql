-- Satisfaction of the surveys sent in [$start, $end), in scope and the customer filter.
-- Only the customer filter applies: severity, service mode and team describe tickets.
-- CSAT = satisfied / answered (unanswered forms never count); response rate = answered / sent.
SELECT
    count(*) AS sent,
    count(*) FILTER (WHERE answered) AS answered,
    count(*) FILTER (WHERE satisfied) AS satisfied,
    count(*) FILTER (WHERE satisfied) / nullif(count(*) FILTER (WHERE answered), 0) AS csat,
    count(*) FILTER (WHERE answered) / nullif(count(*), 0) AS response_rate
FROM survey_facts
WHERE sent_at >= $start AND sent_at < $end
  AND ($customers IS NULL OR list_contains($customers, customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
