"""客户报告 — one customer's month or quarter as the customer sees it: service summary, every
promise with its trend, severity, severe faults and their reports, complaints, satisfaction,
improvement actions, open items; downloads as xlsx and PDF."""

import streamlit as st

from service_quality.queries import Scope
from service_quality.queries.common import filter_options
from service_quality.queries.customer_report import report_customers
from service_quality.reports.customer_report import report_periods, scoped_customer_report
from ui.customer_report import KINDS, prefetch_report, report_cards, report_downloads, report_tabs
from ui.data import query
from ui.frame import context
from ui.text import md_escape

ctx = context(__file__)
customers = query(report_customers, ctx.scope)
names = dict(zip(customers["customer_id"], customers["name"], strict=True))
prefetch_report(ctx, names)
st.title(ctx.t("page_report"))
if customers.empty:
    st.info(ctx.t("customer_report_no_customer"))
    st.stop()
c1, c2, c3 = st.columns([3, 1.4, 1.6])
if ctx.user.role == "customer":
    # A customer's report is its own: no picker, the customer id comes from the account.
    customer_id = ctx.user.customer_id
    if customer_id not in names:
        st.info(ctx.t("customer_report_no_customer"))
        st.stop()
    c1.caption(ctx.t("customer_report_customer"))
    c1.text(f"{names[customer_id]} ({customer_id})")
else:
    customer_id = c1.selectbox(ctx.t("customer_report_customer"), list(names),
                               key="customer_report_customer",
                               format_func=lambda c: f"{names[c]} ({c})")
kind = c2.segmented_control(ctx.t("customer_report_period_kind"), KINDS, key="report_kind",
                            default="month",
                            format_func=lambda k: ctx.t(f"customer_report_kind_{k}")) or "month"
# The months the chosen customer has data for (it is within ctx.scope: chosen from its list).
options = query(filter_options, Scope.customer(customer_id))
choices, default = report_periods(options.first_month, options.last_month, ctx.as_of, kind)
period = c3.selectbox(ctx.t("customer_report_period"), choices, index=choices.index(default),
                      key=f"report_period_{kind}")

report = query(scoped_customer_report, ctx.scope, None, customer_id, period, ctx.lang)
st.caption(md_escape(f"{report.name} · {report.period} · ")
           + ctx.t("customer_report_as_of", as_of=report.as_of.strftime("%Y-%m-%d %H:%M")))
# A customer has no sidebar filters (ui/frame.py); others are told theirs do not apply here.
st.caption(ctx.t("customer_report_intro") + ("" if ctx.user.role == "customer"
                                    else " " + ctx.t("customer_report_filters_note")))
report_downloads(ctx, report, period)
report_cards(ctx, report)
report_tabs(ctx, report)
