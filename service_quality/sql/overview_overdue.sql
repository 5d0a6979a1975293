-- Overdue improvement actions in scope and the customer filter: now (action_status.is_overdue,
-- judged at as_of) and at the moment $before (the end of the previous period), both by the one
-- definition action_overdue_at (macros.sql) that action_status itself was judged with; the
-- moment before reads the spans the load kept (action_overdue).
SELECT
    (SELECT count(*)
     FROM action_status AS a
     WHERE a.is_overdue
       AND ($customers IS NULL OR list_contains($customers, a.customer_id))
       AND ($f_customers IS NULL OR list_contains($f_customers, a.customer_id))) AS now,
    (SELECT count(*)
     FROM action_overdue AS o
     WHERE overdue_in(o.since, o."until", CAST($before AS TIMESTAMP))
       AND ($customers IS NULL OR list_contains($customers, o.customer_id))
       AND ($f_customers IS NULL OR list_contains($f_customers, o.customer_id))) AS before
