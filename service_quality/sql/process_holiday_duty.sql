-- (after _tickets.sql) Every statutory holiday day of the period (a day off with a holiday name)
-- with its duty engineers and phones from duty_roster, and the gap the agreement forbids:
-- 'no_duty' (nobody on the roster) or 'no_phone' (nobody on it with a phone number).
-- The roster is the provider's, the same for every customer; the ticket counts are the caller's.
, days AS (
    SELECT date, holiday
    FROM calendar_days
    WHERE holiday IS NOT NULL AND NOT is_workday
      AND date >= CAST($start AS DATE) AND date < CAST($end AS DATE)
),
duty AS (
    SELECT
        r.date,
        count(*) AS duty_engineers,
        count(*) FILTER (WHERE nullif(trim(r.phone), '') IS NOT NULL) AS with_phone,
        string_agg(coalesce(e.name, r.engineer_id), '、' ORDER BY r.engineer_id) AS engineers,
        string_agg(coalesce(nullif(trim(r.phone), ''), '—'), '、' ORDER BY r.engineer_id)
            AS phones,
        string_agg(DISTINCT r.note, '、') AS note
    FROM duty_roster AS r
    JOIN days USING (date)
    LEFT JOIN engineers AS e USING (engineer_id)
    GROUP BY r.date
),
tk AS (
    SELECT CAST(reported_at AS DATE) AS date, count(*) AS tickets,
           count(*) FILTER (WHERE arrival_status = 'breached') AS arrival_breached
    FROM t
    WHERE holiday IS NOT NULL
    GROUP BY 1
)
SELECT
    d.date,
    d.holiday,
    duty.engineers,
    duty.phones,
    duty.note,
    coalesce(duty.duty_engineers, 0) AS duty_engineers,
    CASE WHEN duty.date IS NULL THEN 'no_duty'
         WHEN duty.with_phone = 0 THEN 'no_phone' END AS gap,
    coalesce(tk.tickets, 0) AS tickets,
    coalesce(tk.arrival_breached, 0) AS arrival_breached
FROM days AS d
LEFT JOIN duty USING (date)
LEFT JOIN tk USING (date)
ORDER BY d.date
