"""The service-process tables: the tickets behind a number, engineers, the holiday duty roster."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from service_quality import charts
from service_quality.charts.process import lead_time_lines, status_share_bars
from service_quality.queries.process import ProcessDrill, part_lead_time, process_tickets

from .columns import column_label
from .data import figure, query
from .drill import clickable, drill_list, first_point, last_pick, localise_codes, status_chips
from .export import show_table
from .frame import Context
from .metrics import Card, hours, metric_row
from .text import pct, why_empty

# Code columns of the process lists and the message prefix that names their values.
CODE_PREFIXES = {"channel": "process_channel_", "service_mode": "mode_",
                 "warranty": "process_warranty_", "quote_status": "process_quote_",
                 "holiday": "holiday_", "arrival_status": "status_"}
# What each list of the page shows beside the ticket id.
LISTS = {
    "mix": ("customer_name", "reported_at", "channel", "service_mode", "engineer_name",
            "arrival_status", "resolved_at"),
    "transfer": ("customer_name", "reported_at", "engineer_name", "team", "transfers",
                 "transfer_events", "device", "arrival_status", "resolved_at"),
    "warranty": ("customer_name", "reported_at", "device", "warranty", "quote_status",
                 "engineer_name", "part_requested_at", "resolved_at"),
    "parts": ("customer_name", "month", "device", "engineer_name", "part_requested_at",
              "part_received_at", "part_lead_hours", "warranty"),
    "holiday_day": ("customer_name", "reported_at", "holiday", "service_mode", "engineer_name",
                    "arrival_status", "resolved_at"),
}
ENGINEER_COLUMNS = ("engineer_name", "team", "tickets", "open_tickets", "onsite", "arrivals",
                    "arrival_compliance", "arrival_breached", "arrival_no_record",
                    "median_handling_minutes")
DUTY_COLUMNS = ("date", "holiday", "gap", "engineers", "phones", "note", "tickets",
                "arrival_breached")
GROUPS = ("holiday", "other")


def label(ctx: Context, column: str) -> str:
    """A column's heading on the process page."""
    return column_label(ctx, column)


def process_view(ctx: Context, columns, frame: pd.DataFrame) -> pd.DataFrame:
    """A process list as shown: codes as words (a day off no holiday reads blank), headings in
    the UI language."""
    view = localise_codes(ctx, frame[["ticket_id", *columns]], CODE_PREFIXES)
    if "holiday" in view:
        view["holiday"] = view["holiday"].fillna("")
    return view.rename(columns={c: label(ctx, c) for c in view.columns})


def process_list(ctx: Context, name: str, drill: ProcessDrill, filters=None,
                 what: str = "") -> None:
    """The tickets behind a number of the page (list NAME of LISTS), then the selected
    ticket's timeline."""
    drill_list(ctx, process_tickets, drill, f"process_{name}_tickets",
               partial(process_view, ctx, LISTS[name]), f"{name}_tickets", filters, what,
               chips=status_chips(ctx, [label(ctx, "arrival_status")]),
               column_config={label(ctx, "part_lead_hours"): st.column_config.NumberColumn(
                   format="%.1f")})


def engineer_table(ctx: Context, work: pd.DataFrame) -> tuple[str | None, str | None]:
    """The engineers' workload as a table; the selected engineer's id and name as shown."""
    if work.empty:
        st.info(ctx.t("empty"))
        return None, None
    view = work.assign(engineer_name=work["engineer_name"].fillna(ctx.t("process_unassigned")))
    view = view[list(ENGINEER_COLUMNS)].rename(columns=partial(label, ctx))
    event = show_table(
        ctx, view, "engineers", "process_engineer_table", sheet=ctx.t("process_tab_engineers"),
        hide_index=True, on_select="rerun", selection_mode="single-row", width="stretch",
        column_config={label(ctx, "arrival_compliance"): st.column_config.NumberColumn(
                           format="percent"),
                       label(ctx, "median_handling_minutes"): st.column_config.NumberColumn(
                           format="%.0f")})
    st.caption(ctx.t("process_engineer_hint") + " " + ctx.t("rate_rule"))
    rows = event.selection.rows if event is not None else []
    engineer = work["engineer_id"].iloc[rows[0]] if rows else None
    if not isinstance(engineer, str):
        return None, None
    return engineer, view[label(ctx, "engineer_name")].iloc[rows[0]]


def holiday_cards(ctx: Context, duty: pd.DataFrame, comp: pd.DataFrame, metric: str) -> list[Card]:
    """Holiday days, roster gaps, and METRIC's compliance on holidays against other days."""
    by_group = comp.set_index("grp")
    cards = [Card(ctx.t("process_holiday_days"), len(duty)),
             Card(ctx.t("process_holiday_gaps"), int(duty["gap"].notna().sum()),
                  ctx.t("process_holiday_gaps_help"))]
    for grp in GROUPS:
        known = grp in by_group.index
        rate = by_group["compliance"].get(grp) if known else None
        tickets = int(by_group["tickets"].get(grp, 0)) if known else 0
        cards.append(Card(ctx.t(f"process_compliance_{grp}"), pct(rate), why_empty(
            rate, ctx.t("empty_rate"), ctx.t("process_holiday_tickets",
                                             metric=ctx.t(f"metric_{metric}"), n=tickets))))
    return cards


def duty_table(ctx: Context, duty: pd.DataFrame) -> str | None:
    """The holiday duty roster as a table; the selected day (YYYY-MM-DD), or None."""
    st.subheader(ctx.t("process_duty_title"))
    if duty.empty:
        st.info(ctx.t("process_no_holidays"))
        return None
    gap_words = {g: ctx.t(f"process_gap_{g}") for g in ("no_duty", "no_phone")}
    table = localise_codes(ctx, duty, {"holiday": "holiday_"})
    table["holiday"] = table["holiday"].fillna("")
    table["gap"] = duty["gap"].map(gap_words).fillna("")
    table[["engineers", "phones", "note"]] = table[["engineers", "phones", "note"]].fillna("—")
    table = table[list(DUTY_COLUMNS)].rename(columns=partial(label, ctx))
    # A gap in the duty roster is a broken promise: its words in the breached colour.
    gaps = {word: charts.STATUS_COLORS["breached"] for word in gap_words.values()}
    event = show_table(ctx, table, "holiday_duty", "process_duty_table",
                       sheet=ctx.t("process_duty_title"), hide_index=True,
                       chips={label(ctx, "gap"): gaps}, on_select="rerun",
                       selection_mode="single-row", width="stretch",
                       column_config={label(ctx, "date"): st.column_config.DateColumn(
                           format="YYYY-MM-DD")})
    st.caption(ctx.t("process_duty_hint"))
    rows = event.selection.rows if event is not None else []
    return str(duty["date"].iloc[rows[0]])[:10] if rows else None


def holiday_chart(ctx: Context, comp: pd.DataFrame) -> dict | None:
    """Compliance on holidays against other days by status; the clicked point, or None."""
    st.subheader(ctx.t("process_holiday_compliance_title"))
    if comp.empty:
        st.info(ctx.t("empty"))
        return None
    bars = comp.assign(label=comp["grp"].map({g: ctx.t(f"process_grp_{g}") for g in GROUPS}))
    event = clickable(figure(status_share_bars, bars, "label", ctx.lang), "process_holiday_chart")
    st.caption(ctx.t("rate_rule") + " " + ctx.t("drill_hint"))
    return first_point(event)


def holiday_pick(ctx: Context, day: str | None, point: dict | None) -> tuple[str, object]:
    """What the holiday tab lists: ("day", the roster day picked last) or ("group", (holiday or
    other, status) of the chart's point picked last; holidays' breaches until a click)."""
    picked = last_pick("holiday", {"day": day, "chart": point})
    if picked is not None and picked[0] == "day":
        return picked
    point = picked[1] if picked is not None else {}
    groups = {ctx.t(f"process_grp_{g}"): g for g in GROUPS}
    return "group", (groups.get(point.get("y"), "holiday"), point.get("customdata") or "breached")


def holiday_duty(ctx: Context, duty: pd.DataFrame, comp: pd.DataFrame,
                 metric: str) -> tuple[str, object]:
    """The holiday tab's cards, duty roster and compliance chart; what to list (holiday_pick)."""
    metric_row(holiday_cards(ctx, duty, comp, metric))
    return holiday_pick(ctx, duty_table(ctx, duty), holiday_chart(ctx, comp))


def parts_tab(ctx: Context, filters, trend) -> None:
    """The parts tab: lead-time cards, the monthly lead-time chart and the slowest requests."""
    lead = query(part_lead_time, ctx.scope, filters)
    if lead.requested == 0:
        st.info(ctx.t("process_no_parts"))
    else:
        metric_row([Card(ctx.t("process_parts_requested"), lead.requested),
                    Card(ctx.t("process_parts_waiting"), lead.waiting,
                         ctx.t("process_parts_waiting_help")),
                    *(Card(ctx.t(key), hours(value), why_empty(value, ctx.t("empty_parts_hours")))
                      for key, value in (("process_median_hours", lead.median_hours),
                                         ("process_p90_hours", lead.p90_hours)))])
        if lead.inconsistent:
            st.warning(ctx.t("process_parts_inconsistent", n=lead.inconsistent))
    trend_lead = query(part_lead_time, ctx.scope, trend)
    month = None
    if not trend_lead.by_month.empty:
        point = first_point(clickable(figure(
            lead_time_lines, trend_lead.by_month, ctx.lang,
            ctx.t("process_parts_chart")), "process_parts_chart"))
        month = str(point.get("x")) if point is not None else None
        st.caption(ctx.t("process_parts_hint"))
    if lead.requested or month:
        process_list(ctx, "parts", ProcessDrill(parts=True, month=month),
                     trend if month else filters,
                     " · ".join(v for v in (ctx.t("process_slowest"), month) if v))
