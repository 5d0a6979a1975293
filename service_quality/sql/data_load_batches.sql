-- The load log, newest first: one row per file per load. A file's row counts add up every
-- customer's rows, so they are supervisor-only: a customer scope ($customers not NULL) sees none.
-- file_name: the file's folder and name, enough to tell two exports of one entity apart.
WITH listed AS (
    SELECT
        batch_id,
        regexp_extract(file, '([^/\\]+[/\\])?[^/\\]+$') AS file_name,
        file,
        entity,
        encoding,
        rows_read,
        rows_loaded,
        rows_rejected,
        left(sha256, 12) AS sha256_short,
        started_at,
        finished_at,
        as_of
    FROM load_batches
    WHERE $customers IS NULL
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY started_at DESC, finished_at DESC, file
LIMIT $limit
