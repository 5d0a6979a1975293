-- Facts about the last load: as_of, its source, the calendar warnings, the schema version.
SELECT key, value FROM load_info
