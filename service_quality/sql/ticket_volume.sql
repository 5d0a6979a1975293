-- (after _monthly.sql) How many tickets the filters select (each ticket counted once: one promise).
SELECT coalesce(sum(tickets), 0)::BIGINT AS tickets FROM m WHERE metric = 'response'
