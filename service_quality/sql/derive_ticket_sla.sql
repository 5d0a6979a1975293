-- ticket_sla in SQL (DESIGN §2.2–§2.3; the worked examples are docs/rules.md): the one
-- implementation of the ticket promises, run by the load over its tables. Reads tickets,
-- ticket_events, fault_reports, calendar_days, customer_terms (each customer's limits,
-- thresholds and handling targets) and the temp table sla_windows (each set of terms'
-- working-hour windows in minutes of the day, by terms_id). Every ticket is judged by its own
-- customer's terms, and the limits used are stored beside the statuses.
-- Minutes are microsecond differences / 60e6; moments are compared to the microsecond, so
-- "within" and "before" hold to the second as recorded.
-- tk is read twice (the clock of the few paused tickets, and base): inlined, not written out
-- in full first (1 M tickets: 0.15 s less).
WITH tk AS NOT MATERIALIZED (
    SELECT t.*, k.terms_id, k.response_limit_minutes, k.arrival_limit_working_minutes,
           k.arrival_limit_non_working_minutes, k.report_due_hours, k.report_required_for,
           k.handling_target_general_minutes, k.handling_target_severe_minutes,
           k.reproduction_wait_months, k.error_ratio_threshold, k.capacity_drop_threshold,
           k.threshold_inclusive,
           -- the handling clock (below), on the ticket's own row: a join back to it by
           -- ticket_id cost a hash join of every ticket (0.5 s at a million)
           coalesce(t.confirmed_at, t.reported_at) AS clock_start,
           coalesce(t.confirmed_at, t.reported_at) + to_months(k.reproduction_wait_months)
               AS window_end,
           least(coalesce(t.resolved_at, CAST($as_of AS TIMESTAMP)),
                 coalesce(t.confirmed_at, t.reported_at)
                     + to_months(k.reproduction_wait_months)) AS wait_until,
           -- each set of terms' working-hour windows, for the test of the moment reported
           -- (base.in_work) without a correlated subquery per ticket
           w.windows
    FROM tickets AS t
    JOIN customer_terms AS k ON k.customer_id = t.customer_id
    LEFT JOIN (SELECT terms_id, list({'s': start_minute, 'e': end_minute}) AS windows
               FROM sla_windows GROUP BY terms_id) AS w ON w.terms_id = k.terms_id
),
days AS (
    SELECT date, is_workday, estimated,
           sum(CAST(estimated AS INTEGER)) OVER (ORDER BY date) AS estimated_through
    FROM calendar_days
),
-- For each set of terms and calendar day: the end of that day's working hours (working days
-- only) and the end of the next working day's. A hash join on the day then finds the deadline;
-- an ASOF join did the same by sorting every wide ticket row (5.8 s of 8 at a million tickets).
day_ends AS (
    SELECT w.terms_id, d.date,
           CASE WHEN d.is_workday THEN CAST(d.date AS TIMESTAMP) + to_minutes(w.day_end) END
               AS today_end,
           CAST(min(CASE WHEN d.is_workday THEN d.date END) OVER (
                    PARTITION BY w.terms_id ORDER BY d.date
                    ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS TIMESTAMP)
               + to_minutes(w.day_end) AS next_end
    FROM calendar_days AS d
    CROSS JOIN (SELECT terms_id, max(end_minute) AS day_end FROM sla_windows GROUP BY terms_id)
        AS w
),
first_report AS (
    SELECT ticket_id, min(submitted_at) AS submitted_at FROM fault_reports GROUP BY ticket_id
),
-- The handling clock runs from confirmation (else the report) to resolution (else as_of). A wait
-- for the fault to recur counts only inside that clock and within the customer's
-- reproduction_wait_months (N) calendar months of its start (clause 6.6: 自确认故障服务申请之日起
-- N个月内): recurrence_due_at ends the window.
clock AS (
    SELECT ticket_id, clock_start, window_end, wait_until
    FROM tk
),
-- A ticket is paused from an event `pause` until the next pause/resume event (file order breaks
-- ties), an open pause up to resolution, else as_of; each span is cut to the wait window.
pause_events AS (
    SELECT e.ticket_id, e.event, e."at",
           coalesce(lead(e."at") OVER (PARTITION BY e.ticket_id ORDER BY e."at", e.rowid),
                    coalesce(t.resolved_at, $as_of)) AS until
    FROM ticket_events AS e
    JOIN tickets AS t USING (ticket_id)
    WHERE e.event IN ('pause', 'resume')
),
paused AS (
    SELECT p.ticket_id,
           sum(greatest(epoch_us(least(p.until, c.wait_until))
                        - epoch_us(greatest(p."at", c.clock_start)), 0)) / 60e6
               AS paused_minutes
    FROM pause_events AS p
    JOIN clock AS c USING (ticket_id)
    WHERE p.event = 'pause'
    GROUP BY p.ticket_id
),
base AS (
    SELECT
        t.* EXCLUDE (windows),
        (t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL) AS finished,
        (epoch_us(CAST($as_of AS TIMESTAMP)) - epoch_us(t.reported_at)) / 60e6 AS since_report,
        coalesce(d.is_workday, false) AND coalesce(len(list_filter(t.windows, lambda w:
            (epoch_us(t.reported_at) - epoch_us(date_trunc('day', t.reported_at))) / 60e6
                >= w.s
            AND (epoch_us(t.reported_at) - epoch_us(date_trunc('day', t.reported_at))) / 60e6
                < w.e)) > 0, false) AS in_work,
        coalesce(t.category = 'fault', false) AS fault,
        CASE
            WHEN coalesce(t.system_down OR t.network_down OR t.key_device_down
                          OR t.imminent_outage, false)
                OR coalesce(CASE WHEN t.threshold_inclusive
                                 THEN t.error_ratio >= t.error_ratio_threshold
                                 ELSE t.error_ratio > t.error_ratio_threshold END, false)
                OR coalesce(CASE WHEN t.threshold_inclusive
                                 THEN t.capacity_drop >= t.capacity_drop_threshold
                                 ELSE t.capacity_drop > t.capacity_drop_threshold END, false)
                THEN 'severe'
            WHEN t.system_down IS NOT NULL OR t.network_down IS NOT NULL
                OR t.key_device_down IS NOT NULL OR t.imminent_outage IS NOT NULL
                OR t.error_ratio IS NOT NULL OR t.capacity_drop IS NOT NULL THEN 'general'
            ELSE 'unknown'
        END AS severity,
        r.submitted_at,
        -- Pause events say when the ticket waited; a bare wait_minutes is taken to start at
        -- the clock's start (confirmation), so it is cut to the same window.
        CASE WHEN p.ticket_id IS NOT NULL THEN p.paused_minutes
             ELSE greatest(least(coalesce(t.wait_minutes, 0.0),
                                 (epoch_us(t.wait_until) - epoch_us(t.clock_start)) / 60e6),
                           0.0)
        END AS wait,
        CASE WHEN p.ticket_id IS NOT NULL OR t.wait_minutes > 0 THEN t.window_end END
            AS recurrence_due_at
    FROM tk AS t
    LEFT JOIN days AS d ON d.date = CAST(t.reported_at AS DATE)
    LEFT JOIN first_report AS r USING (ticket_id)
    LEFT JOIN paused AS p USING (ticket_id)
),
-- The first end of working hours strictly after the moment reported: today's end on a working
-- day before it (17:29:59 still is), else the next working day's.
confirm AS (
    SELECT b.*,
           CASE WHEN e.today_end > b.reported_at THEN e.today_end ELSE e.next_end END
               AS confirm_deadline
    FROM base AS b
    LEFT JOIN day_ends AS e
        ON e.terms_id = b.terms_id AND e.date = CAST(b.reported_at AS DATE)
),
timed AS (
    SELECT
        c.*,
        CASE WHEN c.responded_at IS NULL AND c.channel = 'phone' THEN 0.0
             ELSE (epoch_us(c.responded_at) - epoch_us(c.reported_at)) / 60e6
        END AS response_minutes,
        coalesce(c.service_mode = 'onsite', false) AS onsite,
        CASE WHEN c.in_work THEN c.arrival_limit_working_minutes
             ELSE c.arrival_limit_non_working_minutes END AS arrival_limit,
        (epoch_us(c.arrived_at) - epoch_us(c.reported_at)) / 60e6 AS arrival,
        (epoch_us(c.confirmed_at) - epoch_us(c.confirm_deadline)) / 60e6 AS confirm_late_by,
        (epoch_us(CAST($as_of AS TIMESTAMP)) - epoch_us(c.confirm_deadline)) / 60e6
            AS confirm_running,
        c.fault AND (c.report_required_for <> 'severe' OR c.severity = 'severe')
            AS needs_report,
        c.resolved_at + to_microseconds(CAST(round(c.report_due_hours * 3600e6) AS BIGINT))
            AS due,
        -- Approval before work starts, to the second: approved 10:00:40 after a start at
        -- 10:00:10 is late; the same recorded moment counts as before.
        coalesce(c.arrived_at, c.resolved_at) AS upgrade_start,
        c.approved_at AS approved,
        -- Never negative: a ticket resolved before it was confirmed took no handling time.
        -- (greatest() skips NULLs: an unresolved ticket has no handling minutes, not 0.)
        CASE WHEN c.resolved_at IS NOT NULL THEN
            greatest((epoch_us(c.resolved_at) - epoch_us(c.clock_start)) / 60e6 - c.wait, 0.0)
        END AS handling_minutes,
        greatest((epoch_us(CAST($as_of AS TIMESTAMP)) - epoch_us(c.clock_start)) / 60e6 - c.wait,
                 0.0) AS handling_running,
        CASE WHEN c.fault THEN CASE c.severity
                                   WHEN 'severe' THEN c.handling_target_severe_minutes
                                   WHEN 'general' THEN c.handling_target_general_minutes
                               END
        END AS handling_target
    FROM confirm AS c
)
SELECT
    s.ticket_id,
    s.customer_id,
    s.reported_at,
    s.in_work AS reported_in_working_time,
    coalesce(de.estimated_through - ds.estimated_through
             + CAST(ds.estimated AS INTEGER) > 0, false) AS calendar_estimated,
    s.response_limit_minutes,
    s.response_minutes,
    CASE
        WHEN s.response_minutes IS NOT NULL AND s.response_minutes <= s.response_limit_minutes
            THEN 'met'
        WHEN s.response_minutes IS NOT NULL THEN 'breached'
        WHEN s.finished THEN 'no_record'
        WHEN s.since_report > s.response_limit_minutes THEN 'breached'
        ELSE 'pending'
    END AS response_status,
    CASE WHEN s.onsite THEN s.arrival_limit END AS arrival_limit_minutes,
    CASE WHEN s.onsite THEN s.arrival END AS arrival_minutes,
    CASE
        WHEN NOT s.onsite THEN 'na'
        WHEN s.arrival IS NOT NULL AND s.arrival <= s.arrival_limit THEN 'met'
        WHEN s.arrival IS NOT NULL THEN 'breached'
        WHEN s.finished THEN 'no_record'
        WHEN s.since_report > s.arrival_limit THEN 'breached'
        ELSE 'pending'
    END AS arrival_status,
    s.confirm_deadline,
    CASE
        WHEN s.confirm_late_by IS NOT NULL AND s.confirm_late_by <= 0 THEN 'met'
        WHEN s.confirm_late_by IS NOT NULL THEN 'breached'
        WHEN s.finished THEN 'no_record'
        WHEN s.confirm_running > 0 THEN 'breached'
        ELSE 'pending'
    END AS confirm_status,
    CASE WHEN s.needs_report THEN s.report_due_hours END AS report_due_hours,
    CASE WHEN s.needs_report THEN s.due END AS report_due_at,
    CASE
        WHEN NOT s.needs_report THEN 'na'
        WHEN s.due IS NOT NULL AND s.submitted_at IS NOT NULL AND s.submitted_at <= s.due
            THEN 'met'
        WHEN s.due IS NOT NULL AND s.submitted_at IS NOT NULL THEN 'breached'
        WHEN s.due IS NOT NULL AND CAST($as_of AS TIMESTAMP) > s.due THEN 'breached'
        WHEN s.due IS NOT NULL THEN 'pending'
        WHEN s.finished THEN 'no_record'
        ELSE 'pending'
    END AS report_status,
    CASE
        WHEN NOT coalesce(s.category = 'upgrade', false) THEN 'na'
        WHEN s.approved IS NOT NULL AND s.upgrade_start IS NOT NULL
            AND s.approved <= s.upgrade_start THEN 'met'
        WHEN s.approved IS NOT NULL AND s.upgrade_start IS NOT NULL THEN 'breached'
        WHEN s.finished THEN 'no_record'
        WHEN s.upgrade_start IS NOT NULL THEN 'breached'
        ELSE 'pending'
    END AS upgrade_status,
    s.handling_target AS handling_target_minutes,
    s.handling_minutes,
    CASE
        WHEN s.handling_target IS NULL THEN 'na'
        WHEN s.handling_minutes IS NOT NULL AND s.handling_minutes <= s.handling_target
            THEN 'met'
        WHEN s.handling_minutes IS NOT NULL THEN 'breached'
        WHEN s.finished THEN 'no_record'
        WHEN s.handling_running > s.handling_target THEN 'breached'
        ELSE 'pending'
    END AS handling_status,
    s.recurrence_due_at,
    CASE WHEN s.fault THEN s.error_ratio_threshold END AS error_ratio_threshold,
    CASE WHEN s.fault THEN s.capacity_drop_threshold END AS capacity_drop_threshold,
    CASE WHEN s.fault THEN s.threshold_inclusive END AS threshold_inclusive,
    CASE WHEN s.fault THEN s.severity END AS rule_severity,
    CASE
        WHEN NOT s.fault THEN NULL
        WHEN s.severity = 'unknown' OR s.reported_severity IS NULL THEN 'unverifiable'
        WHEN s.reported_severity = s.severity THEN 'consistent'
        WHEN s.reported_severity = 'general' AND s.severity = 'severe' THEN 'under_classified'
        WHEN s.reported_severity = 'severe' AND s.severity = 'general' THEN 'over_classified'
        ELSE 'unverifiable'
    END AS severity_check,
    s.terms_id
FROM timed AS s
LEFT JOIN days AS ds ON ds.date = CAST(s.reported_at AS DATE)
LEFT JOIN days AS de
    ON de.date = coalesce(CAST(s.confirm_deadline AS DATE), CAST(s.reported_at AS DATE))
