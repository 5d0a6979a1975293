-- Choices for the sidebar: customers (id, name) and engineer teams, within the caller's scope, and
-- the first and last month with tickets; read from filter_choices, which the load builds.
SELECT 'customer' AS kind, value, label
FROM filter_choices
WHERE kind = 'customer' AND ($customers IS NULL OR list_contains($customers, customer_id))
UNION ALL
SELECT DISTINCT 'team', value, value
FROM filter_choices
WHERE kind = 'team' AND ($customers IS NULL OR list_contains($customers, customer_id))
UNION ALL
SELECT 'month', min(value), max(label)
FROM filter_choices
WHERE kind = 'month' AND ($customers IS NULL OR list_contains($customers, customer_id))
ORDER BY kind, value
