-- (after _monthly.sql) One row per month of [$start, $end): every headline number of the overview
-- for that month, for the cards' trend lines. A month without data has NULLs (a gap, not a 0).
-- Compliance = met / (met + breached + no_record) as everywhere; CSAT and the survey response
-- rate count the surveys sent that month; overdue_actions is the count at the month's end (or
-- at $as_of for the month it falls in, which is action_status.is_overdue; NULL for months after
-- it), by action_overdue_at (macros.sql) as everywhere.
-- The median handling hours are not a sum of months: overview_handling_monthly.sql adds them.
, months AS (
    SELECT strftime(m, '%Y-%m') AS month, m + INTERVAL 1 MONTH AS month_end
    FROM range(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP), INTERVAL 1 MONTH) AS r(m)
),
tm AS (
    SELECT month, metric, sum(tickets) AS tickets,
           compliance_of(met, breached, no_record) AS compliance
    FROM m
    GROUP BY ALL
),
tk AS (
    SELECT
        month,
        any_value(tickets) FILTER (WHERE metric = 'response')::BIGINT AS tickets,
        any_value(compliance) FILTER (WHERE metric = 'response') AS response,
        any_value(compliance) FILTER (WHERE metric = 'arrival') AS arrival,
        any_value(compliance) FILTER (WHERE metric = 'confirm') AS confirm,
        any_value(compliance) FILTER (WHERE metric = 'report') AS report,
        any_value(compliance) FILTER (WHERE metric = 'upgrade') AS upgrade,
        any_value(compliance) FILTER (WHERE metric = 'handling') AS handling
    FROM tm
    GROUP BY month
),
cm AS (
    SELECT
        strftime(date_trunc('month', received_at), '%Y-%m') AS month,
        compliance(first_reply_status) AS complaint_first_reply,
        compliance(resolution_status) AS complaint_resolution
    FROM complaint_sla
    WHERE received_at >= $start AND received_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
    GROUP BY date_trunc('month', received_at)
),
sv AS (
    SELECT
        strftime(date_trunc('month', sent_at), '%Y-%m') AS month,
        count(*) FILTER (WHERE satisfied) / nullif(count(*) FILTER (WHERE answered), 0) AS csat,
        count(*) FILTER (WHERE answered) / count(*) AS survey_response
    FROM survey_facts
    WHERE sent_at >= $start AND sent_at < $end
      AND ($customers IS NULL OR list_contains($customers, customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, customer_id))
    -- grouped by the month's start, named after: a name per row cost twice the scan at 10 M
    GROUP BY date_trunc('month', sent_at)
),
moments AS (
    SELECT month, least(month_end, CAST($as_of AS TIMESTAMP)) AS moment
    FROM months
    WHERE month_end - INTERVAL 1 MONTH <= CAST($as_of AS TIMESTAMP)
),
ac AS (
    -- the spans the load kept (action_overdue): two times compared per action and month
    SELECT m.month, count(*) FILTER (WHERE overdue_in(o.since, o."until", m.moment))
                        AS overdue_actions
    FROM moments AS m
    CROSS JOIN action_overdue AS o
    WHERE ($customers IS NULL OR list_contains($customers, o.customer_id))
      AND ($f_customers IS NULL OR list_contains($f_customers, o.customer_id))
    GROUP BY m.month
)
SELECT
    months.month, coalesce(tk.tickets, 0) AS tickets, tk.response, tk.arrival, tk.confirm, tk.report, tk.upgrade,
    tk.handling, cm.complaint_first_reply, cm.complaint_resolution, sv.csat,
    sv.survey_response, coalesce(ac.overdue_actions, CASE WHEN months.month IN
        (SELECT month FROM moments) THEN 0 END) AS overdue_actions
FROM months
LEFT JOIN tk USING (month)
LEFT JOIN cm USING (month)
LEFT JOIN sv USING (month)
LEFT JOIN ac USING (month)
ORDER BY months.month
