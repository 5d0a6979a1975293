"""ETL: read the input files, check and coerce them, load them into DuckDB."""
