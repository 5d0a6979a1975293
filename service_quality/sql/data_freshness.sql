-- How fresh the data is: when the last file load finished (a time, no customer's data) and the
-- newest ticket within the caller's scope, with its age in hours at as_of ($as_of).
SELECT
    (SELECT max(finished_at) FROM load_batches) AS last_finished,
    max(reported_at) AS newest_ticket,
    date_diff('second', max(reported_at), $as_of) / 3600.0 AS newest_ticket_age_hours,
    count(*) AS tickets
FROM ticket_sla
WHERE $customers IS NULL OR list_contains($customers, customer_id)
