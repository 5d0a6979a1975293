-- Choices for the sidebar: customers (id, name) and engineer teams, within the caller's scope.
SELECT 'customer' AS kind, t.customer_id AS value, coalesce(c.name, t.customer_id) AS label
FROM (SELECT DISTINCT customer_id FROM ticket_facts
      WHERE $customers IS NULL OR list_contains($customers, customer_id)) AS t
LEFT JOIN customers AS c USING (customer_id)
UNION ALL
SELECT DISTINCT 'team', team, team
FROM ticket_facts
WHERE team IS NOT NULL AND ($customers IS NULL OR list_contains($customers, customer_id))
UNION ALL
SELECT 'month', strftime(min(reported_at), '%Y-%m'), strftime(max(reported_at), '%Y-%m')
FROM ticket_facts
WHERE $customers IS NULL OR list_contains($customers, customer_id)
ORDER BY kind, value
