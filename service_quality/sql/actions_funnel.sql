-- (after _actions.sql) The status funnel open → in_progress → done → verified, cancelled aside.
-- `actions` = now at that status; `reached` = at that stage or beyond (cancelled left out), so
-- the funnel narrows from every live action to the verified ones; `overdue` = is_overdue.
, stages(status, stage) AS (
    VALUES ('open', 1), ('in_progress', 2), ('done', 3), ('verified', 4), ('cancelled', 0)
),
n AS (
    SELECT status, count(*) AS actions, count(*) FILTER (WHERE is_overdue) AS overdue
    FROM a
    GROUP BY status
)
SELECT s.status, s.stage, coalesce(n.actions, 0) AS actions, coalesce(n.overdue, 0) AS overdue,
       CASE WHEN s.stage > 0 THEN
           sum(coalesce(n.actions, 0)) FILTER (WHERE s.stage > 0)
               OVER (ORDER BY s.stage DESC ROWS UNBOUNDED PRECEDING)
       END AS reached
FROM stages AS s
LEFT JOIN n USING (status)
ORDER BY s.stage = 0, s.stage
