"""Fault severity as the severity page draws it: the cards, the caption of a drill-down and the
fault list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from service_quality.charts.severity import severity_label
from service_quality.queries.severity import BIN_WIDTH, MEASURES, SeverityDrill, SeveritySummary

from .columns import column_label
from .drill import drill_caption as narrowed_to
from .drill import localise_statuses, show_timeline
from .export import show_table
from .frame import Context
from .text import chart_value, pct

LIST_COLUMNS = ("ticket_id", "customer_name", "rule_severity", "reported_severity",
                "severity_check", "error_ratio", "capacity_drop", "system_down", "network_down",
                "key_device_down", "imminent_outage", "device", "reported_at")


def severity_cards(ctx: Context, summary: SeveritySummary) -> None:
    """Faults, severe by rule and as reported, and the three kinds of mismatch."""
    cards = st.columns(6)
    cards[0].metric(ctx.t("severity_kpi_faults"), summary.faults, border=True)
    cards[1].metric(ctx.t("severity_kpi_rule_severe"), summary.rule["severe"], border=True,
                    help=ctx.t("severity_kpi_share_help", share=pct(summary.severe_share)))
    cards[2].metric(ctx.t("severity_kpi_reported_severe"), summary.reported["severe"],
                    border=True)
    cards[3].metric(ctx.t("severity_kpi_under"), summary.checks["under_classified"], border=True)
    cards[4].metric(ctx.t("severity_kpi_over"), summary.checks["over_classified"], border=True)
    cards[5].metric(ctx.t("severity_kpi_unverifiable"), summary.checks["unverifiable"],
                    border=True)


def drill_caption(ctx: Context, chart: str | None, point: dict | None,
                  drill: SeverityDrill) -> None:
    """What the fault list is narrowed to by the click on CHART, or that it lists the severe."""
    if chart is None:
        st.caption(ctx.t("severity_fault_list_default"))
        return
    value = chart_value((point or {}).get("y"))
    parts = [drill.month, value if chart == "customer" else None,
             value if chart == "device" else None,
             severity_label(drill.severity, drill.basis, ctx.lang) if drill.severity else None,
             ctx.t("severity_drill_bin", measure=column_label(ctx, drill.measure),
                   low=f"{drill.bin:g}", high=f"{drill.bin + BIN_WIDTH:g}")
             if drill.bin is not None else None,
             ctx.t(f"severity_side_{drill.side}") if drill.side else None]
    narrowed_to(ctx, *parts)


def fault_view(ctx: Context, faults: pd.DataFrame) -> pd.DataFrame:
    """The fault list as shown: severities and checks in words of the UI language."""
    view = faults[list(LIST_COLUMNS)]
    view["reported_severity"] = view["reported_severity"].map(
        lambda s: severity_label(s if isinstance(s, str) else "none", "reported", ctx.lang))
    view["rule_severity"] = view["rule_severity"].map(
        lambda s: severity_label(s if isinstance(s, str) else "unknown", "rule", ctx.lang))
    view["severity_check"] = view["severity_check"].map(
        lambda c: ctx.t(f"severity_check_{c}") if isinstance(c, str) else c)
    return localise_statuses(ctx, view, ["report_status"])


def fault_table(ctx: Context, faults: pd.DataFrame) -> None:
    """The faults with their ratios; a selected row shows its ticket's timeline."""
    labels = {c: column_label(ctx, c) for c in LIST_COLUMNS}
    event = show_table(
        ctx, fault_view(ctx, faults), "faults", "severity_faults", labels=labels,
        sheet=ctx.t("severity_fault_list"), hide_index=True, width="stretch",
        on_select="rerun", selection_mode="single-row",
        column_config={labels[m]: st.column_config.NumberColumn(format="percent")
                       for m in MEASURES})
    if event is not None and event.selection.rows:
        show_timeline(ctx, faults["ticket_id"].iloc[event.selection.rows[0]])
