"""A second, independent reading of the ticket rules (DESIGN §2.2–§2.3) in pandas: a test oracle.

The product judges tickets once, in SQL (service_quality/sql/derive_ticket_sla.sql). The worked
examples in test_rules.py state their expected values outright; this oracle lets the tests also
compare the SQL with a plain DataFrame reading of the rules over the whole fixture sample, where
NULL combinations abound. It is not imported by the product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from service_quality.calendar import WorkCalendar
from service_quality.schema import RELATIONS
from service_quality.settings import Settings

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


def paused_in_window(events: pd.DataFrame, start: pd.Series, open_until: pd.Series,
                     window_end: pd.Series) -> pd.Series:
    """Minutes each ticket was paused inside [start, window_end]; NaN for a ticket without pauses.

    The three series are indexed by ticket_id. A ticket is paused from a `pause` event until its
    next pause/resume event, an open pause until `open_until`.
    """
    e = events.loc[events["event"].isin(["pause", "resume"]), ["ticket_id", "at", "event"]]
    e = e[e["ticket_id"].isin(start.index)]
    if e.empty:
        return pd.Series(np.nan, index=start.index)
    e = e.sort_values(["ticket_id", "at"], kind="stable")
    nxt = e.groupby("ticket_id")["at"].shift(-1)
    end = nxt.fillna(pd.Series(open_until.reindex(e["ticket_id"]).to_numpy(), index=e.index))
    lo = np.maximum(e["at"].to_numpy(), start.reindex(e["ticket_id"]).to_numpy())
    hi = np.minimum(end.to_numpy(), window_end.reindex(e["ticket_id"]).to_numpy())
    span = pd.Series((hi - lo) / np.timedelta64(1, "m"), index=e.index).clip(lower=0)
    pauses = e["event"] == "pause"
    return span[pauses].groupby(e.loc[pauses, "ticket_id"]).sum().reindex(start.index)


def ticket_sla(
    tickets: pd.DataFrame,
    events: pd.DataFrame,
    reports: pd.DataFrame,
    cal: WorkCalendar,
    s: Settings,
    as_of: pd.Timestamp,
    terms_id: int = 0,
) -> pd.DataFrame:
    """The relation ticket_sla: one row per ticket, every ticket promise judged at as_of.

    `s` are the terms of every ticket given (one customer's, or the defaults: terms_id).
    """
    t = tickets.reset_index(drop=True)
    rep = t["reported_at"]
    finished = t["resolved_at"].notna() | t["closed_at"].notna()
    since_report = pd.Series(_minutes(pd.Series(as_of, index=t.index), rep), index=t.index)
    out = pd.DataFrame({"ticket_id": t["ticket_id"], "customer_id": t["customer_id"],
                        "reported_at": rep})
    in_work = cal.in_working_time(rep)
    out["reported_in_working_time"] = in_work

    response = _minutes(t["responded_at"], rep)
    response = response.where(t["responded_at"].notna() | t["channel"].ne("phone"), 0.0)
    out["response_limit_minutes"] = float(s.response_limit_minutes)
    out["response_minutes"] = response
    out["response_status"] = clock_status(response, s.response_limit_minutes, finished,
                                          since_report)

    onsite = t["service_mode"].eq("onsite")
    limit = np.where(in_work, s.arrival_limit_working_minutes, s.arrival_limit_non_working_minutes)
    arrival = _minutes(t["arrived_at"], rep)
    out["arrival_limit_minutes"] = pd.Series(limit, index=t.index, dtype="float64").where(onsite)
    out["arrival_minutes"] = arrival.where(onsite)
    arrival_status = clock_status(arrival, pd.Series(limit, index=t.index), finished, since_report)
    out["arrival_status"] = arrival_status.where(onsite, "na")

    deadline = cal.confirm_deadline(rep)
    out["confirm_deadline"] = deadline
    late_by = _minutes(t["confirmed_at"], deadline)
    running = _minutes(pd.Series(as_of, index=t.index), deadline)
    out["confirm_status"] = clock_status(late_by, 0, finished, running)
    out["calendar_estimated"] = cal.any_estimated_between(rep, deadline)

    severity = rule_severity(t, s)
    fault = t["category"].eq("fault")
    needs_report = fault & (severity.eq("severe") if s.report_required_for == "severe" else True)
    first = reports.groupby("ticket_id")["submitted_at"].min()
    submitted = pd.Series(first.reindex(t["ticket_id"]).to_numpy(), index=t.index)
    due = t["resolved_at"] + pd.Timedelta(hours=s.report_due_hours)
    out["report_due_hours"] = pd.Series(float(s.report_due_hours), index=t.index).where(
        needs_report)
    out["report_due_at"] = due.where(needs_report)
    out["report_status"] = np.select(
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

    # Approval before work starts, compared as recorded (to the second).
    upgrade = t["category"].eq("upgrade")
    start = t["arrived_at"].fillna(t["resolved_at"])
    approved = t["approved_at"]
    out["upgrade_status"] = np.select(
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

    # Handling: from confirmation (else the report) to resolution, less the waits that lie inside
    # that clock and within the recurrence window; never negative.
    clock_start = t["confirmed_at"].fillna(rep)
    window_end = clock_start + pd.DateOffset(months=s.reproduction_wait_months)
    clock_end = t["resolved_at"].fillna(as_of)
    wait_until = pd.concat([clock_end, window_end], axis=1).min(axis=1)
    by_id = pd.Index(t["ticket_id"])
    paused = paused_in_window(
        events, pd.Series(clock_start.to_numpy(), index=by_id),
        pd.Series(clock_end.to_numpy(), index=by_id),
        pd.Series(wait_until.to_numpy(), index=by_id))
    paused = pd.Series(paused.to_numpy(), index=t.index)
    room = _minutes(wait_until, clock_start).clip(lower=0)
    declared = t["wait_minutes"].astype("float64").fillna(0.0).clip(lower=0)
    wait = paused.fillna(np.minimum(declared, room))
    waited = paused.notna() | (t["wait_minutes"].astype("float64") > 0)
    handling = (_minutes(t["resolved_at"], clock_start) - wait).clip(lower=0)
    out["handling_minutes"] = handling
    targets = s.handling_target_minutes
    target = severity.where(fault).map(targets) if targets else pd.Series(np.nan, index=t.index)
    target = target.astype("float64")
    running = (_minutes(pd.Series(as_of, index=t.index), clock_start) - wait).clip(lower=0)
    out["handling_target_minutes"] = target
    out["handling_status"] = clock_status(handling, target, finished, running).where(
        target.notna(), "na")
    out["recurrence_due_at"] = window_end.where(waited)

    out["error_ratio_threshold"] = pd.Series(float(s.error_ratio_threshold),
                                             index=t.index).where(fault)
    out["capacity_drop_threshold"] = pd.Series(float(s.capacity_drop_threshold),
                                               index=t.index).where(fault)
    out["threshold_inclusive"] = pd.Series(bool(s.threshold_inclusive), index=t.index,
                                           dtype="object").where(fault)
    out["terms_id"] = terms_id
    out["rule_severity"] = severity.where(fault)
    out["severity_check"] = severity_check(t["reported_severity"], severity).where(fault)
    return out[list(RELATIONS["ticket_sla"])]


def assert_same_judgements(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Two ticket_sla relations agree row by row (by ticket_id) and column by column."""
    assert list(got.columns) == list(RELATIONS["ticket_sla"])
    got = got.sort_values("ticket_id", ignore_index=True)
    want = want.sort_values("ticket_id", ignore_index=True)
    assert len(got) == len(want)
    for column in RELATIONS["ticket_sla"]:
        a, b = got[column], want[column]
        if column.endswith("_minutes"):
            assert np.allclose(a.astype(float), b.astype(float), rtol=0, atol=1e-9,
                               equal_nan=True), column
        elif column in ("confirm_deadline", "report_due_at", "reported_at", "recurrence_due_at"):
            assert (pd.to_datetime(a).astype("datetime64[ns]").fillna(pd.Timestamp(0)).tolist()
                    == pd.to_datetime(b).astype("datetime64[ns]").fillna(pd.Timestamp(0))
                    .tolist()), column
        else:
            assert (a.astype(object).where(a.notna(), None).tolist()
                    == b.astype(object).where(b.notna(), None).tolist()), column
