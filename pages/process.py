"""服务过程 — channels, modes, transfers, warranty, parts, engineers, holiday duty → tickets."""

import streamlit as st

from service_quality.charts import process as pc
from service_quality.queries import process as q
from service_quality.queries.tickets import Drill
from ui.data import figure, query
from ui.drill import clickable, drill_caption, first_point, latest_click, ticket_drilldown
from ui.frame import context
from ui.metrics import Card, metric_row
from ui.process import engineer_table, holiday_duty, parts_tab, process_list
from ui.tabs import open_tabs
from ui.text import pct

ctx = context(__file__)
f, trend = ctx.filters, ctx.filters.trend()
st.title(ctx.t("page_process"))
st.caption(ctx.t("process_caption", start=f.start, end=f.end, trend_start=trend.start,
                 as_of=f"{ctx.as_of:%Y-%m-%d %H:%M}"))

TABS = ("mix", "transfers", "warranty", "parts", "engineers", "holidays")
# Only the open tab is queried and drawn: every tab's charts and lists on every run kept
# the browser drawing for seconds (each plotly chart ~0.1 s); a click on a tab reruns.
opened = dict(open_tabs([ctx.t(f"process_tab_{name}") for name in TABS], TABS,
                        key="process_tab"))

# ── 报障方式与服务方式 ────────────────────────────────────────────────────────────────
if "mix" in opened:
    with opened["mix"]:
        events = {}
        for column, dimension in zip(st.columns(2), q.MIX_DIMENSIONS, strict=True):
            frame = query(q.mix_by_month, ctx.scope, trend, dimension)
            with column:
                if frame.empty:
                    st.info(ctx.t("empty"))
                    continue
                events[dimension] = clickable(figure(pc.mix_bars, frame, ctx.lang, dimension, ctx.t(
                    f"process_mix_{dimension}")), f"process_mix_{dimension}_chart")
        dimension, point = latest_click("mix", events)
        if point is None:
            st.caption(ctx.t("process_mix_hint"))
        else:
            value, month = point.get("customdata"), str(point.get("x"))
            process_list(ctx, "mix", q.ProcessDrill(month=month, **{dimension: value}), trend,
                         f"{month} · {pc.value_label(dimension, value, ctx.lang)}")

# ── 转交 ─────────────────────────────────────────────────────────────────────────────
if "transfers" in opened:
    with opened["transfers"]:
        tr = query(q.transfers, ctx.scope, f)
        if tr.tickets == 0:
            st.info(ctx.t("empty"))
        else:
            metric_row([Card(ctx.t("process_transferred"), tr.transferred, ctx.t(
                            "process_share_help", share=pct(tr.transferred / tr.tickets),
                            tickets=tr.tickets)),
                        Card(ctx.t("process_repeated", n=q.REPEATED_TRANSFERS), tr.repeated),
                        Card(ctx.t("process_transfer_events"), tr.events),
                        Card(ctx.t("process_mismatched"), tr.mismatched,
                             ctx.t("process_mismatched_help"))])
            point = first_point(clickable(figure(
                pc.transfer_bars, tr.distribution, ctx.lang, q.TRANSFERS_CAP, q.REPEATED_TRANSFERS,
                ctx.t("process_transfers_chart")), "process_transfers_chart"))
            listing = st.segmented_control(
                ctx.t("process_transfer_list"), ("repeated", "mismatch"),
                key="process_transfer_list", default="repeated",
                format_func=lambda c: ctx.t(f"process_list_{c}", n=q.REPEATED_TRANSFERS)) \
                or "repeated"
            what = ctx.t(f"process_list_{listing}", n=q.REPEATED_TRANSFERS) if point is None \
                else ctx.t("process_drill_transfers", n=point.get("x"))
            clicked = None if point is None else int(point.get("customdata"))
            process_list(ctx, "transfer", q.transfer_drill(clicked, listing), what=what)

# ── 保修与报价 ───────────────────────────────────────────────────────────────────────
if "warranty" in opened:
    with opened["warranty"]:
        wq = query(q.warranty_quotes, ctx.scope, f)
        if int(wq.warranty["tickets"].sum()) == 0:
            st.info(ctx.t("empty"))
        else:
            metric_row([*(Card(pc.value_label("warranty", r.warranty, ctx.lang), int(r.tickets),
                               ctx.t("process_share", share=pct(r.share)))
                          for r in q.shown_warranty(wq.warranty).itertuples()),
                        Card(ctx.t("process_acceptance"), pct(wq.acceptance),
                             ctx.t("process_acceptance_help"))])
            left, right = st.columns(2)
            by_month = query(q.warranty_by_month, ctx.scope, trend)
            with left:
                w_event = clickable(figure(pc.warranty_bars, by_month, ctx.lang,
                                           ctx.t("process_warranty_chart")),
                                    "process_warranty_chart")
            with right:
                q_event = clickable(figure(pc.quote_bars, wq.quotes, ctx.lang,
                                           ctx.t("process_quotes_chart")), "process_quotes_chart")
            chart, point = latest_click("warranty", {"warranty": w_event, "quote": q_event})
            point = point or {}
            drill = q.warranty_drill(chart, point.get("customdata"), str(point.get("x")))
            what = (drill.month, pc.value_label("warranty", drill.warranty, ctx.lang),
                    drill.quote_status and pc.value_label("quote", drill.quote_status, ctx.lang))
            process_list(ctx, "warranty", drill, trend if drill.month else None,
                         " · ".join(w for w in what if w))

# ── 备件 ─────────────────────────────────────────────────────────────────────────────
if "parts" in opened:
    with opened["parts"]:
        parts_tab(ctx, f, trend)

# ── 工程师 ───────────────────────────────────────────────────────────────────────────
if "engineers" in opened:
    with opened["engineers"]:
        engineer, name = engineer_table(ctx, query(q.engineer_workload, ctx.scope, f))
        if engineer is not None:
            # The engineer's name comes from the engineers file: plain text, never Markdown.
            st.text(ctx.t("drill_filter", what=name))
            ticket_drilldown(ctx, Drill(engineer=engineer), key="process_engineer_tickets")

# ── 重大节假日值班 ───────────────────────────────────────────────────────────────────
if "holidays" in opened:
    with opened["holidays"]:
        duty = query(q.holiday_duty, ctx.scope, f)
        metric = st.segmented_control(ctx.t("process_holiday_metric"), q.HOLIDAY_METRICS,
                                      key="process_holiday_metric", default="arrival",
                                      format_func=lambda m: ctx.t(f"metric_{m}")) or "arrival"
        comp = query(q.holiday_compliance, ctx.scope, f, metric)
        picked, value = holiday_duty(ctx, duty, comp, metric)
        if picked == "day":
            process_list(ctx, "holiday_day", q.ProcessDrill(day=value), what=value)
        else:
            grp, status = value
            drill_caption(ctx, ctx.t(f"process_grp_{grp}"), ctx.t(f"metric_{metric}"),
                          ctx.t(f"status_{status}"))
            ticket_drilldown(ctx, Drill(metric=metric, status=status, holiday=grp == "holiday"),
                             key="process_holiday_tickets")
