"""The promises of the agreement (DESIGN §2.2–§2.6) as vectorised functions over DataFrames."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .database import REPLACE_DERIVED
from .schema import RELATIONS
from .settings import Settings

TICKET_SLA_SQL = (Path(__file__).resolve().parent / "sql" / "derive_ticket_sla.sql").read_text(
    encoding="utf-8")

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


def rule_severity(tickets: pd.DataFrame, s: Settings) -> pd.Series:
    """Severity by the agreement's rules: severe / general / unknown (nothing recorded)."""
    flags = tickets[["system_down", "network_down", "key_device_down", "imminent_outage"]]
    ratios = tickets[["error_ratio", "capacity_drop"]].astype("float64")
    limits = np.array([s.error_ratio_threshold, s.capacity_drop_threshold])
    # "1/10以上" is severe; whether exactly 1/10 counts is a setting (default: it does).
    over = (ratios >= limits) if s.threshold_inclusive else (ratios > limits)
    severe = flags.fillna(False).astype(bool).any(axis=1) | over.fillna(False).any(axis=1)
    recorded = flags.notna().any(axis=1) | ratios.notna().any(axis=1)
    out = np.select([severe, recorded], ["severe", "general"], default="unknown")
    return pd.Series(out, index=tickets.index, dtype="object")


def severity_check(reported: pd.Series, rule: pd.Series) -> pd.Series:
    """Compare the desk's severity with the rule's."""
    out = np.select(
        [
            rule.eq("unknown") | reported.isna(),
            reported.eq(rule),
            reported.eq("general") & rule.eq("severe"),
            reported.eq("severe") & rule.eq("general"),
        ],
        ["unverifiable", "consistent", "under_classified", "over_classified"],
        default="unverifiable",
    )
    return pd.Series(out, index=reported.index, dtype="object")


def pause_minutes(events: pd.DataFrame, until: pd.Series) -> pd.Series:
    """Minutes each ticket spent paused (pause → resume), open pauses counted up to `until`.

    `until` is indexed by ticket_id (resolved_at, else as_of). Repeated pauses while paused add
    nothing: a ticket is paused from an event `pause` until the next event `resume`.
    """
    e = events.loc[events["event"].isin(["pause", "resume"]), ["ticket_id", "at", "event"]]
    if e.empty:
        return pd.Series(0.0, index=until.index)
    e = e.sort_values(["ticket_id", "at"], kind="stable")
    nxt = e.groupby("ticket_id")["at"].shift(-1)
    end = nxt.fillna(pd.Series(until.reindex(e["ticket_id"]).to_numpy(), index=e.index))
    paused = (e["event"] == "pause") & end.notna()
    span = _minutes(end, e["at"]).clip(lower=0).where(paused, 0.0)
    return span.groupby(e["ticket_id"]).sum().reindex(until.index, fill_value=0.0)


def ticket_sla(
    tickets: pd.DataFrame,
    events: pd.DataFrame,
    reports: pd.DataFrame,
    cal: WorkCalendar,
    s: Settings,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """The relation ticket_sla: one row per ticket, every ticket promise judged at as_of."""
    t = tickets.reset_index(drop=True)
    rep = t["reported_at"]
    finished = t["resolved_at"].notna() | t["closed_at"].notna()
    since_report = pd.Series(_minutes(pd.Series(as_of, index=t.index), rep), index=t.index)
    out = pd.DataFrame({"ticket_id": t["ticket_id"], "customer_id": t["customer_id"],
                        "reported_at": rep})
    in_work = cal.in_working_time(rep)
    out["reported_in_working_time"] = in_work

    # Response: 电话响应：立即. A phone report is answered as the desk records it.
    response = _minutes(t["responded_at"], rep)
    response = response.where(t["responded_at"].notna() | t["channel"].ne("phone"), 0.0)
    out["response_minutes"] = response
    limit = s.response_limit_minutes
    out["response_status"] = clock_status(response, limit, finished, since_report)

    # Arrival: onsite only; the limit depends on whether the report came in working time.
    onsite = t["service_mode"].eq("onsite")
    limit = np.where(in_work, s.arrival_limit_working_minutes, s.arrival_limit_non_working_minutes)
    arrival = _minutes(t["arrived_at"], rep)
    out["arrival_limit_minutes"] = pd.Series(limit, index=t.index, dtype="float64").where(onsite)
    out["arrival_minutes"] = arrival.where(onsite)
    arrival_status = clock_status(arrival, pd.Series(limit, index=t.index), finished, since_report)
    out["arrival_status"] = arrival_status.where(onsite, "na")

    # Confirmation the same working day (or the next one when reported after hours).
    deadline = cal.confirm_deadline(rep)
    out["confirm_deadline"] = deadline
    late_by = _minutes(t["confirmed_at"], deadline)
    running = _minutes(pd.Series(as_of, index=t.index), deadline)
    out["confirm_status"] = clock_status(late_by, 0, finished, running)
    out["calendar_estimated"] = cal.any_estimated_between(rep, deadline)

    # Fault analysis report within 72 h of resolution; the report itself is the record.
    severity = rule_severity(t, s)
    fault = t["category"].eq("fault")
    needs_report = fault & (severity.eq("severe") if s.report_required_for == "severe" else True)
    first = reports.groupby("ticket_id")["submitted_at"].min()
    submitted = pd.Series(first.reindex(t["ticket_id"]).to_numpy(), index=t.index)
    due = t["resolved_at"] + pd.Timedelta(hours=s.report_due_hours)
    out["report_due_at"] = due.where(needs_report)
    report_status = np.select(
        [
            ~needs_report,
            due.notna() & submitted.notna() & (submitted <= due),
            due.notna() & submitted.notna(),
            due.notna() & (as_of > due),
            due.notna(),
            finished,
        ],
        ["na", "met", "breached", "breached", "pending", "no_record"],
        default="pending",
    )
    out["report_status"] = report_status

    # Upgrade: the customer approved the plan before work started.
    upgrade = t["category"].eq("upgrade")
    # Compared to the minute: approval and start recorded in the same minute count as "before".
    start = t["arrived_at"].fillna(t["resolved_at"]).dt.floor("min")
    approved = t["approved_at"].dt.floor("min")
    upgrade_status = np.select(
        [
            ~upgrade,
            approved.notna() & start.notna() & (approved <= start),
            approved.notna() & start.notna(),
            finished,
            start.notna(),
        ],
        ["na", "met", "breached", "no_record", "breached"],
        default="pending",
    )
    out["upgrade_status"] = upgrade_status

    # Handling time from confirmation, less the time spent waiting for the fault to recur.
    until = pd.Series(t["resolved_at"].fillna(as_of).to_numpy(), index=t["ticket_id"])
    paused = pause_minutes(events, until[~until.index.duplicated()])
    wait = t["wait_minutes"].astype("float64").fillna(t["ticket_id"].map(paused)).fillna(0.0)
    clock_start = t["confirmed_at"].fillna(rep)
    handling = _minutes(t["resolved_at"], clock_start) - wait
    out["handling_minutes"] = handling
    targets = s.handling_target_minutes
    target = severity.where(fault).map(targets) if targets else pd.Series(np.nan, index=t.index)
    target = target.astype("float64")
    running = _minutes(pd.Series(as_of, index=t.index), clock_start) - wait
    out["handling_status"] = clock_status(handling, target, finished, running).where(
        target.notna(), "na"
    )

    out["rule_severity"] = severity.where(fault)
    out["severity_check"] = severity_check(t["reported_severity"], severity).where(fault)
    return out[list(RELATIONS["ticket_sla"])]


def ticket_sla_in_db(con: duckdb.DuckDBPyConnection, s: Settings, as_of: pd.Timestamp) -> None:
    """Table ticket_sla from tables tickets, ticket_events, fault_reports and calendar_days.

    The same judgements as ticket_sla (tests compare the two), in SQL so that DuckDB does the
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


def action_status(actions: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The relation action_status: overdue = not done and past due; on time = done by due."""
    a = actions.reset_index(drop=True)
    status = a["status"].fillna(
        pd.Series(np.where(a["completed_at"].notna(), "done", "open"), index=a.index)
    )
    done = status.isin(["done", "verified"])
    due = pd.to_datetime(a["due_date"])
    today = pd.Timestamp(as_of).normalize()
    overdue = ~done & status.ne("cancelled") & (today > due)
    finished_on = pd.to_datetime(a["completed_at"].fillna(a["verified_at"])).dt.normalize()
    # Done without a completion date cannot be shown to be on time.
    completion = np.select(
        [status.eq("cancelled"), ~done, finished_on.notna() & (finished_on <= due)],
        ["cancelled", "open", "on_time"],
        default="late",
    )
    out = pd.DataFrame({
        "action_id": a["action_id"], "customer_id": a["customer_id"],
        "source_type": a["source_type"], "status": status, "due_date": a["due_date"],
        "is_overdue": overdue,
        "days_overdue": ((today - due).dt.days).where(overdue, 0).astype("int64"),
        "completion": completion,
    })
    return out[list(RELATIONS["action_status"])]


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
