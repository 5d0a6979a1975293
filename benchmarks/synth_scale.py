"""A K-times copy of a loaded database, for page and app-memory benchmarks beyond what etl sample
can generate (at 10 M tickets it needs more than 20 GB).

Usage: python benchmarks/synth_scale.py SRC.duckdb DST.duckdb [--times 10]
Every table is copied K times; the ids of tickets, surveys, complaints and actions (and the
columns that point at them) get a suffix ~1 … ~K-1, so keys stay unique and references hold.
ticket_monthly, survey_details, filter_choices and the worklist tables are then rebuilt from the
copies (sql/build_monthly.sql, build_filter_choices.sql, build_worklist.sql at the source's as_of).
Not a load benchmark: the rules are not recomputed, the derived tables are copied.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
MACROS = (ROOT / "service_quality" / "sql" / "macros.sql").read_text(encoding="utf-8")
IDS = {"ticket_id", "survey_id", "complaint_id", "action_id", "parent_ticket_id", "source_id"}
REBUILT = {"ticket_monthly", "survey_details", "worklist_tickets", "worklist_actions_overdue",
           "worklist_low_scores", "filter_choices", "report_monthly", "report_rejections",
           "action_overdue", "fault_handling"}
KEPT_ONCE = {"load_batches"}


def main() -> None:
    """Copy, suffix, rebuild."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--times", type=int, default=10)
    args = ap.parse_args()
    if args.dst.exists():
        raise SystemExit(f"{args.dst} exists: choose a new file")
    con = duckdb.connect(str(args.dst))
    con.execute("SET preserve_insertion_order = false")
    con.execute("ATTACH ? AS s (READ_ONLY)", [str(args.src)])
    start = time.perf_counter()
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 's'").fetchall()]
    for table in tables:
        if table in REBUILT:
            continue
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 's' "
            "AND table_name = ? ORDER BY column_index", [table]).fetchall()]
        ids = [c for c in columns if c in IDS]
        # Identifiers come from the source file's own catalog, quoted; values never enter SQL.
        if ids and table not in KEPT_ONCE:
            suffixed = ", ".join(f'CASE WHEN k = 0 THEN "{c}" ELSE "{c}" || \'~\' || k END '
                                 f'AS "{c}"' for c in ids)
            con.execute(f'CREATE TABLE "{table}" AS SELECT * REPLACE ({suffixed}) '  # noqa: S608
                        f'FROM s."{table}", range({args.times}) AS r(k)')
        else:
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM s."{table}"')  # noqa: S608
        print(f"{table:<16} {time.perf_counter() - start:6.1f} s", flush=True)
    # The source's views (ticket_sla over ticket_facts), as the source defines them.
    for (view,) in con.execute("SELECT sql FROM duckdb_views() WHERE database_name = 's' "
                               "AND NOT internal").fetchall():
        con.execute(view)
    con.execute(MACROS)   # action_overdue is built with the overdue macros
    con.execute((ROOT / "service_quality" / "sql" / "build_monthly.sql").read_text())
    con.execute((ROOT / "service_quality" / "sql" / "build_filter_choices.sql").read_text())
    as_of = con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0]
    con.execute((ROOT / "service_quality" / "sql" / "build_worklist.sql").read_text(),
                {"as_of": datetime.fromisoformat(as_of)})
    con.execute("CHECKPOINT")
    tickets = con.execute("SELECT count(*) FROM ticket_facts").fetchall()[0][0]
    con.close()
    print(f"{tickets:,} tickets in {args.dst} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
