-- Macros every app query may use, created on each cursor (temporary: the file stays read-only).
-- compliance(status): the agreement's compliance rate over a group of rows (DESIGN §2):
-- met / (met + breached + no_record); pending and na are left out; NULL when nothing was judged.
CREATE OR REPLACE TEMP MACRO compliance(status) AS
    count(*) FILTER (WHERE status = 'met')
        / nullif(count(*) FILTER (WHERE status IN ('met', 'breached', 'no_record')), 0);
-- compliance_of(met, breached, no_record): the same rate over rows that carry status counts
-- (ticket_monthly), summed over the group.
CREATE OR REPLACE TEMP MACRO compliance_of(met, breached, no_record) AS
    sum(met) / nullif(sum(met) + sum(breached) + sum(no_record), 0)
;
-- action_overdue_at(status, due_date, created_at, done_at, moment): whether an improvement action
-- is overdue at `moment` (DESIGN §2.6: not done and past due) — the one definition behind
-- action_status.is_overdue (moment = as_of) and every count of overdue actions at another moment
-- (the overview's previous period and monthly trend). Overdue: it existed by then, its due date
-- is before that day (due today is not overdue), it is not cancelled, and it was not done by
-- then. `status` is its status at as_of; only `done` / `verified` count as done, from `done_at`
-- (completed_at, else verified_at) on, or always when no date was recorded. An open or
-- in-progress action is not done, whatever dates it carries.
-- Written as the span it is overdue in, so a count at many moments compares two times per
-- action (the load keeps the spans: table action_overdue) instead of judging every action again
-- at every moment.
-- action_overdue_since: the first moment it is overdue, a microsecond after its creation and no
-- earlier than the day after its due date; NULL when it never is (cancelled, done without a
-- date, no creation time or due date).
CREATE OR REPLACE TEMP MACRO action_overdue_since(status, due_date, created_at, done_at) AS
    CASE WHEN status <> 'cancelled' AND created_at IS NOT NULL AND due_date IS NOT NULL
              AND NOT (status IN ('done', 'verified') AND done_at IS NULL)
         THEN greatest(created_at + INTERVAL 1 MICROSECOND,
                       CAST(due_date AS TIMESTAMP) + INTERVAL 1 DAY) END;
-- action_overdue_until: the last moment it is overdue, done_at when done (NULL: no end).
CREATE OR REPLACE TEMP MACRO action_overdue_until(status, done_at) AS
    CASE WHEN status IN ('done', 'verified') THEN done_at END;
-- overdue_in(since, until, moment): whether `moment` lies in the span.
CREATE OR REPLACE TEMP MACRO overdue_in(since, "until", moment) AS
    coalesce(since <= moment AND coalesce(moment <= "until", true), false);
CREATE OR REPLACE TEMP MACRO action_overdue_at(status, due_date, created_at, done_at, moment) AS
    overdue_in(action_overdue_since(status, due_date, created_at, done_at),
               action_overdue_until(status, done_at), moment);
-- in_months(month, customer_id, severity, service_mode, team, start, end, customers, f_customers,
-- f_severities, f_service_modes, f_teams): whether a row of the load's per-month tables
-- (ticket_monthly, report_monthly, …) is in the caller's scope and the page filters: the
-- narrowing of _tickets.sql on whole months, for start and end at month starts.
CREATE OR REPLACE TEMP MACRO in_months(month, customer_id, severity, service_mode, team, "start",
                                       "end", customers, f_customers, f_severities,
                                       f_service_modes, f_teams) AS
    month >= strftime(CAST("start" AS TIMESTAMP), '%Y-%m')
    AND month < strftime(CAST("end" AS TIMESTAMP), '%Y-%m')
    AND (customers IS NULL OR list_contains(customers, customer_id))
    AND (f_customers IS NULL OR list_contains(f_customers, customer_id))
    AND (f_severities IS NULL OR list_contains(f_severities, severity))
    AND (f_service_modes IS NULL OR list_contains(f_service_modes, service_mode))
    AND (f_teams IS NULL OR list_contains(f_teams, team));
-- report_stage(report_status, report_due_at, first_submitted_at): where a fault's analysis report
-- stands on the due-or-late list — due (pending with a due time), overdue (breached, none
-- submitted) or late (breached, submitted after the due time); NULL when it is on no list. The
-- one definition behind the list (fault_reports_due.sql) and its counts (report_monthly).
CREATE OR REPLACE TEMP MACRO report_stage(report_status, report_due_at, first_submitted_at) AS
    CASE WHEN report_status = 'pending' AND report_due_at IS NOT NULL THEN 'due'
         WHEN report_status = 'breached' AND first_submitted_at IS NULL THEN 'overdue'
         WHEN report_status = 'breached' THEN 'late' END
