"""数据 — what was loaded and when, the rows refused with their reasons, calendar, and the terms
of the agreement each customer was judged by."""

from functools import partial

import streamlit as st

from service_quality.queries.data import (
    calendar_coverage,
    calendar_warnings,
    freshness,
    load_batches,
    raw_row,
    rejected_files,
    rejected_rows,
)
from service_quality.settings import TERMS
from service_quality.terms import defaults_frame, terms_frame
from ui.columns import column_label
from ui.data import query
from ui.deliveries import render as render_deliveries
from ui.export import show_table
from ui.frame import context
from ui.freshness import freshness_cards
from ui.rejected_rows import raw_row_heading, raw_row_table, rejected_filters, rejected_table
from ui.upload import render as render_upload

ctx = context(__file__)
st.title(ctx.t("page_data"))
st.caption(ctx.t("data_caption"))
supervisor = ctx.scope.customers is None

label = partial(column_label, ctx)
fresh = query(freshness, ctx.scope)
freshness_cards(ctx, fresh)
for warning in query(calendar_warnings, ctx.scope):
    # Written by the loader (years and counts), never text read from a data file.
    st.warning(ctx.t("data_calendar_warning", text=warning))

tabs = st.tabs([ctx.t(f"data_tab_{name}")
                for name in ("batches", "rejected", "calendar", "settings")]
               + [ctx.t("upload_tab"), ctx.t("data_tab_deliveries")])

# ── 载入记录 ─────────────────────────────────────────────────────────────────────────
with tabs[0]:
    batches = query(load_batches, ctx.scope)
    if batches.empty:
        st.info(ctx.t("data_supervisor_only") if not supervisor else ctx.t("empty"))
    else:
        st.caption(ctx.t("data_batches_showing", matching=int(batches["matching"].iloc[0]),
                         shown=len(batches)))
        shown = ("file_name", "entity", "encoding", "rows_read", "rows_loaded", "rows_rejected",
                 "sha256_short", "started_at", "finished_at", "as_of", "batch_id")
        show_table(ctx, batches[list(shown)].rename(columns={c: label(c) for c in shown}),
                   "batches", "data_batches_table", sheet=ctx.t("data_tab_batches"),
                   hide_index=True, width="stretch",
                   column_config={label(c): st.column_config.DatetimeColumn(
                       format="YYYY-MM-DD HH:mm:ss") for c in ("started_at", "finished_at")})

# ── 拒收的行 ─────────────────────────────────────────────────────────────────────────
with tabs[1]:
    files = query(rejected_files, ctx.scope)
    if files.empty:
        if supervisor:
            st.success(ctx.t("data_no_rejected"))
        else:
            st.info(ctx.t("data_supervisor_only"))
    else:
        file, search = rejected_filters(ctx, files)
        rows = query(rejected_rows, ctx.scope, None, file, search or None)
        if rows.empty:
            st.info(ctx.t("empty"))
        else:
            picked = rejected_table(ctx, rows)
            i = 0 if picked is None else picked
            raw_row_heading(ctx, rows, i, selected=picked is not None)
            raw_row_table(ctx, query(raw_row, ctx.scope, None, rows["file"].iloc[i],
                                     int(rows["row_number"].iloc[i])))

# ── 工作日历 ─────────────────────────────────────────────────────────────────────────
with tabs[2]:
    coverage = query(calendar_coverage, ctx.scope)
    c = st.columns(2)
    c[0].metric(ctx.t("data_tickets_estimated"), coverage.tickets_estimated,
                help=ctx.t("data_tickets_estimated_help"), border=True)
    c[1].metric(ctx.t("data_estimated_years"),
                ", ".join(map(str, coverage.estimated_years)) or ctx.t("data_none"), border=True)
    st.caption(ctx.t("data_coverage_caption"))
    shown = ("year", "first_day", "last_day", "days_chinesecalendar", "days_file",
             "days_fallback", "holidays", "estimated", "tickets", "tickets_estimated")
    show_table(ctx, coverage.by_year[list(shown)].rename(columns={c: label(c) for c in shown}),
               "calendar", "data_calendar_table", sheet=ctx.t("data_tab_calendar"),
               hide_index=True, width="stretch",
               column_config={label("year"): st.column_config.NumberColumn(format="%d"),
                              **{label(c): st.column_config.DateColumn(format="YYYY-MM-DD")
                                 for c in ("first_day", "last_day")}})

# ── 参数设置：默认约定与各客户的约定 ─────────────────────────────────────────────────
with tabs[3]:
    st.caption(ctx.t("data_settings_caption"))
    defaults = defaults_frame(ctx.terms, ctx.lang)
    show_table(ctx, defaults.rename(columns={
        "setting": label("setting"), "key": label("key"), "value": label("setting_value"),
        "customers": label("setting_customers")}),
        "settings", "data_settings_table", sheet=ctx.t("data_tab_settings"),
        hide_index=True, width="stretch")
    st.subheader(ctx.t("data_terms_title"))
    st.caption(ctx.t("data_terms_caption"))
    per_customer = terms_frame(ctx.terms, ctx.lang)
    show_table(ctx, per_customer.rename(columns={
        "customer_id": label("customer_id"), "customer_name": label("customer_name"),
        "overridden": label("overridden"), "in_data": label("in_data"),
        **{k: ctx.t(f"data_setting_{k}") for k in TERMS}}),
        "terms", "data_terms_table", sheet=ctx.t("data_terms_title"),
        hide_index=True, width="stretch")

# ── 上传数据 ─────────────────────────────────────────────────────────────────────────
with tabs[4]:
    render_upload(ctx)

# ── 发送记录 ─────────────────────────────────────────────────────────────────────────
with tabs[5]:
    render_deliveries(ctx)
