-- action_status (DESIGN §2.6): one row per improvement action judged at $as_of, from the table
-- actions. Needs the macros of macros.sql (action_overdue_at: what overdue means, everywhere).
-- status: as recorded, else `done` when a completion time is recorded, else `open`.
-- completion: cancelled; open (not done or verified yet); on_time when the completion date
-- (completed_at, else verified_at) is on or before due_date; else late, including done without
-- any date, which cannot be shown to be on time.
WITH s AS (
    SELECT *,
           coalesce(status, CASE WHEN completed_at IS NOT NULL THEN 'done' ELSE 'open' END)
               AS judged_status,
           coalesce(completed_at, verified_at) AS done_at
    FROM actions
),
o AS (
    SELECT *,
           action_overdue_at(judged_status, due_date, created_at, done_at,
                             CAST($as_of AS TIMESTAMP)) AS overdue
    FROM s
)
SELECT action_id, customer_id, source_type, judged_status AS status, due_date,
       overdue AS is_overdue,
       CASE WHEN overdue THEN date_diff('day', due_date, CAST($as_of AS DATE)) ELSE 0 END
           AS days_overdue,
       CASE WHEN judged_status = 'cancelled' THEN 'cancelled'
            WHEN judged_status NOT IN ('done', 'verified') THEN 'open'
            WHEN CAST(done_at AS DATE) <= due_date THEN 'on_time'
            ELSE 'late' END AS completion
FROM o
