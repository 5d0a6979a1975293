-- Improvement actions overdue at as_of (action_status.is_overdue: not done, verified or
-- cancelled, and past the due date) in scope and the customer filter, most overdue first.
-- ticket_id: the ticket an action from a fault report or an inspection answers, if it exists.
-- (worklist_actions_overdue: those actions with their columns, built by the load at as_of)
WITH listed AS (
    SELECT a.action_id, coalesce(n.name, a.customer_id) AS customer_name, a.days_overdue,
           a.due_date, a.status, a.source_type, a.source_id, a.owner_dept, a.owner, a.measure,
           a.ticket_id
    FROM worklist_actions_overdue AS a
    LEFT JOIN customers AS n ON n.customer_id = a.customer_id
    WHERE ($customers IS NULL OR list_contains($customers, a.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.days_overdue DESC, listed.action_id
LIMIT $limit
