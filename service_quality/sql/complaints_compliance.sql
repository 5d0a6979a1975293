-- (after _complaints.sql) Status counts and compliance of both complaint promises (first reply
-- and resolution in time, each by its customer's limits) per $group: month, category ('' = none)
-- or all.
-- compliance = met / (met + breached + no_record); pending and na are counted, never in the rate.
, s AS (
    UNPIVOT (
        SELECT CASE $group WHEN 'month' THEN month
                           WHEN 'category' THEN coalesce(category, '')
                           ELSE 'all' END AS grp,
               first_reply_status, resolution_status
        FROM c
    )
    ON first_reply_status AS 'first_reply', resolution_status AS 'resolution'
    INTO NAME promise VALUE status
)
SELECT
    grp,
    promise,
    count(*) AS complaints,
    count(*) FILTER (WHERE status = 'met') AS met,
    count(*) FILTER (WHERE status = 'breached') AS breached,
    count(*) FILTER (WHERE status = 'no_record') AS no_record,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'na') AS na,
    compliance(status) AS compliance
FROM s
GROUP BY grp, promise
ORDER BY promise, grp
