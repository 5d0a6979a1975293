-- Macros every app query may use, created on each cursor (temporary: the file stays read-only).
-- compliance(status): the agreement's compliance rate over a group of rows (DESIGN §2):
-- met / (met + breached + no_record); pending and na are left out; NULL when nothing was judged.
CREATE TEMP MACRO compliance(status) AS
    count(*) FILTER (WHERE status = 'met')
        / nullif(count(*) FILTER (WHERE status IN ('met', 'breached', 'no_record')), 0);
-- compliance_of(met, breached, no_record): the same rate over rows that carry status counts
-- (ticket_monthly), summed over the group.
CREATE TEMP MACRO compliance_of(met, breached, no_record) AS
    sum(met) / nullif(sum(met) + sum(breached) + sum(no_record), 0)
