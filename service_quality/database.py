"""The DuckDB file: its tables, its schema version, and read-only access by version."""

from __future__ import annotations

import os
import tempfile
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

# Bump when a table's shape changes: the load migrates an older file (migrations.py); the app
# refuses to read a file of another version until it is loaded again.
# 2: ticket_facts report_* columns, ticket_monthly; 3: worklist_* tables;
# 4: ticket_sla.recurrence_due_at, ticket_monthly severity `not_fault`, action_status in SQL;
# 5: customers.report_emails
# 6: customer_terms, the limits beside the statuses of ticket_sla, complaint_sla, survey_facts
# 7: filter_choices; 8: report_monthly, report_rejections; 9: action_overdue;
# 10: fault_handling
SCHEMA_VERSION = 10

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
        "count": f"SELECT count(*) FROM {e.name}",  # noqa: S608
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
    # ticket_sla is a view of ticket_facts (TICKET_SLA_VIEW), not a table of its own.
    **{name: _replace_derived(name, {c: RELATION_TYPES.get(c, "VARCHAR") for c in cols})
       for name, cols in RELATIONS.items() if name != "ticket_sla"},
}


# ticket_sla is a view of ticket_facts, which holds every judgement column beside the ticket's
# own (rules.ticket_facts_in_db): the load writes a million judgements once, not twice.
TICKET_SLA_VIEW = "CREATE OR REPLACE VIEW ticket_sla AS SELECT {} FROM ticket_facts".format(  # noqa: S608
    ", ".join(f'"{c}"' for c in RELATIONS["ticket_sla"]))


def ticket_sla_view(con: duckdb.DuckDBPyConnection) -> None:
    """ticket_sla as the view of ticket_facts; a file of schema 7 or older has it as a table."""
    kind = con.execute("SELECT table_type FROM information_schema.tables "
                       "WHERE table_catalog = current_database() AND table_schema = 'main' "
                       "AND table_name = 'ticket_sla'").fetchall()
    if kind and kind[0][0] == "BASE TABLE":
        con.execute("DROP TABLE ticket_sla")
    con.execute(TICKET_SLA_VIEW)

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


class StaleVersion(Exception):
    """The file at the path is no longer the version asked for: a load replaced it."""


class DatabaseUnusable(Exception):
    """The file cannot be read by this project: `kind` says why, `detail` what DuckDB said."""

    def __init__(self, path: Path, kind: str, detail: str = "", found: int | None = None):
        super().__init__(f"{path}: {kind} {detail}".strip())
        self.path, self.kind, self.detail, self.found = Path(path), kind, detail, found


# DuckDB's file starts with three 4 KiB headers, then whole blocks.
_HEADER_BYTES = 3 * 4096


def stored_schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version a file records in load_info; None when it has no load_info at all."""
    has_info = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND table_name = 'load_info'").fetchall()[0][0]
    if not has_info:
        return None
    row = con.execute("SELECT value FROM load_info WHERE key = 'schema_version'").fetchall()
    try:
        return int(row[0][0]) if row else 0
    except ValueError:
        return 0


# The app's DuckDB memory per attached version (two at most): without a cap DuckDB keeps what it
# reads, up to most of the machine's memory; a query that needs more puts it in the temp folder.
READ_CONFIG = {"memory_limit": "512MB",
               "temp_directory": str(Path(tempfile.gettempdir()) / "service-quality-duckdb")}


def _attach(path: Path) -> duckdb.DuckDBPyConnection:
    # An in-memory instance with the file attached, never duckdb.connect(path): DuckDB shares
    # one instance per path within a process, so a connection opened after a load would see the
    # replaced file for as long as any older connection to it lived.
    con = duckdb.connect(":memory:", config=READ_CONFIG)
    try:
        con.execute("ATTACH ? AS db (READ_ONLY)", [str(path)])
        con.execute("USE db")
    except BaseException:
        con.close()
        raise
    return con


def damage(con: duckdb.DuckDBPyConnection, size: int) -> str | None:
    """Why the current database file of CON, SIZE bytes on disk, is cut short; None if whole."""
    # Used blocks only: DuckDB may cut free blocks off the end of the file yet still count them.
    blocks, block_size = con.execute(
        "SELECT used_blocks, block_size FROM pragma_database_size() "
        "WHERE database_name = current_database()").fetchall()[0]
    need = _HEADER_BYTES + blocks * block_size
    return f"the file is {size} bytes but its blocks need {need}" if size < need else None


def _check_file(con: duckdb.DuckDBPyConnection, path: Path, size: int) -> None:
    problem = damage(con, size)
    if problem:
        raise DatabaseUnusable(path, "damaged", problem)
    found = stored_schema_version(con)
    if found is None:
        raise DatabaseUnusable(path, "unreadable", "a DuckDB file without load_info: not a "
                               "database this project wrote")
    if found != SCHEMA_VERSION:
        raise DatabaseUnusable(path, "schema", found=found)


class Database:
    """One read-only connection to one version of the file; a cursor per query."""

    def __init__(self, path: Path, expect: DbVersion | None = None):
        """Open PATH read-only; with EXPECT, StaleVersion unless the file is still that version.

        DatabaseUnusable when the file is missing, damaged, not DuckDB or of another schema.
        """
        self.path = Path(path)
        for _ in range(10):
            before = db_version(self.path)
            if before is None:
                raise DatabaseUnusable(self.path, "missing")
            if expect is not None and before != expect:
                raise StaleVersion(str(self.path))
            try:
                con = _attach(self.path)
            except duckdb.Error as e:
                if db_version(self.path) != before:
                    continue   # replaced while opening: try the new file
                raise DatabaseUnusable(self.path, "unreadable", str(e)) from None
            # Same identity before and after: the connection holds that file, not a newer one
            # renamed over it in between.
            if db_version(self.path) == before:
                break
            con.close()
        else:
            raise StaleVersion(str(self.path))
        try:
            _check_file(con, self.path, before.size)
        except duckdb.Error as e:
            con.close()
            raise DatabaseUnusable(self.path, "unreadable", str(e)) from None
        except DatabaseUnusable:
            con.close()
            raise
        self.version = before
        self._con = con

    def query(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run one parameterised query and return all rows."""
        cur = self._con.cursor()
        try:
            # A cursor starts in the in-memory catalog; the file is attached as `db`. Temporary
            # macros live per cursor; creating them costs well under a millisecond.
            cur.execute("USE db")
            cur.execute(MACROS)
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def close(self) -> None:
        """Release the file."""
        self._con.close()
