-- Base CTE `a`: improvement actions with their status, created in [$start, $end) (a NULL bound
-- leaves that side open), within the caller's scope ($customers) and the customer filter. An
-- action without a customer is seen only when no customer narrows. Severity, service mode and
-- team describe tickets, so they do not narrow actions.
WITH a AS (
    SELECT s.action_id, s.customer_id, s.source_type, s.status, s.due_date, s.is_overdue,
           s.days_overdue, s.completion, strftime(x.created_at, '%Y-%m') AS month,
           x.created_at, x.source_id, x.problem_category, x.measure, x.owner_dept, x.owner,
           x.completed_at, x.verified_at, x.result, x.customer_notified_at
    FROM action_status AS s
    JOIN actions AS x USING (action_id)
    WHERE ($start IS NULL OR x.created_at >= $start) AND ($end IS NULL OR x.created_at < $end)
      AND ($customers IS NULL OR list_contains($customers, s.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, s.customer_id))
)
