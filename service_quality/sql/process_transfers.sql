-- (after _tickets.sql) Tickets by their transfer count (tickets.transfers, capped at 5 = "5 or
-- more"), with the transfer events recorded for them and how many tickets' count disagrees with
-- their events (ticket_facts.transfer_events, counted by the load). An empty count means none
-- was recorded: it counts as 0, as the desk exports it.
SELECT
    least(coalesce(t.transfers, 0), 5) AS transfers,
    count(*) AS tickets,
    CAST(sum(t.transfer_events) AS BIGINT) AS transfer_events,
    count(*) FILTER (WHERE coalesce(t.transfers, 0) <> t.transfer_events) AS mismatched
FROM t
GROUP BY 1
ORDER BY 1
