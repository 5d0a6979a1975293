-- (after _tickets.sql) How many tickets the filters select.
SELECT count(*) AS tickets FROM t
