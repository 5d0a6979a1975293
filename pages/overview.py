"""总览 — KPI cards for the period against the previous one, and the supervision worklist."""

import streamlit as st

from service_quality.queries.overview import TICKET_METRICS, kpi_cards, monthly
from service_quality.queries.tickets import Drill
from service_quality.queries.worklist import worklist
from service_quality.settings import TERMS
from ui.data import query
from ui.drill import ticket_drilldown
from ui.frame import context, terms_caption
from ui.kpis import kpi_rows
from ui.management_workbook import management_download
from ui.worklist import worklist_tabs

ctx = context(__file__)
f, prev = ctx.filters, ctx.filters.previous()
as_of = f"{ctx.as_of:%Y-%m-%d %H:%M}"
# Every number first, then the page: the browser redraws the page for each batch of elements it
# receives, so queries run between the elements kept it redrawing all through a cold run (at 1 M
# tickets 0.80 s to ready instead of 0.63 s, benchmarks/browser_pages.py).
cards = query(kpi_cards, ctx.scope, f)
trend = query(monthly, ctx.scope, f.trend())
items = query(worklist, ctx.scope, f)

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
if cards.set_index("kpi").loc["tickets", "value"] == 0:
    st.info(ctx.t("empty"))
else:
    kpi_rows(ctx, cards, trend)
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
st.subheader(ctx.t("overview_worklist"))
st.caption(ctx.t("overview_worklist_caption", as_of=as_of))
worklist_tabs(ctx, items)
