-- (after _tickets.sql) One promise ($metric) measured on its own for tickets reported on a
-- statutory holiday (a day off with a holiday name) against every other day.
-- compliance = met / (met + breached + no_record); pending and na are counted, never in the rate.
, s AS (
    SELECT
        CASE WHEN holiday IS NOT NULL THEN 'holiday' ELSE 'other' END AS grp,
        CASE $metric
            WHEN 'response' THEN response_status
            WHEN 'arrival' THEN arrival_status
            WHEN 'confirm' THEN confirm_status
            WHEN 'report' THEN report_status
            WHEN 'upgrade' THEN upgrade_status
            WHEN 'handling' THEN handling_status
        END AS status
    FROM t
)
SELECT
    grp,
    count(*) AS tickets,
    count(*) FILTER (WHERE status = 'met') AS met,
    count(*) FILTER (WHERE status = 'breached') AS breached,
    count(*) FILTER (WHERE status = 'no_record') AS no_record,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'na') AS na,
    compliance(status) AS compliance
FROM s
GROUP BY grp
ORDER BY grp
