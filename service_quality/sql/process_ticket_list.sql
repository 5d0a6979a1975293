-- (after _tickets.sql) The tickets behind a number of the service-process page, narrowed by a
-- drill-down on what ticket_list.sql cannot narrow (channel, transfers, warranty, quote, spare
-- part, one day). Parts lists put the slowest first (still awaited: the hours so far at
-- $as_of); every other list the newest first.
, x AS (
    SELECT
        t.*,
        date_diff('second', t.part_requested_at, coalesce(t.part_received_at, $as_of)) / 3600.0
            AS part_lead_hours
    FROM t
)
, listed AS (
    SELECT x.ticket_id, x.customer_id, coalesce(c.name, x.customer_id) AS customer_name,
           x.reported_at, x.month, x.category, x.channel, x.service_mode, x.engineer_id,
           x.engineer_name, x.team, x.device, x.transfers, x.transfer_events, x.warranty,
           x.quote_status, x.part_requested_at, x.part_received_at, x.part_lead_hours,
           x.holiday, x.arrival_minutes, x.arrival_status, x.handling_minutes, x.resolved_at,
           x.closed_at
    FROM x
    LEFT JOIN customers AS c USING (customer_id)
    WHERE ($d_month IS NULL OR x.month = $d_month)
      AND ($d_channel IS NULL OR coalesce(x.channel, 'unknown') = $d_channel)
      AND ($d_service_mode IS NULL OR coalesce(x.service_mode, 'unknown') = $d_service_mode)
      AND ($d_transfers_min IS NULL OR coalesce(x.transfers, 0) >= $d_transfers_min)
      AND ($d_transfers_max IS NULL OR coalesce(x.transfers, 0) <= $d_transfers_max)
      AND ($d_transfer_mismatch IS NULL
           OR (coalesce(x.transfers, 0) <> x.transfer_events) = $d_transfer_mismatch)
      AND ($d_warranty IS NULL OR coalesce(x.warranty, 'unknown') = $d_warranty)
      AND ($d_quote_status IS NULL OR coalesce(x.quote_status, 'none') = $d_quote_status)
      AND ($d_parts IS NULL OR (x.part_requested_at IS NOT NULL) = $d_parts)
      AND ($d_day IS NULL OR CAST(x.reported_at AS DATE) = CAST($d_day AS DATE))
)
-- `matching` counted apart: a window over every matching row had DuckDB hold all their columns
-- before the LIMIT (10 M tickets, a month of them: ticket_list.sql 0.25-0.38 s -> 0.08 s)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY CASE WHEN $d_parts THEN listed.part_lead_hours END DESC NULLS LAST,
         listed.reported_at DESC, listed.ticket_id
LIMIT $d_limit
