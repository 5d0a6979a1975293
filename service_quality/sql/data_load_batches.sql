-- The load log, newest first: one row per file per load. A file's row counts add up every
-- customer's rows, so they are supervisor-only: a customer scope ($customers not NULL) sees none.
-- file_name: the file's folder and name, enough to tell two exports of one entity apart.
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
    as_of,
    count(*) OVER () AS matching
FROM load_batches
WHERE $customers IS NULL
ORDER BY started_at DESC, finished_at DESC, file
LIMIT $limit
