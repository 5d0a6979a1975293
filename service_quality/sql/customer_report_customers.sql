-- Customers within the caller's scope ($customers) with their contract facts and the addresses
-- their periodic report is mailed to (report_emails as written in the customers file, NULL when
-- none), by id: every row of `customers`, plus any customer id that has tickets but no customers
-- row (name = the id).
SELECT customer_id, coalesce(c.name, customer_id) AS name, c.region, c.contract_start,
       c.contract_end, c.project_manager, c.report_emails
FROM (SELECT customer_id FROM customers
      UNION
      SELECT DISTINCT customer_id FROM ticket_facts) AS ids
LEFT JOIN customers AS c USING (customer_id)
WHERE $customers IS NULL OR list_contains($customers, customer_id)
ORDER BY customer_id
