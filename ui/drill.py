"""Drill-down shared by the pages: the tickets behind a number, and one ticket's timeline."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from service_quality import charts
from service_quality.columns import in_words
from service_quality.messages import has
from service_quality.queries.tickets import Drill, ticket_list, ticket_timeline

from .columns import column_label
from .data import figure, query
from .export import show_table
from .frame import Context
from .text import md_escape

STATUS_COLUMNS = ("response_status", "arrival_status", "confirm_status", "report_status",
                  "upgrade_status")
LIST_COLUMNS = ("ticket_id", "customer_name", "reported_at", "category", "service_mode",
                "engineer_name", "rule_severity", "reported_severity", "severity_check",
                "response_status", "arrival_minutes", "arrival_limit_minutes", "arrival_status",
                "confirm_deadline", "confirm_status", "report_status", "upgrade_status",
                "handling_minutes")


def localise_codes(ctx: Context, frame: pd.DataFrame, prefixes: dict[str, str]) -> pd.DataFrame:
    """Codes shown as words of the UI language (codes stay codes in the data)."""
    # Copy-on-write (pandas 3): a shallow copy keeps the cached frame unchanged; a deep one
    # copied every Arrow column of the list on each rerun.
    out = frame.copy(deep=False)
    for col, prefix in prefixes.items():
        if col in out:
            out[col] = words(out[col], {c: ctx.t(prefix + c) for c in out[col].dropna().unique()
                                        if isinstance(c, str) and has(prefix + c)})
    return out


def words(series: pd.Series, mapping: dict) -> pd.Series:
    """`series` with the values `mapping` names replaced, the rest kept (one lookup per value,
    not one Python call per cell)."""
    if not mapping:
        return series
    return series.map(mapping).where(series.isin(list(mapping)), series)


def localise_statuses(ctx: Context, frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Status codes shown as words of the UI language."""
    return localise_codes(ctx, frame, {c: "status_" for c in columns})


def status_chips(ctx: Context, columns) -> dict[str, dict[str, str]]:
    """show_table's `chips` for status columns: each status word in its palette colour."""
    colors = {ctx.t(f"status_{s}"): c for s, c in charts.STATUS_COLORS.items()}
    return {column: colors for column in columns}


def chart_selection(event) -> list[dict]:
    """The points a user clicked in a plotly chart (st.plotly_chart on_select)."""
    try:
        return list(event.selection.points)
    except AttributeError:
        return []


def first_point(event) -> dict | None:
    """The first clicked point of a plotly chart, or None."""
    points = chart_selection(event)
    return points[0] if points else None


def last_pick(group: str, picks: dict[str, object]) -> tuple[str, object] | None:
    """Of several charts / tables, the one picked from last and what: the pages' one way of
    remembering the last click (selections persist, so a pick that changed on this run wins;
    clearing the last pick clears it)."""
    state = st.session_state.setdefault(f"_drill_pick_{group}", {"seen": {}, "last": None})
    for name, pick in picks.items():
        signature = repr(pick)
        if state["seen"].get(name) != signature:
            state["seen"][name] = signature
            if pick is not None:
                state["last"] = (name, pick)
            elif state["last"] is not None and state["last"][0] == name:
                state["last"] = None
    return state["last"]


def latest_click(group: str, events: dict) -> tuple[str | None, dict | None]:
    """The chart clicked last and its first point, or (None, None): last_pick over the charts
    drawn on this run (a chart not drawn now drills nothing)."""
    picked = last_pick(group, {name: first_point(event) for name, event in events.items()})
    return picked if picked and picked[0] in events else (None, None)


def ticket_list_view(ctx: Context, frame: pd.DataFrame):
    """The ticket list as shown: codes and statuses in words, headers in the UI language."""
    view = in_words(frame[list(LIST_COLUMNS)], ctx.lang, ctx.terms)
    return view.rename(columns={c: column_label(ctx, c) for c in LIST_COLUMNS})


def drill_name(drill: Drill) -> str:
    """What a drill-down narrows to, for a file name ("breached_arrival_2026-03")."""
    parts = [drill.status, drill.metric, drill.month, drill.customer, drill.engineer,
             drill.severity_check]
    return "_".join(str(p) for p in parts if p) or "all"


def ticket_drilldown(ctx: Context, drill: Drill, key: str, filters=None) -> None:
    """The tickets matching the filters and `drill`, then the selected ticket's timeline.

    `filters` replaces the page's (e.g. the 12-month trend when a month of it was clicked).
    """
    drill_list(ctx, ticket_list, drill, key, lambda frame: ticket_list_view(ctx, frame),
               f"tickets_{drill_name(drill)}", filters,
               chips=status_chips(ctx, [column_label(ctx, c) for c in STATUS_COLUMNS]))


def show_timeline(ctx: Context, ticket_id: str) -> None:
    """One ticket's steps with each deadline, as a chart and a table."""
    steps = query(ticket_timeline, ctx.scope, None, ticket_id)
    # The id was typed or stored: a heading is Markdown, so it is shown escaped.
    st.subheader(ctx.t("timeline_title", ticket=md_escape(ticket_id)))
    if steps.empty:
        st.info(ctx.t("empty"))
        return
    st.plotly_chart(figure(charts.timeline, steps, ctx.lang), key=f"timeline_{ticket_id}")
    table = localise_statuses(ctx, steps, ["status"])
    table["step"] = words(steps["step"], {s: ctx.t(f"step_{s}") for s in steps["step"].unique()})
    # One text column, so a missing moment can say so (Arrow wants one type per column).
    table["at"] = steps["at"].dt.strftime("%Y-%m-%d %H:%M").fillna(ctx.t("timeline_missing"))
    table["deadline"] = steps["deadline"].dt.strftime("%Y-%m-%d %H:%M")
    table = table.rename(columns={c: column_label(ctx, c)
                                  for c in ("step", "at", "deadline", "status", "note")})
    show_table(ctx, table, f"timeline_{ticket_id}", f"timeline_{ticket_id}_table",
               sheet=ctx.t("timeline_title", ticket=ticket_id),
               chips=status_chips(ctx, [column_label(ctx, "status")]), hide_index=True,
               width="stretch")


def clickable(fig, key: str):
    """Draw a chart whose points a user can click to drill; its selection event."""
    return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points")


def showing(ctx: Context, frame: pd.DataFrame, message: str = "drill_showing") -> None:
    """How many rows match and how many the list shows (lists stop at their limit)."""
    st.caption(ctx.t(message, matching=int(frame["matching"].iloc[0]), shown=len(frame)))


def drill_caption(ctx: Context, *parts, default: str | None = None) -> None:
    """What the list below is narrowed to: the given parts joined, shown literally (clicked
    values came back from the browser); `default` when no part is given, else nothing."""
    what = " · ".join(str(p) for p in parts if p)
    if what:
        st.caption(ctx.t("drill_filter", what=md_escape(what)))
    elif default:
        st.caption(ctx.t("drill_filter", what=default))


def ticket_rows(ctx: Context, frame: pd.DataFrame, view, name: str, key: str, *,
                lookup: bool = True, **table) -> None:
    """VIEW, the shown form of FRAME, as a table with its download; the selected row's ticket
    (or, with `lookup`, a typed ticket id) opens its timeline below."""
    event = show_table(ctx, view, name, key, hide_index=True, on_select="rerun",
                       selection_mode="single-row", width="stretch", **table)
    rows = event.selection.rows if event is not None else []
    typed = st.text_input(ctx.t("timeline_lookup"), key=f"{key}_lookup",
                          placeholder=ctx.t("timeline_lookup_hint")).strip() if lookup else ""
    if rows:
        show_timeline(ctx, frame["ticket_id"].iloc[rows[0]])
    elif typed:
        show_timeline(ctx, typed)


def drill_list(ctx: Context, fn, drill, key: str, view, name: str, filters=None,
               what: str = "", **table) -> None:
    """The tickets fn(db, scope, filters, drill) lists, shown as `view(frame)` makes them, then
    the selected ticket's timeline. `filters` replaces the page's (e.g. the 12-month trend when
    a month of it was clicked); `what` says what the list is narrowed to."""
    st.subheader(ctx.t("drill_title"))
    drill_caption(ctx, what)
    frame = query(fn, ctx.scope, filters or ctx.filters, drill)
    if frame.empty:
        st.info(ctx.t("empty"))
        return
    showing(ctx, frame)
    ticket_rows(ctx, frame, view(frame), name, key, sheet=ctx.t("drill_title"), **table)
