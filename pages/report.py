"""客户报告 — one customer's month or quarter as the customer sees it: service summary, every
promise with its trend, severity, severe faults and their reports, complaints, satisfaction,
improvement actions, open items; downloads as xlsx and PDF."""

import pandas as pd
import streamlit as st

from service_quality.charts import customer_report as report_charts
from service_quality.charts import escape_figure
from service_quality.files import name_part
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries.common import filter_options
from service_quality.queries.customer_report import report_customers
from service_quality.reports.customer_report import (
    COMPLAINT_METRICS,
    TABS,
    default_period,
    display_frame,
    percent_columns,
    period_choices,
    promise_trend,
    report_pdf,
    report_xlsx,
    scoped_customer_report,
    sections,
)
from ui.auth import audit_export
from ui.data import current_version, query
from ui.frame import context
from ui.text import md_escape, pct, why_empty

KINDS = ("month", "quarter")
# Sections of a few rows holding only the agreement's words (categories, modes, promises,
# levels, months) and figures, never text from a data file.
STATIC_SECTIONS = {"by_category", "by_mode", "sla", "sla_trend", "severity", "satisfaction"}


@st.cache_data(max_entries=64, show_spinner=False)
def _file(version, scope: Scope, customer_id: str, period: str, lang: str, kind: str) -> bytes:
    # Keyed by the database version, customer, period and language: a new load rebuilds.
    report = query(scoped_customer_report, scope, None, customer_id, period, lang)
    return report_xlsx(report, lang) if kind == "xlsx" else report_pdf(report, lang)


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


def draw_section(section) -> None:
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
        st.info(ctx.t("report_none_open" if section.key.startswith("open_") else "report_empty"))
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


ctx = context(__file__)
st.title(ctx.t("page_report"))
customers = query(report_customers, ctx.scope)
if customers.empty:
    st.info(ctx.t("report_no_customer"))
    st.stop()
names = dict(zip(customers["customer_id"], customers["name"], strict=True))
c1, c2, c3 = st.columns([3, 1.4, 1.6])
if ctx.user.role == "customer":
    # A customer's report is its own: no picker, the customer id comes from the account.
    customer_id = ctx.user.customer_id
    if customer_id not in names:
        st.info(ctx.t("report_no_customer"))
        st.stop()
    c1.caption(ctx.t("report_customer"))
    c1.text(f"{names[customer_id]} ({customer_id})")
else:
    customer_id = c1.selectbox(ctx.t("report_customer"), list(names), key="report_customer",
                               format_func=lambda c: f"{names[c]} ({c})")
kind = c2.segmented_control(ctx.t("report_period_kind"), KINDS, key="report_kind",
                            default="month",
                            format_func=lambda k: ctx.t(f"report_kind_{k}")) or "month"
# The months the chosen customer has data for (it is within ctx.scope: chosen from its list).
options = query(filter_options, Scope.customer(customer_id))
default = default_period(ctx.as_of, kind)
first = options.first_month or default[:4] + "-01"
last = max(options.last_month or default[:7], str(ctx.as_of.to_period("M")))
choices = period_choices(first, last, kind)
if default not in choices:
    choices = [default, *choices]
period = c3.selectbox(ctx.t("report_period"), choices, index=choices.index(default),
                      key=f"report_period_{kind}")

report = query(scoped_customer_report, ctx.scope, None, customer_id, period, ctx.lang)
st.caption(md_escape(f"{report.name} · {report.period} · ")
           + ctx.t("report_as_of", as_of=report.as_of.strftime("%Y-%m-%d %H:%M")))
# A customer has no sidebar filters (ui/frame.py); others are told theirs do not apply here.
st.caption(ctx.t("report_intro") + ("" if ctx.user.role == "customer"
                                    else " " + ctx.t("report_filters_note")))

version = current_version()
d1, d2, _ = st.columns([1, 1, 3])


def _download(kind: str) -> bytes:
    # Runs on the click: the file is recorded in the audit log as it is built.
    audit_export(ctx.user, f"{customer_id}_{report.period}.{kind}", ctx.scope)
    return _file(version, ctx.scope, customer_id, period, ctx.lang, kind)


d1.download_button(ctx.t("report_download_xlsx"), key="report_xlsx",
                   data=lambda: _download("xlsx"),
                   file_name=f"{name_part(customer_id)}_{report.period}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
d2.download_button(ctx.t("report_download_pdf"), key="report_pdf",
                   data=lambda: _download("pdf"),
                   file_name=f"{name_part(customer_id)}_{report.period}.pdf",
                   mime="application/pdf")

s = report.summary
cards = st.columns(6)
cards[0].metric(ctx.t("report_kpi_tickets"), s["tickets"])
cards[1].metric(ctx.t("report_kpi_onsite_visits"), s["onsite_visits"])
cards[2].metric(ctx.t("report_kpi_severe"), s["severe"])
cards[3].metric(ctx.t("report_kpi_complaints"), s["complaints"])
cards[4].metric(ctx.t("report_kpi_csat"), pct(s["csat"]),
                help=why_empty(s["csat"], ctx.t("empty_csat")) or None)
cards[5].metric(ctx.t("report_kpi_open"), sum(report.open_counts.values()))
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

# One tab of sections at a time: only the open tab's tables and charts are made and sent,
# so the page is ready without drawing every list of the report (the files hold them all).
by_key = {section.key: section for section in sections(report, ctx.lang)}
tabs = st.tabs([ctx.t(f"report_tab_{tab}") for tab in TABS], key="report_tab",
               on_change="rerun")
for container, tab in zip(tabs, TABS, strict=True):
    if container.open is False:
        continue
    with container:
        for key in TABS[tab]:
            draw_section(by_key[key])
