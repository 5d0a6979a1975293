-- The working calendar per year: days from each source (chinesecalendar = the official package,
-- file = the calendar file, fallback = Monday–Friday estimated), holidays off, and the tickets in
-- the caller's scope reported that year, with those judged on an estimated calendar.
WITH tk AS (
    SELECT year(reported_at) AS year, count(*) AS tickets,
           count(*) FILTER (WHERE calendar_estimated) AS tickets_estimated
    FROM ticket_sla
    WHERE $customers IS NULL OR list_contains($customers, customer_id)
    GROUP BY 1
),
cal AS (
    SELECT
        year(date) AS year,
        min(date) AS first_day,
        max(date) AS last_day,
        count(*) FILTER (WHERE source = 'chinesecalendar') AS days_chinesecalendar,
        count(*) FILTER (WHERE source = 'file') AS days_file,
        count(*) FILTER (WHERE source = 'fallback') AS days_fallback,
        count(*) FILTER (WHERE holiday IS NOT NULL AND NOT is_workday) AS holidays,
        bool_or(estimated) AS estimated
    FROM calendar_days
    GROUP BY 1
)
SELECT
    cal.*,
    coalesce(tk.tickets, 0) AS tickets,
    coalesce(tk.tickets_estimated, 0) AS tickets_estimated
FROM cal
LEFT JOIN tk USING (year)
ORDER BY year
