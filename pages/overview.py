"""总览 — KPI cards for the period against the previous one, and the supervision worklist."""

from functools import partial

import pandas as pd
import streamlit as st

from service_quality.charts.overview import kpi_trend
from service_quality.messages import has
from service_quality.queries.overview import TICKET_METRICS, kpi_cards, monthly
from service_quality.queries.tickets import Drill
from service_quality.queries.worklist import KINDS, worklist
from service_quality.settings import TERMS
from ui.columns import column_label
from ui.data import query
from ui.drill import show_timeline, status_chips, ticket_drilldown, words
from ui.export import show_table
from ui.frame import context, terms_caption
from ui.management_workbook import management_download
from ui.text import pct, why_empty

ctx = context(__file__)
f, prev = ctx.filters, ctx.filters.previous()
as_of = f"{ctx.as_of:%Y-%m-%d %H:%M}"

title, export = st.columns([4, 1], vertical_alignment="bottom")
title.title(ctx.t("page_overview"))
with export:
    management_download(ctx)
st.caption(ctx.t("period_caption", start=f.start, end=f.end, prev_start=prev.start,
                 prev_end=prev.end, as_of=as_of))
for warning in ctx.info["calendar_warnings"]:
    st.warning(ctx.t("calendar_warning", text=warning))
terms_caption(ctx, *TERMS)

# --- KPI cards: four a row, each with its delta against the previous period and a trend line.
VALUE = {"rate": pct, "count": lambda v: f"{v:,.0f}",
         "hours": lambda v: f"{v:.1f} h"}
# Why a card reads "—" (first in its help): by card, else by unit.
EMPTY = {"csat": "empty_csat", "survey_response": "empty_survey_response",
         "hours": "empty_handling_hours", "rate": "empty_rate"}
DELTA = {"rate": lambda d: f"{d * 100:+.1f} pp", "count": lambda d: f"{d:+,.0f}",
         "hours": lambda d: f"{d:+.1f} h"}
DELTA_COLOR = {"higher": "normal", "lower": "inverse", "none": "off"}


def card_label(kpi: str) -> str:
    """The card's title."""
    if kpi == "tickets":
        return ctx.t("tickets_in_period")
    return ctx.t(f"metric_{kpi}") if has(f"metric_{kpi}") else ctx.t(f"overview_kpi_{kpi}")


def card_help(card) -> str:
    """The denominators behind a card, led by why it is empty when it reads "—"."""
    reason = EMPTY.get(card["kpi"]) or EMPTY.get(card["unit"])
    return why_empty(card["value"], ctx.t(reason) if reason else "", _card_counts(card))


def _card_counts(card) -> str:
    counts = {k: int(card[k]) if pd.notna(card[k]) else 0
              for k in ("met", "breached", "no_record", "pending", "numerator", "denominator")}
    previous = "—" if pd.isna(card["previous"]) else f"{card['previous']:,.0f}"
    if card["kpi"] == "tickets":
        return ctx.t("overview_help_tickets", previous=previous)
    if card["kpi"] == "overdue_actions":
        return ctx.t("overview_help_overdue", as_of=as_of, start=f"{f.start}-01",
                     previous=previous)
    if card["unit"] == "hours":
        return ctx.t("overview_help_handling_hours", **counts)
    if card["kpi"] in ("csat", "survey_response"):
        return ctx.t(f"overview_help_{card['kpi']}", **counts)
    return ctx.t("overview_help_rate", **counts)


cards = query(kpi_cards, ctx.scope, f)
trend = query(monthly, ctx.scope, f.trend())
if cards.set_index("kpi").loc["tickets", "value"] == 0:
    st.info(ctx.t("empty"))
else:
    for first in range(0, len(cards), 4):
        for col, (_, card) in zip(st.columns(4), cards.iloc[first:first + 4].iterrows(),
                                  strict=False):
            unit = card["unit"]
            col.metric(
                card_label(card["kpi"]),
                "—" if pd.isna(card["value"]) else VALUE[unit](card["value"]),
                None if pd.isna(card["delta"]) else DELTA[unit](card["delta"]),
                # No change is neither good nor bad: no arrow, no colour.
                delta_color="off" if card["delta"] == 0 else DELTA_COLOR[card["better"]],
                delta_arrow="off" if card["delta"] == 0 else "auto",
                delta_description=ctx.t("overview_vs_previous"),
                help=card_help(card),
                # The trend months as a line drawn by the browser itself (a chart library
                # per card kept the page drawing for seconds).
                chart_data=kpi_trend(trend, card["trend"]), border=True,
            )
    st.caption(ctx.t("rate_rule"))

    # Opened on demand: the tickets behind a card (up to 500 rows) are fetched and drawn only
    # while the expander is open, not on every run of the overview.
    with st.expander(ctx.t("overview_drill"), key="overview_drill", on_change="rerun") as box:
        if box.open:
            c1, c2 = st.columns([1, 2])
            metric = c1.selectbox(ctx.t("overview_drill_metric"), TICKET_METRICS,
                                  key="overview_drill_metric",
                                  format_func=lambda m: ctx.t(f"metric_{m}"))
            status = c2.segmented_control(
                ctx.t("overview_drill_status"), ("breached", "no_record", "pending", "met"),
                key="overview_drill_status", default="breached",
                format_func=lambda s: ctx.t(f"status_{s}")) or "breached"
            ticket_drilldown(ctx, Drill(metric=metric, status=status), key="overview_tickets")

# --- The supervision worklist: what needs following up now, whatever the period.
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


column_heading = partial(column_label, ctx, prefix="overview_")


def worklist_view(kind: str, frame: pd.DataFrame):
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
    return view.rename(columns={c: column_heading(c) for c in view.columns})


def worklist_config(kind: str) -> dict:
    """Number and date formats of one kind's columns (drawn by the browser, not per cell)."""
    config = {column_heading(c): st.column_config.NumberColumn(format=fmt)
              for c, fmt in FORMATS.items() if c in COLUMNS[kind]}
    if "due_date" in COLUMNS[kind]:
        config[column_heading("due_date")] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


st.subheader(ctx.t("overview_worklist"))
st.caption(ctx.t("overview_worklist_caption", as_of=as_of))
items = query(worklist, ctx.scope, f)
p = {k: f"{v:g}" if isinstance(v, float) else v for k, v in items.params.items()}
NOTES = {
    "clocks": dict(near=p["near_minutes"], share=f"{items.params['near_share'] * 100:g}"),
    "reports": dict(hours=p["report_within_hours"]),
    "complaints": dict(near=p["reply_near_minutes"], near_days=p["resolution_near_days"]),
    "severity": dict(days=p["severity_days"]),
}
# Only the open tab's list is made and drawn: the others wait for their click.
tabs = st.tabs([f"{ctx.t(f'overview_wl_{k}')} ({items.count(k)})" for k in KINDS],
               key="overview_worklist_tabs", on_change="rerun")
for tab, kind in zip(tabs, KINDS, strict=True):
    if tab.open is False:
        continue
    with tab:
        st.caption(ctx.t(f"overview_wl_{kind}_note", **NOTES.get(kind, {})))
        frame = getattr(items, kind)
        if frame.empty:
            st.success(ctx.t("overview_wl_none"))
            continue
        if items.count(kind) > len(frame):
            st.caption(ctx.t("overview_wl_showing", matching=items.count(kind),
                             shown=len(frame)))
        event = show_table(ctx, worklist_view(kind, frame), f"worklist_{kind}",
                           f"overview_wl_{kind}", sheet=ctx.t(f"overview_wl_{kind}"),
                           column_config=worklist_config(kind),
                           chips=status_chips(ctx, [column_heading("report_status")]),
                           flag_negative=[column_heading(c) for c in LATE], hide_index=True,
                           on_select="rerun", selection_mode="single-row", width="stretch")
        rows = event.selection.rows if event is not None else []
        if rows:
            ticket = frame["ticket_id"].iloc[rows[0]] if "ticket_id" in frame else None
            if isinstance(ticket, str):
                show_timeline(ctx, ticket)
            else:
                st.caption(ctx.t("overview_wl_no_ticket"))
