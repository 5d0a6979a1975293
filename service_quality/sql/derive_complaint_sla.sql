-- complaint_sla in SQL (DESIGN §2.4), run by the load: each complaint by its customer's limits
-- (customer_terms), both clocks wall clock 7×24 from receipt; the limits are stored beside the
-- statuses. first reply: within first_reply_limit_hours; a resolved complaint without a first
-- reply is no_record. Resolution: within resolution_limit_days × 24 h; a complaint ends when
-- resolved, so an unresolved one is a running clock (pending, then breached), never no_record.
WITH c AS (
    SELECT x.complaint_id, x.customer_id, x.received_at, x.resolved_at, k.terms_id,
           k.first_reply_limit_hours, k.resolution_limit_days,
           (epoch_us(x.first_reply_at) - epoch_us(x.received_at)) / 60e6 AS first_reply_minutes,
           (epoch_us(x.resolved_at) - epoch_us(x.received_at)) / 60e6 / 1440
               AS resolution_days,
           (epoch_us(CAST($as_of AS TIMESTAMP)) - epoch_us(x.received_at)) / 60e6 AS running
    FROM complaints AS x
    JOIN customer_terms AS k ON k.customer_id = x.customer_id
)
SELECT
    complaint_id, customer_id, received_at, first_reply_limit_hours, first_reply_minutes,
    CASE
        WHEN first_reply_minutes IS NOT NULL
            AND first_reply_minutes <= first_reply_limit_hours * 60 THEN 'met'
        WHEN first_reply_minutes IS NOT NULL THEN 'breached'
        WHEN resolved_at IS NOT NULL THEN 'no_record'
        WHEN running > first_reply_limit_hours * 60 THEN 'breached'
        ELSE 'pending'
    END AS first_reply_status,
    resolution_limit_days, resolution_days,
    CASE
        WHEN resolution_days IS NOT NULL AND resolution_days <= resolution_limit_days THEN 'met'
        WHEN resolution_days IS NOT NULL THEN 'breached'
        WHEN running / 1440 > resolution_limit_days THEN 'breached'
        ELSE 'pending'
    END AS resolution_status,
    terms_id
FROM c
