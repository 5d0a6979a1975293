"""The promises of the agreement (DESIGN §2.2–§2.6), judged in SQL by each customer's terms."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .database import MACROS, REPLACE_DERIVED, ticket_sla_view
from .schema import RELATION_TYPES, RELATIONS
from .settings import Settings
from .terms import CUSTOMER_TERMS_COLUMNS, TERM_COLUMNS, term_row

SQL_DIR = Path(__file__).resolve().parent / "sql"
TICKET_SLA_SQL = (SQL_DIR / "derive_ticket_sla.sql").read_text(encoding="utf-8")
COMPLAINT_SLA_SQL = (SQL_DIR / "derive_complaint_sla.sql").read_text(encoding="utf-8")
SURVEY_FACTS_SQL = (SQL_DIR / "derive_survey_facts.sql").read_text(encoding="utf-8")
ACTION_STATUS_SQL = (SQL_DIR / "derive_action_status.sql").read_text(encoding="utf-8")
CUSTOMER_TERMS_SQL = (SQL_DIR / "derive_customer_terms.sql").read_text(encoding="utf-8")
# Each ticket judged (derive_ticket_sla.sql), typed as the relation ticket_sla declares, into a
# temporary table that build_ticket_facts.sql widens. Column names and types come from our own
# constants (schema.RELATIONS), never from a file.
JUDGED_SQL = "CREATE OR REPLACE TEMP TABLE judged AS\nSELECT {}\nFROM (\n{}\n)".format(  # noqa: S608
    ", ".join(f'CAST("{c}" AS {RELATION_TYPES.get(c, "VARCHAR")}) AS "{c}"'
              for c in RELATIONS["ticket_sla"]), TICKET_SLA_SQL)
TICKET_FACTS_SQL = (SQL_DIR / "build_ticket_facts.sql").read_text(encoding="utf-8")
# Identifiers from our own constants (terms.CUSTOMER_TERMS_COLUMNS), never from a file.
CUSTOMER_TERMS_DDL = "CREATE OR REPLACE TABLE customer_terms ({})".format(
    ", ".join(f'"{c}" {t}' for c, t in CUSTOMER_TERMS_COLUMNS.items()))
TERMS_SETS_DDL = "CREATE OR REPLACE TEMP TABLE terms_sets ({})".format(", ".join(
    f'"{c}" {t}' for c, t in CUSTOMER_TERMS_COLUMNS.items() if c != "in_data"))
TERMS_SETS_INSERT = "INSERT INTO terms_sets VALUES ({})".format(  # noqa: S608 - only ? marks
    ", ".join("?" for c in CUSTOMER_TERMS_COLUMNS if c != "in_data"))


def customer_terms_in_db(con: duckdb.DuckDBPyConnection, s: Settings) -> list[str]:
    """Table customer_terms (each customer's terms) and temp table sla_windows; warnings.

    Every rule joins customer_terms by customer_id, so each row is judged by its customer's own
    terms in one vectorised query. Python only lists the sets of terms the settings define
    (the defaults and one per customer with overrides), never the rows they judge. A customer
    id that the settings name but no input table holds is a warning, not an error: its terms
    may be meant for a customer whose data has not arrived yet.
    """
    sets = [(None, s.terms(), ())] + [(cid, s.for_customer(cid), tuple(s.customers[cid]))
                                      for cid in sorted(s.customers)]
    con.execute(TERMS_SETS_DDL)
    con.executemany(TERMS_SETS_INSERT, [
        [cid, terms_id, list(overridden), *(term_row(terms)[c] for c in TERM_COLUMNS)]
        for terms_id, (cid, terms, overridden) in enumerate(sets)])
    con.execute("CREATE OR REPLACE TEMP TABLE sla_windows "
                "(terms_id INTEGER, start_minute INTEGER, end_minute INTEGER)")
    con.executemany("INSERT INTO sla_windows VALUES (?, ?, ?)",
                    [[terms_id, *w] for terms_id, (_, terms, _) in enumerate(sets)
                     for w in terms.working_hours])
    con.execute(CUSTOMER_TERMS_DDL)
    con.execute(CUSTOMER_TERMS_SQL)
    missing = [r[0] for r in con.execute(
        "SELECT customer_id FROM customer_terms WHERE customer_id IS NOT NULL AND NOT in_data "
        "ORDER BY customer_id").fetchall()]
    return [f"settings: [customers.{cid}] names a customer that is in none of the loaded "
            "files, so its terms judge nothing yet; check the customer id" for cid in missing]


def ticket_facts_in_db(con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp) -> None:
    """Table ticket_facts and its view ticket_sla, from tables tickets, ticket_events,
    fault_reports, engineers and calendar_days.

    The one implementation of the ticket promises (sql/derive_ticket_sla.sql), each ticket by
    its customer's terms (customer_terms, sla_windows: customer_terms_in_db runs first), written
    into ticket_facts beside the ticket's columns (sql/build_ticket_facts.sql). DuckDB does the
    work in parallel without a DataFrame of every ticket.
    """
    # In parallel: the rows of a join have no order to keep (the pages always sort).
    con.execute("SET preserve_insertion_order = false")
    try:
        # The judgements wait in memory (spilled when large), not in a table of the file: the
        # file gets them once, in ticket_facts (at 1 M tickets 0.5 s less than both tables).
        con.execute(JUDGED_SQL, {"as_of": as_of.to_pydatetime()})
        con.execute(TICKET_FACTS_SQL)
    finally:
        con.execute("DROP TABLE IF EXISTS temp.judged")
        con.execute("SET preserve_insertion_order = true")
    ticket_sla_view(con)


def complaint_sla_in_db(con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp) -> None:
    """Table complaint_sla: first reply and resolution, 7×24, by each customer's limits."""
    con.execute(REPLACE_DERIVED["complaint_sla"][0])
    con.execute("INSERT INTO complaint_sla BY NAME " + COMPLAINT_SLA_SQL,
                {"as_of": as_of.to_pydatetime()})


def action_status_in_db(con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp) -> None:
    """Table action_status from table actions (sql/derive_action_status.sql), judged at as_of.

    Overdue is the macro action_overdue_at (sql/macros.sql), which the pages also use to count
    overdue actions at other moments, so every card, trend and list agrees.
    """
    con.execute(MACROS)
    con.execute(REPLACE_DERIVED["action_status"][0])
    con.execute("INSERT INTO action_status BY NAME " + ACTION_STATUS_SQL,
                {"as_of": as_of.to_pydatetime()})


def survey_facts_in_db(con: duckdb.DuckDBPyConnection) -> None:
    """Table survey_facts: answered when scored; satisfied and low by each customer's scores."""
    con.execute(REPLACE_DERIVED["survey_facts"][0])
    con.execute("INSERT INTO survey_facts BY NAME " + SURVEY_FACTS_SQL)
