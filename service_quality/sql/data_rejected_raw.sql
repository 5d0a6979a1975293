-- One rejected row as read ($file, $row_number): raw is a JSON object of the file's headers.
-- Supervisor-only like every rejected row: a customer scope ($customers not NULL) gets nothing.
SELECT raw
FROM rejected_rows
WHERE $customers IS NULL AND file = $file AND row_number = $row_number
LIMIT 1
