-- Overdue improvement actions in scope and the customer filter: now (action_status.is_overdue,
-- judged at as_of) and at the moment $before (the end of the previous period), both by the one
-- definition action_overdue_at (macros.sql) that action_status itself was judged with.
SELECT
    count(*) FILTER (WHERE a.is_overdue) AS now,
    count(*) FILTER (
        WHERE action_overdue_at(a.status, a.due_date, x.created_at,
                                coalesce(x.completed_at, x.verified_at),
                                CAST($before AS TIMESTAMP))
    ) AS before
FROM action_status AS a
JOIN actions AS x USING (action_id)
WHERE ($customers IS NULL OR list_contains($customers, a.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))
