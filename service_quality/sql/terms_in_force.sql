-- The agreement's terms the last load judged with (customer_terms, built by the load from
-- settings.toml): the defaults' row (customer_id NULL) and one row per customer within the
-- caller's scope ($customers) and the customer filter, named.
SELECT k.*, coalesce(c.name, k.customer_id) AS customer_name
FROM customer_terms AS k
LEFT JOIN customers AS c USING (customer_id)
WHERE k.customer_id IS NULL
   OR (($customers IS NULL OR list_contains($customers, k.customer_id))
       AND ($f_customers IS NULL OR list_contains($f_customers, k.customer_id)))
ORDER BY k.customer_id NULLS FIRST
