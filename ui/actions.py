"""The improvement-action tables: lists of actions, counts and rates by group, overdue actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from service_quality.charts.actions import (
    ACTION_STATUS_COLORS,
    COMPLETION_COLORS,
    completion_bars,
)
from service_quality.messages import has
from service_quality.queries.actions import ActionDrill, action_list, actions_by

from .columns import column_label
from .data import figure, query
from .drill import clickable, words
from .export import show_table
from .frame import Context

OVERDUE_COLUMNS = ("action_id", "owner_dept", "owner", "due_date", "days_overdue", "status",
                   "customer_name", "source_type", "source_id", "problem_category", "measure")
GROUP_COLUMNS = ("grp", "actions", "on_time", "late", "open", "overdue", "on_time_rate",
                 "finished", "notified", "notified_rate")
# The groups of the on-time charts: the word their messages and keys use.
GROUPS = {"owner_dept": "dept", "source_type": "source"}
col = column_label


def source_label(ctx: Context, source: str) -> str:
    """A source type in words."""
    return ctx.t(f"act_source_{source}") if has(f"act_source_{source}") else source


def dept_label(ctx: Context, dept: str) -> str:
    """An owner department as shown ('' = not given)."""
    return dept or ctx.t("act_no_dept")


def group_label(ctx: Context, group: str, value: str) -> str:
    """A value of GROUP (owner_dept or source_type) in words."""
    return dept_label(ctx, value) if group == "owner_dept" else source_label(ctx, value)


def action_table(ctx: Context, frame: pd.DataFrame, columns, key: str, name: str,
                 sheet: str) -> None:
    """Actions as a table, status and completion in their colours; measures and results are the
    tracker's text, so they are only ever shown as table cells."""
    view = frame[list(columns)]
    chips = {}
    for column, prefix, palette in (("status", "act_status_", ACTION_STATUS_COLORS),
                                    ("completion", "act_completion_", COMPLETION_COLORS)):
        if column in view:
            named = {s: ctx.t(f"{prefix}{s}") for s in view[column].dropna().unique()}
            view[column] = words(view[column], named)
            chips[col(ctx, column)] = {ctx.t(f"{prefix}{s}"): c for s, c in palette.items()}
    if "source_type" in view:
        view["source_type"] = words(view["source_type"], {
            s: source_label(ctx, s) for s in view["source_type"].dropna().unique()
            if isinstance(s, str)})
    view = view.rename(columns={c: col(ctx, c) for c in columns})
    dates = {col(ctx, "due_date"): st.column_config.DateColumn(format="YYYY-MM-DD")}
    overdue = [col(ctx, "days_overdue")] if "days_overdue" in columns else []
    show_table(ctx, view, name, key, sheet=sheet, flag_positive=overdue, hide_index=True,
               chips=chips,
               width="stretch", column_config=dates)


def group_table(ctx: Context, frame: pd.DataFrame, labels: list[str], group: str,
                key: str, sheet: str) -> None:
    """Counts and rates per group, rates as percentages."""
    view = frame[list(GROUP_COLUMNS)].assign(grp=labels)
    names = {c: col(ctx, group if c == "grp" else c) for c in GROUP_COLUMNS}
    show_table(ctx, view, f"by_{group}", key, labels=names, sheet=sheet,
               hide_index=True, width="stretch",
               column_config={col(ctx, c): st.column_config.NumberColumn(format="percent")
                              for c in ("on_time_rate", "notified_rate")})


def group_section(ctx: Context, group: str):
    """On time by GROUP (owner_dept or source_type): a chart to click, then its table; the
    chart's selection event."""
    short = GROUPS[group]
    st.subheader(ctx.t(f"act_by_{short}"))
    frame = query(actions_by, ctx.scope, ctx.filters, group)
    labels = [group_label(ctx, group, g) for g in frame["grp"]]
    event = clickable(figure(completion_bars, frame, "grp", ctx.lang, labels=labels),
                      f"act_{short}_chart")
    group_table(ctx, frame, labels, group, key=f"act_{short}_table",
                sheet=ctx.t(f"act_by_{short}"))
    return event


def overdue_section(ctx: Context) -> None:
    """Overdue actions, most overdue first; by default whenever they were created."""
    st.subheader(ctx.t("act_overdue"))
    only_period = st.checkbox(ctx.t("act_overdue_period"), key="act_overdue_period")
    st.caption(ctx.t("act_overdue_note"))
    overdue = query(action_list, ctx.scope, ctx.filters, ActionDrill(overdue=True),
                    not only_period)
    if overdue.empty:
        st.success(ctx.t("act_none_overdue"))
    else:
        action_table(ctx, overdue, OVERDUE_COLUMNS, key="act_overdue_list", name="overdue",
                     sheet=ctx.t("act_overdue"))


def drill_words(ctx: Context, drill: ActionDrill) -> list[str]:
    """What an action list is narrowed to, in words."""
    what = [ctx.t(f"act_status_{drill.status}") if drill.status else "",
            dept_label(ctx, drill.owner_dept) if drill.owner_dept is not None else "",
            source_label(ctx, drill.source_type) if drill.source_type else "",
            ctx.t(f"act_completion_{drill.completion}") if drill.completion else ""]
    return [w for w in what if w]
