-- Files with rejected rows and how many each has, for the Data page's file choice.
-- Rejected rows are supervisor-only: they did not load, so their customer is not established
-- (the column may be missing, misspelt or the very reason of the rejection) and a customer scope
-- ($customers not NULL) sees none of them rather than another customer's row.
-- file_name: the file's folder and name, enough to tell two exports of one entity apart.
SELECT
    file,
    regexp_extract(file, '([^/\\]+[/\\])?[^/\\]+$') AS file_name,
    entity,
    count(*) AS rows
FROM rejected_rows
WHERE $customers IS NULL
GROUP BY file, entity
ORDER BY entity, file
