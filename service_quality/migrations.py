"""Bring a database written by an older version of the project to this schema version.

Only the tables that hold input data matter: the derived tables are recomputed by every load.
A step registered in MIGRATIONS turns version N into N + 1; without a path, the input tables
are rebuilt in this version's layout, keeping every column whose name still exists.
"""

from __future__ import annotations

import duckdb

from .database import ENTITY_SQL, FIXED_DDL, SCHEMA_VERSION, stored_schema_version
from .schema import ENTITIES

# from version N: the SQL statements that make a version-N file a version-(N + 1) file.
MIGRATIONS: dict[int, list[str]] = {
    # 1 → 2 added derived tables and columns only (ticket_monthly, ticket_facts.report_*), which
    # every load recomputes: the input tables are unchanged.
    1: [],
    # 2 → 3 added derived tables only (worklist_tickets, worklist_actions_overdue,
    # worklist_low_scores), which every load recomputes.
    2: [],
    # 3 → 4 changed derived tables only (ticket_sla.recurrence_due_at and the waits cut to the
    # handling clock, ticket_monthly's `not_fault` severity group, calendar_days.holiday of a
    # noteless calendar-file holiday, action_status judged in SQL): every load recomputes them.
    3: [],
    # 4 → 5 added the optional input column customers.report_emails (where reports are mailed).
    4: ["ALTER TABLE customers ADD COLUMN IF NOT EXISTS report_emails VARCHAR"],
    # 5 → 6 added derived tables and columns only (customer_terms: each customer's terms; the
    # limits used beside the statuses of ticket_sla, complaint_sla and survey_facts), which
    # every load recomputes; load_info no longer keeps a copy of the settings (its row is
    # dropped by the load).
    5: [],
    # 6 → 7 added a derived table only (filter_choices, the sidebar's choices), which every
    # load recomputes.
    6: [],
    # 7 → 8 added derived tables only (report_monthly, report_rejections: the fault-report
    # page's counts), which every load recomputes.
    7: [],
    # 8 → 9 added a derived table only (action_overdue, each action's overdue span), which every
    # load recomputes.
    8: [],
    # 9 → 10 added a derived table only (fault_handling, the faults' handling minutes in month
    # order), which every load recomputes.
    9: [],
}


class NewerSchema(Exception):
    """The file was written by a newer version of the project; str() says which."""


def _layouts() -> dict[str, tuple[str, list[str]]]:
    # Every table that keeps data across loads: its CREATE statement and its columns in order.
    kept = {name: (ENTITY_SQL[name]["create"], [c.name for c in e.columns])
            for name, e in ENTITIES.items()}
    for name in ("load_batches", "rejected_rows"):
        con = duckdb.connect(":memory:")
        try:
            con.execute(FIXED_DDL[name])
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "ORDER BY column_index", [name]).fetchall()]
        finally:
            con.close()
        kept[name] = (FIXED_DDL[name], columns)
    return kept


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [table]).fetchall()
    return [r[0] for r in rows] or None


def rebuild_by_name(con: duckdb.DuckDBPyConnection) -> None:
    """Recreate each input table in this version's layout, copying the columns both share."""
    for table, (create, columns) in _layouts().items():
        old = _columns(con, table)
        if old is None:
            continue
        # Identifiers only from our own constants: the shared columns are a subset of ours.
        common = ", ".join(f'"{c}"' for c in columns if c in old)
        con.execute(f'ALTER TABLE {table} RENAME TO "{table}__old"')
        con.execute(create)
        if common:
            con.execute(f'INSERT INTO {table} BY NAME SELECT {common} FROM "{table}__old"')  # noqa: S608
        con.execute(f'DROP TABLE "{table}__old"')


def migrate(con: duckdb.DuckDBPyConnection) -> str | None:
    """Bring the file on CON to SCHEMA_VERSION; the message to print, or None if it already was.

    A file without load_info is new (or empty) and needs nothing. NewerSchema when the file is
    of a later version than this project writes.
    """
    found = stored_schema_version(con)
    if found is None or found == SCHEMA_VERSION:
        return None
    if found > SCHEMA_VERSION:
        raise NewerSchema(f"written by a newer version of this project (schema {found}; this one "
                          f"reads {SCHEMA_VERSION})")
    version = found
    while version < SCHEMA_VERSION and version in MIGRATIONS:
        for step in MIGRATIONS[version]:
            con.execute(step)
        version += 1
    how = "by its migration steps"
    if version < SCHEMA_VERSION:
        rebuild_by_name(con)
        how = "by rebuilding the input tables in the new layout (columns kept by name)"
    con.execute("INSERT OR REPLACE INTO load_info VALUES ('schema_version', ?)",
                [str(SCHEMA_VERSION)])
    return f"migrated from schema {found} to {SCHEMA_VERSION} {how}"
