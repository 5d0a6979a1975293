-- (after _tickets.sql) The faults behind a severity chart, newest first, with the evidence the
-- rule reads (flags and ratios). Narrowed by month, customer, device ('' = not recorded), a
-- severity ($d_severity, by rule or as reported per $d_basis) and a ratio bin ($d_measure,
-- $d_bin with the binning of severity_ratio_bins.sql, $d_side below or at/above the fault's own
-- customer's line, as severity_ratio_bins.sql splits it).
, faults AS (
    SELECT t.ticket_id, t.customer_id, t.reported_at, t.device, t.reported_severity,
           t.rule_severity, t.severity_check, t.error_ratio, t.capacity_drop, t.report_status
    FROM t
    WHERE t.category = 'fault'
      AND ($d_month IS NULL OR t.month = $d_month)
      AND ($d_customer IS NULL OR t.customer_id = $d_customer)
      AND ($d_device IS NULL OR coalesce(t.device, '') = $d_device)
      AND ($d_severity IS NULL OR CASE $d_basis
            WHEN 'reported' THEN coalesce(t.reported_severity, 'unknown')
            ELSE coalesce(t.rule_severity, 'unknown')
          END = $d_severity)
      AND ($d_bin IS NULL OR least(floor(round(CASE $d_measure
            WHEN 'error_ratio' THEN t.error_ratio
            WHEN 'capacity_drop' THEN t.capacity_drop
          END * 100, 6) / $bin_width) * $bin_width, $bin_cap) = $d_bin)
      AND ($d_side IS NULL OR (CASE $d_measure
            WHEN 'error_ratio' THEN t.error_ratio > t.error_ratio_threshold
                OR (t.threshold_inclusive AND t.error_ratio = t.error_ratio_threshold)
            WHEN 'capacity_drop' THEN t.capacity_drop > t.capacity_drop_threshold
                OR (t.threshold_inclusive AND t.capacity_drop = t.capacity_drop_threshold)
          END) = ($d_side = 'severe'))
),
-- `matching` counted apart: a window over every matching row had DuckDB hold all their columns
-- before the LIMIT (as ticket_list.sql)
f AS (
    SELECT faults.*, n.matching
    FROM faults CROSS JOIN (SELECT count(*) AS matching FROM faults) AS n
    ORDER BY faults.reported_at DESC, faults.ticket_id
    LIMIT $d_limit
)
SELECT f.ticket_id, f.customer_id, coalesce(c.name, f.customer_id) AS customer_name,
       f.reported_at, f.device, f.reported_severity, f.rule_severity, f.severity_check,
       k.system_down, k.network_down, k.key_device_down, k.imminent_outage,
       f.error_ratio, f.capacity_drop, f.report_status, f.matching
FROM f
-- the period's id range: the tickets' row groups outside it are not read (queries._id_range)
JOIN tickets AS k ON k.ticket_id = f.ticket_id AND k.ticket_id BETWEEN $t_lo AND $t_hi
LEFT JOIN customers AS c ON c.customer_id = f.customer_id
ORDER BY f.reported_at DESC, f.ticket_id
