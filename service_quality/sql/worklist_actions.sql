-- Improvement actions overdue at as_of (action_status.is_overdue: not done, verified or
-- cancelled, and past the due date) in scope and the customer filter, most overdue first.
-- ticket_id: the ticket an action from a fault report or an inspection answers, if it exists.
SELECT a.action_id, coalesce(n.name, a.customer_id) AS customer_name, a.days_overdue,
       a.due_date, a.status, a.source_type, x.source_id, x.owner_dept, x.owner, x.measure,
       k.ticket_id, count(*) OVER () AS matching
FROM action_status AS a
JOIN actions AS x USING (action_id)
LEFT JOIN customers AS n ON n.customer_id = a.customer_id
LEFT JOIN tickets AS k
       ON k.ticket_id = x.source_id AND a.source_type IN ('fault_report', 'inspection')
WHERE a.is_overdue
  AND ($customers IS NULL OR list_contains($customers, a.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))
ORDER BY a.days_overdue DESC, a.action_id
LIMIT $limit
