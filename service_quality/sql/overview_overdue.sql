-- Overdue improvement actions in scope and the customer filter: now (action_status.is_overdue,
-- judged at as_of) and at the moment $before (the end of the previous period), rebuilt from the
-- dates: created by then, due before that day, not cancelled and not completed by then.
-- An action marked done/verified without any completion date cannot be placed in time; it is
-- counted as done, as action_status does.
SELECT
    count(*) FILTER (WHERE a.is_overdue) AS now,
    count(*) FILTER (
        WHERE x.created_at < $before
          AND a.due_date < CAST($before AS DATE)
          AND a.status <> 'cancelled'
          AND NOT coalesce(coalesce(x.completed_at, x.verified_at) < $before,
                           a.status IN ('done', 'verified'))
    ) AS before
FROM action_status AS a
JOIN actions AS x USING (action_id)
WHERE ($customers IS NULL OR list_contains($customers, a.customer_id))
  AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))
