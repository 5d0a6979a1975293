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
CREATE OR REPLACE TEMP MACRO action_overdue_at(status, due_date, created_at, done_at, moment) AS
    created_at < moment
    AND due_date < CAST(moment AS DATE)
    AND status <> 'cancelled'
    AND NOT (status IN ('done', 'verified') AND coalesce(done_at < moment, true))
