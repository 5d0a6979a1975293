-- (after _worklist_tickets.sql) Unfinished tickets whose on-site arrival or same-day confirmation
-- clock, at $as_of, is late or near its deadline. minutes_left < 0: late by that much.
-- "Near" = at most $near_minutes left, or at most $near_share of the clock's own limit left, so a
-- confirmation clock stretched over a long holiday warns earlier than a one-hour arrival clock.
, clocks AS (
    SELECT ticket_id, customer_id, engineer_name, service_mode, reported_at,
           'arrival' AS clock, arrival_limit_minutes AS limit_minutes,
           reported_at + to_seconds(arrival_limit_minutes * 60) AS deadline
    FROM w
    WHERE NOT finished AND service_mode = 'onsite' AND arrived_at IS NULL
      AND arrival_limit_minutes IS NOT NULL
    UNION ALL
    SELECT ticket_id, customer_id, engineer_name, service_mode, reported_at,
           'confirm', date_diff('second', reported_at, confirm_deadline) / 60, confirm_deadline
    FROM w
    WHERE NOT finished AND confirmed_at IS NULL AND confirm_deadline IS NOT NULL
),
timed AS (
    SELECT *, date_diff('second', CAST($as_of AS TIMESTAMP), deadline) / 60 AS minutes_left
    FROM clocks
    WHERE reported_at <= $as_of
)
, listed AS (
    SELECT timed.ticket_id, coalesce(k.name, timed.customer_id) AS customer_name, timed.clock,
           timed.reported_at, timed.deadline, timed.limit_minutes, timed.minutes_left,
           timed.engineer_name, timed.service_mode
    FROM timed
    LEFT JOIN customers AS k USING (customer_id)
    WHERE timed.minutes_left <= greatest($near_minutes, $near_share * timed.limit_minutes)
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY listed.minutes_left, listed.ticket_id, listed.clock
LIMIT $limit
