-- The supervision worklist's candidates at the load's $as_of, so a page reads a few thousand rows
-- instead of every ticket, action and survey of the history. Each table holds every row any
-- threshold of queries/worklist.py could list (the thresholds only narrow them further), with the
-- columns the worklist_*.sql files read. Built once per load after ticket_facts and
-- survey_details; the worklist's "now" is this $as_of (load_info.as_of).

-- worklist_actions_overdue: improvement actions overdue at $as_of (action_status.is_overdue),
-- with the tracker's columns and the ticket a fault-report or inspection action answers.
CREATE OR REPLACE TABLE worklist_actions_overdue AS
SELECT a.action_id, a.customer_id, a.days_overdue, a.due_date, a.status, a.source_type,
       x.source_id, x.owner_dept, x.owner, x.measure, k.ticket_id
FROM action_status AS a
JOIN actions AS x USING (action_id)
LEFT JOIN tickets AS k
       ON k.ticket_id = x.source_id AND a.source_type IN ('fault_report', 'inspection')
WHERE a.is_overdue;

-- worklist_low_scores: low survey scores with no improvement action linked, with the survey's
-- own columns.
CREATE OR REPLACE TABLE worklist_low_scores AS
SELECT f.survey_id, f.customer_id, f.score, f.survey_type, s.sent_at, s.answered_at,
       s.problem_category, s.comment, s.ticket_id
FROM survey_facts AS f
JOIN surveys AS s USING (survey_id)
WHERE f.low_score AND NOT f.has_action;

-- Last: DuckDB binds parameters ($as_of) of the last statement only.
-- worklist_tickets: ticket_facts rows that are unfinished (clocks, reproduction), whose fault
-- report is pending or breached without any version (reports), or that the desk
-- under-classified (severity); with the outage flags, the latest pause/resume at $as_of, and
-- whether the ticket was still waiting for a recurrence when its window closed
-- (waiting_at_due: its last pause/resume by recurrence_due_at is a pause; a wait recorded only
-- as wait_minutes says nothing of a recurrence, so such a ticket is still waiting).
CREATE OR REPLACE TABLE worklist_tickets AS
WITH last_wait AS (
    SELECT ticket_id, event AS wait_event, "at" AS paused_at, note AS wait_note
    FROM ticket_events
    WHERE event IN ('pause', 'resume') AND "at" <= $as_of
    QUALIFY row_number() OVER (PARTITION BY ticket_id
                               ORDER BY "at" DESC, (event = 'resume') DESC) = 1
),
wait_at_due AS (
    SELECT e.ticket_id, e.event = 'pause' AS waiting
    FROM ticket_events AS e
    JOIN ticket_sla AS s USING (ticket_id)
    WHERE e.event IN ('pause', 'resume') AND e."at" <= s.recurrence_due_at
    QUALIFY row_number() OVER (PARTITION BY e.ticket_id
                               ORDER BY e."at" DESC, (e.event = 'resume') DESC) = 1
),
wait_events AS (
    SELECT DISTINCT ticket_id FROM ticket_events WHERE event IN ('pause', 'resume')
)
SELECT f.*, k.system_down, k.network_down, k.key_device_down, k.imminent_outage,
       l.wait_event, l.paused_at, l.wait_note,
       f.recurrence_due_at IS NOT NULL AND coalesce(d.waiting, x.ticket_id IS NULL)
           AS waiting_at_due
FROM ticket_facts AS f
JOIN tickets AS k USING (ticket_id)
LEFT JOIN last_wait AS l USING (ticket_id)
LEFT JOIN wait_at_due AS d USING (ticket_id)
LEFT JOIN wait_events AS x USING (ticket_id)
WHERE NOT f.finished
   OR f.report_status = 'pending'
   OR (f.report_status = 'breached' AND f.report_versions IS NULL)
   OR f.severity_check = 'under_classified';
