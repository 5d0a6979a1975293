-- ticket_facts: ticket_sla widened with the ticket columns, the engineer's team and the calendar,
-- built once per load so the pages filter and group one table instead of joining four.
CREATE OR REPLACE TABLE ticket_facts AS
SELECT
    s.*,
    strftime(s.reported_at, '%Y-%m') AS month,
    k.category, k.channel, k.service_mode, k.engineer_id, e.name AS engineer_name, e.team,
    k.reported_severity, k.warranty, k.transfers, k.quote_status, k.site, k.device,
    k.parent_ticket_id, k.responded_at, k.confirmed_at, k.arrived_at, k.resolved_at, k.closed_at,
    k.approved_at, k.wait_minutes, k.part_requested_at, k.part_received_at,
    k.error_ratio, k.capacity_drop,
    (k.resolved_at IS NOT NULL OR k.closed_at IS NOT NULL) AS finished,
    coalesce(d.is_workday, false) AS reported_on_workday,
    d.holiday AS holiday
FROM ticket_sla AS s
JOIN tickets AS k USING (ticket_id)
LEFT JOIN engineers AS e USING (engineer_id)
LEFT JOIN calendar_days AS d ON d.date = CAST(s.reported_at AS DATE)
