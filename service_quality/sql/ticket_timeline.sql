-- One ticket's timeline within the caller's scope: each step with its moment and, where the
-- agreement sets one, its deadline (to the second, as ticket_sla judged it, by the ticket's
-- customer's limits: response_limit_minutes, arrival_limit_minutes). A ticket that waited for the fault to recur shows when its
-- recurrence window closes (recurrence_due_at: due to close unless it recurred by then).
WITH k AS (
    SELECT *
    FROM ticket_facts
    WHERE ticket_id = $ticket_id
      AND ($customers IS NULL OR list_contains($customers, customer_id))
),
steps AS (
    SELECT 1 AS ord, 'reported' AS step, reported_at AS "at", NULL::TIMESTAMP AS deadline,
           NULL::VARCHAR AS status, channel AS note FROM k
    UNION ALL
    SELECT 2, 'responded', responded_at,
           reported_at + to_microseconds(CAST(round(response_limit_minutes * 60e6) AS BIGINT)),
           response_status, NULL FROM k
    UNION ALL
    SELECT 3, 'confirmed', confirmed_at, confirm_deadline, confirm_status, NULL FROM k
    UNION ALL
    SELECT 4, 'arrived', arrived_at,
           reported_at + to_microseconds(CAST(round(arrival_limit_minutes * 60e6) AS BIGINT)),
           arrival_status,
           engineer_name
    FROM k WHERE service_mode = 'onsite'
    UNION ALL
    SELECT 5, e.event, e."at", NULL, NULL, e.note
    FROM ticket_events AS e JOIN k USING (ticket_id)
    UNION ALL
    SELECT 6, 'recurrence_due', NULL, recurrence_due_at, NULL, NULL
    FROM k WHERE recurrence_due_at IS NOT NULL
    UNION ALL
    SELECT 6, 'resolved', resolved_at, NULL, handling_status, NULL FROM k
    UNION ALL
    SELECT 7, 'report_submitted', r.submitted_at, k.report_due_at, k.report_status,
           'v' || r.version || coalesce(' · ' || r.customer_decision, '')
    FROM fault_reports AS r JOIN k USING (ticket_id)
    UNION ALL
    SELECT 7, 'report_submitted', NULL, report_due_at, report_status, NULL
    FROM k WHERE report_due_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fault_reports AS r WHERE r.ticket_id = k.ticket_id)
    UNION ALL
    SELECT 8, 'closed', closed_at, NULL, NULL, NULL FROM k
)
SELECT step, "at", deadline, status, note
FROM steps
ORDER BY "at" NULLS LAST, ord
