"""The DuckDB file: its tables, its schema version, and read-only access by version."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .schema import (
    BOOL,
    DATE,
    ENTITIES,
    FLOAT,
    INT,
    RATIO,
    RELATION_TYPES,
    RELATIONS,
    SCORE,
    STR,
    TIMESTAMP,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MACROS = (Path(__file__).resolve().parent / "sql" / "macros.sql").read_text(encoding="utf-8")
DEFAULT_DB = PROJECT_ROOT / "data" / "service.duckdb"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"

# Bump when a table's shape changes; a file with another version is rebuilt, not trusted.
SCHEMA_VERSION = 1

SQL_TYPES = {
    STR: "VARCHAR", TIMESTAMP: "TIMESTAMP", DATE: "DATE", BOOL: "BOOLEAN", RATIO: "DOUBLE",
    INT: "BIGINT", FLOAT: "DOUBLE", SCORE: "DOUBLE",
}

# Tables that are not entities. Their DDL is fixed text; entity tables are generated from the
# contract in schema.py (identifiers from our own constants, never from data).
FIXED_DDL = {
    "load_batches": """CREATE TABLE IF NOT EXISTS load_batches (
        batch_id VARCHAR, file VARCHAR, entity VARCHAR, encoding VARCHAR, sha256 VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
        started_at TIMESTAMP, finished_at TIMESTAMP, as_of TIMESTAMP)""",
    "rejected_rows": """CREATE TABLE IF NOT EXISTS rejected_rows (
        batch_id VARCHAR, file VARCHAR, entity VARCHAR, row_number BIGINT, reason VARCHAR,
        raw VARCHAR)""",
    "load_info": "CREATE TABLE IF NOT EXISTS load_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
}


def db_path() -> Path:
    """The database the app reads: $DASHBOARD_DB or data/service.duckdb."""
    return Path(os.environ.get("DASHBOARD_DB") or DEFAULT_DB)


def _entity_statements(e) -> dict[str, str]:
    # Quoted: some contract names ("at") are SQL keywords.
    cols = ", ".join(f'"{c.name}" {SQL_TYPES[c.kind]}' for c in e.columns)
    key = ", ".join(f'"{k}"' for k in e.key)
    return {
        "create": f"CREATE TABLE IF NOT EXISTS {e.name} ({cols})",
        # Upsert by key from the registered DataFrame `staged`: a later export replaces a row.
        "delete_staged": f"DELETE FROM {e.name} WHERE ({key}) IN (SELECT ({key}) FROM staged)",  # noqa: S608
        "insert_staged": f"INSERT INTO {e.name} BY NAME SELECT * FROM staged",  # noqa: S608
        "select_all": f"SELECT * FROM {e.name}",  # noqa: S608
    }


# Statements per entity, generated once from the contract: identifiers come from schema.py and
# never from a file or a user; values always travel as parameters or registered DataFrames.
ENTITY_SQL = {name: _entity_statements(e) for name, e in ENTITIES.items()}

CALENDAR_DAYS_COLUMNS = {
    "date": "DATE", "is_workday": "BOOLEAN", "estimated": "BOOLEAN", "source": "VARCHAR",
    "holiday": "VARCHAR", "note": "VARCHAR",
}


def _replace_derived(name: str, columns: dict[str, str]) -> list[str]:
    cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    # Declared types, so a column that is empty in every row is still typed and a date a DATE.
    return [f"CREATE OR REPLACE TABLE {name} ({cols})",
            f"INSERT INTO {name} BY NAME SELECT * FROM derived"]  # noqa: S608


REPLACE_DERIVED = {
    "calendar_days": _replace_derived("calendar_days", CALENDAR_DAYS_COLUMNS),
    **{name: _replace_derived(name, {c: RELATION_TYPES.get(c, "VARCHAR") for c in cols})
       for name, cols in RELATIONS.items()},
}


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every entity and bookkeeping table that is missing."""
    for statements in ENTITY_SQL.values():
        con.execute(statements["create"])
    for ddl in FIXED_DDL.values():
        con.execute(ddl)


@dataclass(frozen=True)
class DbVersion:
    """Identity of one built database file: a load replaces the file, so these change."""

    path: str
    inode: int
    mtime_ns: int
    size: int


def db_version(path: Path) -> DbVersion | None:
    """The current version of the file at `path`, or None when there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return DbVersion(str(path), st.st_ino, st.st_mtime_ns, st.st_size)


class Database:
    """One read-only connection to one version of the file; a cursor per query."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.version = db_version(self.path)
        self._con = duckdb.connect(str(self.path), read_only=True)

    def query(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run one parameterised query and return all rows."""
        cur = self._con.cursor()
        try:
            # Temporary macros live per cursor; creating them costs well under a millisecond.
            cur.execute(MACROS)
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def close(self) -> None:
        """Release the file."""
        self._con.close()
