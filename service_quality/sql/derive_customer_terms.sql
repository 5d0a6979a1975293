-- customer_terms (run by the load before every rule): the agreement's terms each customer is
-- judged by. Reads the temp table terms_sets: one row per distinct set of terms, terms_id 0 the
-- defaults of settings.toml (customer_id NULL), then one per customer with its own
-- [customers.<id>.…] overrides (the defaults with them applied). Writes one row per customer id
-- in the data or in the settings — each with its own set, else the defaults' (terms_id 0) — and
-- the defaults' row itself (customer_id NULL). in_data: the customer has rows in some input
-- table; a customer only the settings name has none (the load warns).
INSERT INTO customer_terms BY NAME
WITH seen AS (
    SELECT customer_id FROM customers
    UNION SELECT customer_id FROM tickets
    UNION SELECT customer_id FROM complaints
    UNION SELECT customer_id FROM surveys
    UNION SELECT customer_id FROM actions WHERE customer_id IS NOT NULL
),
ids AS (
    SELECT customer_id, true AS in_data FROM seen
    UNION ALL
    SELECT customer_id, false FROM terms_sets
    WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT customer_id FROM seen)
)
SELECT i.customer_id, i.in_data, s.* EXCLUDE (customer_id)
FROM ids AS i
LEFT JOIN terms_sets AS own ON own.customer_id = i.customer_id
JOIN terms_sets AS s ON s.terms_id = coalesce(own.terms_id, 0)
UNION ALL
SELECT NULL, false, s.* EXCLUDE (customer_id)
FROM terms_sets AS s
WHERE s.terms_id = 0
