-- filter_choices: what the sidebar offers, per customer, built once per load so that no page view
-- scans ticket_facts for it (sql/filter_options.sql narrows it to the caller's scope): each
-- customer with tickets (value = its id, label = its name, or the id when the customers file has
-- none), each engineer team with tickets of that customer (value = label = the team), and the
-- customer's first and last month with tickets (value = the first, label = the last, YYYY-MM).
CREATE OR REPLACE TABLE filter_choices AS
SELECT 'customer' AS kind, t.customer_id, t.customer_id AS value,
       coalesce(c.name, t.customer_id) AS label
FROM (SELECT DISTINCT customer_id FROM ticket_facts) AS t
LEFT JOIN customers AS c USING (customer_id)
UNION ALL
SELECT DISTINCT 'team', customer_id, team, team
FROM ticket_facts
WHERE team IS NOT NULL
UNION ALL
SELECT 'month', customer_id, strftime(min(reported_at), '%Y-%m'), strftime(max(reported_at), '%Y-%m')
FROM ticket_facts
GROUP BY customer_id
