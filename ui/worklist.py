"""The supervision worklist: a tab per kind of item to follow up, only the open one drawn."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from service_quality.queries.worklist import KINDS, Worklist

from .columns import column_label
from .drill import show_timeline, status_chips, words
from .export import show_table
from .frame import Context
from .tabs import open_tabs

COLUMNS = {
    "clocks": ("ticket_id", "customer_name", "clock", "minutes_left", "deadline",
               "limit_minutes", "reported_at", "engineer_name"),
    "reports": ("ticket_id", "customer_name", "hours_left", "report_due_at", "resolved_at",
                "report_status", "rule_severity", "engineer_name"),
    "complaints": ("complaint_id", "customer_name", "clock", "hours_left", "deadline",
                   "received_at", "ticket_id", "complaint_category", "complaint_manager"),
    "actions": ("action_id", "customer_name", "days_overdue", "due_date", "action_status",
                "owner_dept", "owner", "measure", "source_type", "source_id"),
    "low_scores": ("survey_id", "customer_name", "score", "days_waiting", "answered_at",
                   "survey_type", "problem_category", "comment", "ticket_id"),
    "reproduction": ("ticket_id", "customer_name", "recurrence_due_at", "days_past",
                     "confirmed_at", "paused_at", "rule_severity", "engineer_name", "note"),
    "severity": ("ticket_id", "customer_name", "reported_at", "finished", "reported_severity",
                 "rule_severity", "flags", "error_ratio", "capacity_drop", "engineer_name"),
}
# Code columns shown as words: column → message prefix.
CODES = {"clock": "overview_clock_", "action_status": "overview_action_",
         "source_type": "overview_source_", "survey_type": "overview_survey_",
         "report_status": "status_", "rule_severity": "severity_",
         "reported_severity": "severity_"}
LATE = {"minutes_left", "hours_left"}
FORMATS = {"minutes_left": "%.0f", "limit_minutes": "%.0f", "hours_left": "%.1f",
           "score": "%.1f", "error_ratio": "percent", "capacity_drop": "percent"}


def column_heading(ctx: Context, column: str) -> str:
    """A worklist column's heading."""
    return column_label(ctx, column)


def worklist_view(ctx: Context, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of one kind, codes as words."""
    view = frame.rename(columns={"status": "action_status", "category": "complaint_category"})
    view = view[list(COLUMNS[kind])]
    for col, prefix in CODES.items():
        if col in view:
            view[col] = words(view[col], {c: ctx.t(f"{prefix}{c}")
                                          for c in view[col].dropna().unique()})
    if "finished" in view:
        view["finished"] = view["finished"].map(
            lambda v: ctx.t("overview_yes") if v else ctx.t("overview_no"))
    if "flags" in view:
        view["flags"] = view["flags"].map(
            lambda xs: "、".join(ctx.t(f"overview_flag_{x}") for x in xs))
    return view.rename(columns={c: column_heading(ctx, c) for c in view.columns})


def worklist_config(ctx: Context, kind: str) -> dict:
    """Number and date formats of one kind's columns (drawn by the browser, not per cell)."""
    config = {column_heading(ctx, c): st.column_config.NumberColumn(format=fmt)
              for c, fmt in FORMATS.items() if c in COLUMNS[kind]}
    if "due_date" in COLUMNS[kind]:
        config[column_heading(ctx, "due_date")] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def notes(items: Worklist) -> dict[str, dict]:
    """The numbers each kind's note states (its thresholds, as the worklist applied them)."""
    p = {k: f"{v:g}" if isinstance(v, float) else v for k, v in items.params.items()}
    return {
        "clocks": dict(near=p["near_minutes"], share=f"{items.params['near_share'] * 100:g}"),
        "reports": dict(hours=p["report_within_hours"]),
        "complaints": dict(near=p["reply_near_minutes"], near_days=p["resolution_near_days"]),
        "severity": dict(days=p["severity_days"]),
    }


def worklist_tabs(ctx: Context, items: Worklist) -> None:
    """A tab per kind with its count; the open one lists its items, and a selected item's
    ticket opens its timeline."""
    said = notes(items)
    labels = [f"{ctx.t(f'overview_wl_{k}')} ({items.count(k)})" for k in KINDS]
    for kind, tab in open_tabs(labels, KINDS, "overview_worklist_tabs"):
        with tab:
            st.caption(ctx.t(f"overview_wl_{kind}_note", **said.get(kind, {})))
            frame = getattr(items, kind)
            if frame.empty:
                st.success(ctx.t("overview_wl_none"))
                continue
            if items.count(kind) > len(frame):
                st.caption(ctx.t("overview_wl_showing", matching=items.count(kind),
                                 shown=len(frame)))
            event = show_table(ctx, worklist_view(ctx, kind, frame), f"worklist_{kind}",
                               f"overview_wl_{kind}", sheet=ctx.t(f"overview_wl_{kind}"),
                               column_config=worklist_config(ctx, kind),
                               chips=status_chips(ctx, [column_heading(ctx, "report_status")]),
                               flag_negative=[column_heading(ctx, c) for c in LATE],
                               hide_index=True, on_select="rerun", selection_mode="single-row",
                               width="stretch")
            rows = event.selection.rows if event is not None else []
            if rows:
                ticket = frame["ticket_id"].iloc[rows[0]] if "ticket_id" in frame else None
                if isinstance(ticket, str):
                    show_timeline(ctx, ticket)
                else:
                    st.caption(ctx.t("overview_wl_no_ticket"))
