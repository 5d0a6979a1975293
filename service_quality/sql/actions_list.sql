-- (after _actions.sql) The actions behind a number, narrowed by a drill-down (status, source
-- type, owner department ('' = none), completion, month created, overdue only, finished but the
-- customer not told), most overdue first, then the earliest due.
, listed AS (
    SELECT a.action_id, a.customer_id, coalesce(cu.name, a.customer_id) AS customer_name,
           a.source_type, a.source_id, a.problem_category, a.measure, a.owner_dept, a.owner,
           a.status, a.created_at, a.due_date, a.is_overdue, a.days_overdue, a.completion,
           a.completed_at, a.verified_at, a.customer_notified_at, a.result
    FROM a
    LEFT JOIN customers AS cu ON cu.customer_id = a.customer_id
    WHERE ($d_status IS NULL OR a.status = $d_status)
      AND ($d_source_type IS NULL OR a.source_type = $d_source_type)
      AND ($d_owner_dept IS NULL OR coalesce(a.owner_dept, '') = $d_owner_dept)
      AND ($d_completion IS NULL OR a.completion = $d_completion)
      AND ($d_month IS NULL OR a.month = $d_month)
      AND (NOT $d_overdue OR a.is_overdue)
      AND (NOT $d_not_notified
           OR (a.status IN ('done', 'verified') AND a.customer_notified_at IS NULL))
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.days_overdue DESC, listed.due_date, listed.action_id
LIMIT $d_limit
