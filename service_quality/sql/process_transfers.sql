-- (after _tickets.sql) Tickets by their transfer count (tickets.transfers, capped at 5 = "5 or
-- more"), with the transfer events recorded for them and how many tickets' count disagrees with
-- their events. An empty count means none was recorded: it counts as 0, as the desk exports it.
, e AS (
    SELECT ticket_id, count(*) AS transfer_events
    FROM ticket_events
    WHERE event = 'transfer' AND ticket_id IN (SELECT ticket_id FROM t)
    GROUP BY ticket_id
)
SELECT
    least(coalesce(t.transfers, 0), 5) AS transfers,
    count(*) AS tickets,
    CAST(coalesce(sum(e.transfer_events), 0) AS BIGINT) AS transfer_events,
    count(*) FILTER (WHERE coalesce(t.transfers, 0) <> coalesce(e.transfer_events, 0))
        AS mismatched
FROM t
LEFT JOIN e USING (ticket_id)
GROUP BY 1
ORDER BY 1
