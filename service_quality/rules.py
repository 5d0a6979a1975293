"""The promises of the agreement (DESIGN §2.2–§2.6): tickets, actions in SQL; the rest in pandas."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .database import MACROS, REPLACE_DERIVED
from .schema import RELATIONS
from .settings import Settings

SQL_DIR = Path(__file__).resolve().parent / "sql"
TICKET_SLA_SQL = (SQL_DIR / "derive_ticket_sla.sql").read_text(encoding="utf-8")
ACTION_STATUS_SQL = (SQL_DIR / "derive_action_status.sql").read_text(encoding="utf-8")

MINUTE = pd.Timedelta(minutes=1)


def _minutes(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier) / MINUTE


def clock_status(
    elapsed: pd.Series, limit, finished: pd.Series, running: pd.Series
) -> pd.Series:
    """Status of one promise from the recorded duration, or the running clock when there is none.

    `elapsed` is the recorded duration (NaN when the proving timestamp is missing); `running` is how
    long the clock has run at as_of. A finished ticket without the record is `no_record`.
    """
    status = np.select(
        [
            elapsed.notna() & (elapsed <= limit),
            elapsed.notna(),
            finished,
            running > limit,
        ],
        ["met", "breached", "no_record", "breached"],
        default="pending",
    )
    return pd.Series(status, index=elapsed.index, dtype="object")


def ticket_sla_in_db(con: duckdb.DuckDBPyConnection, s: Settings, as_of: pd.Timestamp) -> None:
    """Table ticket_sla from tables tickets, ticket_events, fault_reports and calendar_days.

    The one implementation of the ticket promises (sql/derive_ticket_sla.sql): DuckDB does the
    work in parallel without a DataFrame of every ticket.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE sla_windows "
                "(start_minute INTEGER, end_minute INTEGER)")
    con.executemany("INSERT INTO sla_windows VALUES (?, ?)", [list(w) for w in s.working_hours])
    con.execute("CREATE OR REPLACE TEMP TABLE sla_targets (severity VARCHAR, minutes DOUBLE)")
    targets = [[k, float(v)] for k, v in (s.handling_target_minutes or {}).items()]
    if targets:
        con.executemany("INSERT INTO sla_targets VALUES (?, ?)", targets)
    con.execute(REPLACE_DERIVED["ticket_sla"][0])
    con.execute("INSERT INTO ticket_sla BY NAME " + TICKET_SLA_SQL, {
        "as_of": as_of.to_pydatetime(), "response_limit": float(s.response_limit_minutes),
        "arrival_working": float(s.arrival_limit_working_minutes),
        "arrival_non_working": float(s.arrival_limit_non_working_minutes),
        "report_for_all": s.report_required_for != "severe",
        "report_due_hours": float(s.report_due_hours), "inclusive": bool(s.threshold_inclusive),
        "error_ratio": float(s.error_ratio_threshold),
        "capacity_drop": float(s.capacity_drop_threshold),
        "wait_months": int(s.reproduction_wait_months),
    })


def complaint_sla(complaints: pd.DataFrame, s: Settings, as_of: pd.Timestamp) -> pd.DataFrame:
    """The relation complaint_sla: first reply within 2 h and resolution within 15 days, 7×24."""
    c = complaints.reset_index(drop=True)
    rec = c["received_at"]
    resolved = c["resolved_at"].notna()
    running = _minutes(pd.Series(as_of, index=c.index), rec)
    reply = _minutes(c["first_reply_at"], rec)
    days = _minutes(c["resolved_at"], rec) / (24 * 60)
    out = pd.DataFrame({
        "complaint_id": c["complaint_id"], "customer_id": c["customer_id"], "received_at": rec,
        "first_reply_minutes": reply,
        "first_reply_status": clock_status(
            reply, s.first_reply_limit_hours * 60, resolved, running
        ),
        "resolution_days": days,
        # A complaint ends when resolved, so a missing resolution is a running clock.
        "resolution_status": clock_status(
            days, s.resolution_limit_days, pd.Series(False, index=c.index), running / (24 * 60)
        ),
    })
    return out[list(RELATIONS["complaint_sla"])]


def action_status_in_db(con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp) -> None:
    """Table action_status from table actions (sql/derive_action_status.sql), judged at as_of.

    Overdue is the macro action_overdue_at (sql/macros.sql), which the pages also use to count
    overdue actions at other moments, so every card, trend and list agrees.
    """
    con.execute(MACROS)
    con.execute(REPLACE_DERIVED["action_status"][0])
    con.execute("INSERT INTO action_status BY NAME " + ACTION_STATUS_SQL,
                {"as_of": as_of.to_pydatetime()})


def survey_facts(surveys: pd.DataFrame, actions: pd.DataFrame, s: Settings) -> pd.DataFrame:
    """The relation survey_facts: answered when scored; satisfied ≥ 4; low ≤ 2 needs an action."""
    v = surveys.reset_index(drop=True)
    score = v["score"].astype("float64")
    answered = score.notna()
    linked = actions.loc[actions["source_type"].eq("survey"), "source_id"].dropna().unique()
    out = pd.DataFrame({
        "survey_id": v["survey_id"], "customer_id": v["customer_id"],
        "survey_type": v["survey_type"], "sent_at": v["sent_at"], "answered": answered,
        "score": score,
        "satisfied": (score >= s.satisfied_min_score).astype("boolean").where(answered),
        "low_score": (score <= s.low_score_max).astype("boolean").where(answered),
        "has_action": v["survey_id"].isin(linked),
    })
    return out[list(RELATIONS["survey_facts"])]
