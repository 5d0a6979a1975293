-- (after _tickets.sql) The customer report's service summary: tickets per category and service
-- mode, with on-site visits (on-site tickets with an arrival recorded) and finished tickets.
SELECT coalesce(category, 'fault') AS category, coalesce(service_mode, '') AS service_mode,
       count(*) AS tickets,
       count(*) FILTER (WHERE service_mode = 'onsite' AND arrived_at IS NOT NULL)
           AS onsite_visits,
       count(*) FILTER (WHERE finished) AS finished
FROM t
GROUP BY ALL
ORDER BY category, service_mode
