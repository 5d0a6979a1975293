"""The customer report as the report page draws it: its cards, downloads and sections."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from service_quality.charts import customer_report as report_charts
from service_quality.charts import escape_figure
from service_quality.files import name_part
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.common import filter_options
from service_quality.reports.customer_report import (
    COMPLAINT_METRICS,
    TABS,
    CustomerReport,
    customer_report_file,
    display_frame,
    percent_columns,
    promise_trend,
    report_periods,
    scoped_customer_report,
    sections,
)

from .auth import audit_export
from .data import cached_file, current_version, query
from .frame import Context
from .tabs import open_tabs
from .text import md_escape, pct, why_empty

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf"}
# Sections of a few rows holding only the agreement's words (categories, modes, promises,
# levels, months) and figures, never text from a data file.
STATIC_SECTIONS = {"by_category", "by_mode", "sla", "sla_trend", "severity", "satisfaction"}
KINDS = ("month", "quarter")


def kept(key: str, choices, default):
    """What the widget `key` returns this run, before it is drawn: its value while that is
    still one of `choices`, else `default`."""
    value = st.session_state.get(key)
    return value if value in choices else default


def prefetch_report(ctx: Context, names: dict[str, str]) -> None:
    """Query the report the pickers will choose this run, before the page draws anything.

    The browser redraws the page for each batch of elements it receives: the pickers drawn and
    then the report queried kept it redrawing through a cold run (at 1 M tickets 0.78 s to
    ready instead of 0.68 s, benchmarks/browser_pages.py). The pickers then return these same
    values and the page's own queries are cache hits.
    """
    customer_id = ctx.user.customer_id if ctx.user.role == "customer" else kept(
        "customer_report_customer", list(names), next(iter(names), None))
    if customer_id not in names:
        return
    kind = kept("report_kind", KINDS, "month")
    options = query(filter_options, Scope.customer(customer_id))
    choices, default = report_periods(options.first_month, options.last_month, ctx.as_of, kind)
    query(scoped_customer_report, ctx.scope, None, customer_id,
          kept(f"report_period_{kind}", choices, default), ctx.lang)


def static_frame(frame: pd.DataFrame, rates: list[str], decimals: list[str]) -> pd.DataFrame:
    """The table as the text st.table shows: rates as percentages, Markdown escaped."""
    def text(column: str) -> pd.Series:
        values = frame[column]
        if column in rates:
            shown = values.map(pct, na_action="ignore")
        elif column in decimals:
            shown = values.map(lambda v: f"{v:,.1f}", na_action="ignore")
        elif pd.api.types.is_numeric_dtype(values):
            return values
        else:
            shown = values.map(lambda v: md_escape(str(v)), na_action="ignore")
        return shown.astype(object).where(values.notna(), "—")

    return pd.DataFrame({md_escape(str(c)): text(c) for c in frame.columns})


def report_downloads(ctx: Context, report: CustomerReport, period: str) -> None:
    """The xlsx and PDF buttons; each file is built on its click, audited and cached."""
    version, scope, lang, user = current_version(), ctx.scope, ctx.lang, ctx.user
    customer_id = report.customer_id

    def build(kind: str) -> bytes:
        # Runs on the click: the file is recorded in the audit log as it is built.
        audit_export(user, f"{customer_id}_{report.period}.{kind}", scope)
        # Keyed by the database version, scope, customer, period and language: a new load
        # rebuilds.
        return cached_file(customer_report_file, version, scope, None, customer_id, period, lang,
                           kind)

    for column, kind in zip(st.columns([1, 1, 3])[:2], MIME, strict=True):
        column.download_button(ctx.t(f"customer_report_download_{kind}"), key=f"report_{kind}",
                               data=partial(build, kind),
                               file_name=f"{name_part(customer_id)}_{report.period}.{kind}",
                               mime=MIME[kind])


def report_cards(ctx: Context, report: CustomerReport) -> None:
    """The period's figures, then one card per promise with its last 12 months."""
    s = report.summary
    cards = st.columns(6)
    cards[0].metric(ctx.t("customer_report_kpi_tickets"), s["tickets"])
    cards[1].metric(ctx.t("customer_report_kpi_onsite_visits"), s["onsite_visits"])
    cards[2].metric(ctx.t("customer_report_kpi_severe"), s["severe"])
    cards[3].metric(ctx.t("customer_report_kpi_complaints"), s["complaints"])
    cards[4].metric(ctx.t("customer_report_kpi_csat"), pct(s["csat"]),
                    help=why_empty(s["csat"], ctx.t("empty_csat")) or None)
    cards[5].metric(ctx.t("customer_report_kpi_open"), sum(report.open_counts.values()))
    promises = report.sla[~report.sla["metric"].isin(COMPLAINT_METRICS)]
    trend = promise_trend(report)
    cards = st.columns(max(len(promises), 1))
    for card, (_, row) in zip(cards, promises.iterrows(), strict=False):
        # The chosen customer's own terms, which may differ from the others' in ctx.terms.
        label = t(f"metric_{row['metric']}", ctx.lang, terms=report.terms)
        # Long promise names are cut on a narrow card: the help repeats them in full. The line
        # under the figure is its last 12 months, drawn by the browser (no chart library).
        card.metric(label, pct(row["compliance"]),
                    help=why_empty(row["compliance"], ctx.t("empty_rate"),
                                   f"{label}. {ctx.t('rate_rule')}"),
                    chart_data=trend.get(row["metric"]), delta_color="off")


def report_tabs(ctx: Context, report: CustomerReport) -> None:
    """The report's sections in tabs, drawing only the open tab's."""
    # Only the open tab's tables and charts are made and sent, so the page is ready without
    # drawing every list of the report (the files hold them all).
    by_key = {section.key: section for section in sections(report, ctx.lang)}
    for tab, container in open_tabs([ctx.t(f"customer_report_tab_{tab}") for tab in TABS],
                                    list(TABS), key="report_tab"):
        with container:
            for key in TABS[tab]:
                draw_section(ctx, report, by_key[key])


def draw_section(ctx: Context, report: CustomerReport, section) -> None:
    """One section of the report: its title, note, chart (not on the first tab) and table."""
    st.subheader(section.title)
    if section.note:
        st.caption(section.note)
    if section.chart and section.key not in TABS["service"]:
        fig = report_charts.BUILDERS[section.chart](report, ctx.lang)
        if fig is not None:
            # The subheader above names the chart already.
            st.plotly_chart(escape_figure(fig.update_layout(title=None)),
                            key=f"report_chart_{section.key}")
    frame = display_frame(section, ctx.lang)
    if frame.empty:
        st.info(ctx.t("customer_report_none_open" if section.key.startswith("open_")
                      else "customer_report_empty"))
        return
    rates = percent_columns(section, ctx.lang)
    decimals = [c for c in frame.columns
                if pd.api.types.is_float_dtype(frame[c]) and c not in rates]
    if section.key in STATIC_SECTIONS:
        # A few rows of our own words and figures: a static table, drawn without the grid
        # component the browser would load first. Its cells are Markdown: escaped anyway.
        st.table(static_frame(frame, rates, decimals), hide_index=True)
        return
    formats = {c: st.column_config.NumberColumn(c, format="%.1f") for c in decimals}
    formats.update({c: st.column_config.NumberColumn(c, format="percent") for c in rates})
    st.dataframe(frame, hide_index=True, column_config=formats, key=f"report_table_{section.key}",
                 placeholder="—")
