"""投诉 — complaint volume, the first-reply and resolution promises by month, the open complaints
with their time left, and the complaints behind every number."""



import pandas as pd
import streamlit as st

from service_quality.charts.complaints import compliance_bars, volume_by_category
from service_quality.queries.complaints import (
    PROMISES,
    ComplaintDrill,
    complaint_compliance,
    complaint_list,
    complaint_volume,
    open_complaints,
)
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import latest_click, localise_statuses, status_chips, words
from ui.export import show_table
from ui.frame import Context, context, terms_caption
from ui.text import md_escape, pct, why_empty

STATUS_COLUMNS = ("first_reply_status", "resolution_status")
OPEN_COLUMNS = ("complaint_id", "customer_name", "received_at", "first_reply_hours_left",
                "resolution_days_left", "first_reply_status", "resolution_status",
                "first_reply_due", "resolution_due", "category", "complaint_manager", "ticket_id",
                "description")
LIST_COLUMNS = ("complaint_id", "customer_name", "received_at", "category", "channel",
                "complaint_manager", "ticket_id", "first_reply_at", "first_reply_minutes",
                "first_reply_status", "resolved_at", "resolution_days", "resolution_status",
                "description", "resolution")
col = column_label
FORMATS = {"first_reply_hours_left": "%.1f", "resolution_days_left": "%.2f",
           "first_reply_minutes": "%.0f", "resolution_days": "%.1f"}

def complaint_table(ctx: Context, frame: pd.DataFrame, columns, key: str, name: str,
                    sheet: str) -> None:
    """Complaints as a table with coloured statuses; descriptions and resolutions are the
    register's text, so they are only ever shown as table cells."""
    view = localise_statuses(ctx, frame[list(columns)], STATUS_COLUMNS)
    if "channel" in view:
        view["channel"] = words(view["channel"], {c: ctx.t(f"cmp_channel_{c}")
                                                  for c in view["channel"].dropna().unique()})
    view = view.rename(columns={c: col(ctx, c) for c in columns})
    left = [col(ctx, c) for c in ("first_reply_hours_left", "resolution_days_left")
            if c in columns]
    # Time left below zero is overdue: the minus sign says so on screen, red fills in Excel.
    formats = {col(ctx, c): st.column_config.NumberColumn(format=fmt)
               for c, fmt in FORMATS.items() if c in columns}
    show_table(ctx, view, name, key, sheet=sheet, flag_negative=left, hide_index=True,
               chips=status_chips(ctx, [col(ctx, c) for c in STATUS_COLUMNS]),
               width="stretch", column_config=formats)


ctx = context(__file__)
st.title(ctx.t("page_complaints"))
st.caption(ctx.t("cmp_filters_note"))
as_of = f"{ctx.as_of:%Y-%m-%d %H:%M}"

totals = query(complaint_compliance, ctx.scope, ctx.filters, "all").set_index("promise")
still_open = query(open_complaints, ctx.scope, ctx.filters, True)
cols = st.columns(4)
cols[0].metric(ctx.t("cmp_received"), int(totals["complaints"].max()), border=True)
for column, promise in zip(cols[1:3], PROMISES, strict=True):
    row = totals.loc[promise]
    column.metric(ctx.t(f"metric_complaint_{promise}"), pct(row["compliance"]),
                  help=why_empty(row["compliance"], ctx.t("empty_rate"),
                                 ctx.t("counts_help", **{k: int(row[k]) for k in
                                                         ("met", "breached", "no_record",
                                                          "pending")})),
                  border=True)
open_now = 0 if still_open.empty else int(still_open["matching"].iloc[0])
cols[3].metric(ctx.t("cmp_open_now"), open_now,
               help=ctx.t("cmp_open_help", as_of=as_of), border=True)
st.caption(ctx.t("rate_rule"))
terms_caption(ctx, "first_reply_limit_hours", "resolution_limit_days")

# --- volume and both promises by month --------------------------------------------------------
trend = ctx.filters.trend()
shown = {}
st.subheader(ctx.t("cmp_volume"))
volume = query(complaint_volume, ctx.scope, trend)
if volume.empty:
    st.info(ctx.t("empty"))
else:
    shown["cmp_volume_chart"] = st.plotly_chart(
        figure(volume_by_category, volume, ctx.lang, months=trend.months), key="cmp_volume_chart",
        selection_mode="points", on_select="rerun")
    st.caption(ctx.t("cmp_volume_note"))

st.subheader(ctx.t("cmp_compliance"))
by_month = query(complaint_compliance, ctx.scope, trend, "month")
if by_month.empty:
    st.info(ctx.t("empty"))
else:
    for column, promise in zip(st.columns(2), PROMISES, strict=True):
        key = f"cmp_{promise}_chart"
        fig = figure(compliance_bars, by_month[by_month["promise"] == promise], ctx.lang,
                     ctx.t(f"metric_complaint_{promise}"), months=trend.months)
        with column:
            shown[key] = st.plotly_chart(fig, key=key, selection_mode="points",
                                         on_select="rerun")
    st.caption(ctx.t("rate_rule") + " " + ctx.t("cmp_compliance_note"))

# --- open complaints, most urgent first -------------------------------------------------------
st.subheader(ctx.t("cmp_open"))
only_period = st.checkbox(ctx.t("cmp_open_period"), key="cmp_open_period")
st.caption(ctx.t("cmp_open_rule", as_of=as_of))
pending = still_open if not only_period else query(open_complaints, ctx.scope, ctx.filters, False)
if pending.empty:
    st.success(ctx.t("cmp_none_open"))
else:
    complaint_table(ctx, pending, OPEN_COLUMNS, key="cmp_open_list", name="open",
                    sheet=ctx.t("cmp_open"))

# --- the complaints behind the clicked number -------------------------------------------------
st.subheader(ctx.t("cmp_list"))
source, point = latest_click("cmp", shown)
points = [point] if point else []
drill, period = ComplaintDrill(), ctx.filters
if points:
    point = points[0]
    data = point.get("customdata")
    if source == "cmp_volume_chart" and isinstance(data, list | tuple) and len(data) == 2:
        drill = ComplaintDrill(month=str(data[0]), category=str(data[1]))
    elif source in ("cmp_first_reply_chart", "cmp_resolution_chart") and data:
        drill = ComplaintDrill(month=str(point.get("x")), status=str(data),
                               promise=source.removeprefix("cmp_").removesuffix("_chart"))
    # A clicked month may lie in the trend's wider months, before the period.
    period = trend
what = [drill.month or "", drill.category if drill.category is not None else "",
        ctx.t(f"metric_complaint_{drill.promise}") if drill.promise else "",
        ctx.t(f"status_{drill.status}") if drill.status else ""]
what = [w for w in what if w]
st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(what))) if what
           else ctx.t("drill_filter", what=ctx.t("cmp_list_all")))
complaints = query(complaint_list, ctx.scope, period, drill)
if complaints.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("cmp_list_showing", matching=int(complaints["matching"].iloc[0]),
                     shown=len(complaints)))
    complaint_table(ctx, complaints, LIST_COLUMNS, key="cmp_list", name="list",
                    sheet=ctx.t("cmp_list"))
