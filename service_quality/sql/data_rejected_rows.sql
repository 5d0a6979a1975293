-- Rejected rows, by file then row number, narrowed to one file ($file) and to reasons containing
-- $search (case-insensitive; NULL = every row).
-- Rejected rows are supervisor-only: they did not load, so their customer is not established
-- (the column may be missing, misspelt or the very reason of the rejection) and a customer scope
-- ($customers not NULL) sees none of them rather than another customer's row.
-- file_name: the file's folder and name, enough to tell two exports of one entity apart.
WITH listed AS (
    SELECT
        batch_id,
        file,
        regexp_extract(file, '([^/\\]+[/\\])?[^/\\]+$') AS file_name,
        entity,
        row_number,
        reason
    FROM rejected_rows
    WHERE $customers IS NULL
      AND ($file IS NULL OR file = $file)
      AND ($search IS NULL OR contains(lower(reason), lower($search)))
)
-- `matching` counted apart, as ticket_list.sql (a window holds every row's columns)
SELECT listed.*, n.matching
FROM listed CROSS JOIN (SELECT count(*) AS matching FROM listed) AS n
ORDER BY entity, file, row_number
LIMIT $limit
