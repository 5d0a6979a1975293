-- (after _tickets.sql) Workload and performance per engineer over the filtered tickets, busiest
-- first: tickets, still open at as_of, on-site tickets and arrivals recorded, arrival compliance
-- (met / (met + breached + no_record); pending and na left out), median handling minutes.
-- Tickets without an engineer form one row with engineer_id NULL.
SELECT
    engineer_id,
    coalesce(any_value(engineer_name), engineer_id) AS engineer_name,
    any_value(team) AS team,
    count(*) AS tickets,
    count(*) FILTER (WHERE NOT finished) AS open_tickets,
    count(*) FILTER (WHERE service_mode = 'onsite') AS onsite,
    count(*) FILTER (WHERE service_mode = 'onsite' AND arrived_at IS NOT NULL) AS arrivals,
    count(*) FILTER (WHERE arrival_status = 'met') AS arrival_met,
    count(*) FILTER (WHERE arrival_status = 'breached') AS arrival_breached,
    count(*) FILTER (WHERE arrival_status = 'no_record') AS arrival_no_record,
    compliance(arrival_status) AS arrival_compliance,
    median(handling_minutes) AS median_handling_minutes
FROM t
GROUP BY engineer_id
ORDER BY tickets DESC, engineer_id NULLS LAST
