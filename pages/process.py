"""服务过程 — channels, modes, transfers, warranty, parts, engineers, holiday duty → tickets."""

from functools import partial

import streamlit as st

from service_quality import charts
from service_quality.charts import process as pc
from service_quality.messages import has
from service_quality.queries import process as q
from service_quality.queries.tickets import Drill
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import (
    first_point,
    last_pick,
    localise_codes,
    localise_statuses,
    show_timeline,
    status_chips,
    ticket_drilldown,
)
from ui.export import show_table
from ui.frame import context
from ui.text import md_escape, pct, why_empty

# Code columns of the process lists and the message prefix that names their values.
CODE_PREFIXES = {"channel": "process_channel_", "service_mode": "mode_",
                 "warranty": "process_warranty_", "quote_status": "process_quote_"}

ctx = context(__file__)
f, trend = ctx.filters, ctx.filters.trend()
st.title(ctx.t("page_process"))
st.caption(ctx.t("process_caption", start=f.start, end=f.end, trend_start=trend.start,
                 as_of=f"{ctx.as_of:%Y-%m-%d %H:%M}"))


label = partial(column_label, ctx, prefix="process_")


def holiday_name(name) -> str:
    """A holiday's name in the UI language (the calendar file's own note stays as written)."""
    if not isinstance(name, str) or not name:
        return ""
    return ctx.t(f"holiday_{name}") if has(f"holiday_{name}") else name




def process_list(drill: q.ProcessDrill, columns: tuple[str, ...], key: str,
                 filters=None, what: str = "") -> None:
    """The tickets behind a number of this page, then the selected ticket's timeline."""
    st.subheader(ctx.t("drill_title"))
    if what:
        st.caption(ctx.t("drill_filter", what=md_escape(what)))
    frame = query(q.process_tickets, ctx.scope, filters or f, drill)
    if frame.empty:
        st.info(ctx.t("empty"))
        return
    st.caption(ctx.t("drill_showing", matching=int(frame["matching"].iloc[0]), shown=len(frame)))
    view = localise_statuses(ctx, frame[["ticket_id", *columns]], ["arrival_status"])
    view = localise_codes(ctx, view, CODE_PREFIXES)
    if "holiday" in view:
        view["holiday"] = view["holiday"].map(holiday_name)
    view = view.rename(columns={c: label(c) for c in view.columns})
    event = show_table(ctx, view, key.removeprefix("process_"), key,
                       sheet=ctx.t("drill_title"), hide_index=True, on_select="rerun",
                       chips=status_chips(ctx, [label("arrival_status")]),
                       selection_mode="single-row", width="stretch",
                       column_config={label("part_lead_hours"): st.column_config.NumberColumn(
                           format="%.1f")})
    rows = event.selection.rows if event is not None else []
    typed = st.text_input(ctx.t("timeline_lookup"), key=f"{key}_lookup",
                          placeholder=ctx.t("timeline_lookup_hint")).strip()
    if rows:
        show_timeline(ctx, frame["ticket_id"].iloc[rows[0]])
    elif typed:
        show_timeline(ctx, typed)


tabs = st.tabs([ctx.t(f"process_tab_{name}") for name in
                ("mix", "transfers", "warranty", "parts", "engineers", "holidays")])

# ── 报障方式与服务方式 ────────────────────────────────────────────────────────────────
with tabs[0]:
    events = {}
    for column, dimension in zip(st.columns(2), q.MIX_DIMENSIONS, strict=True):
        frame = query(q.mix_by_month, ctx.scope, trend, dimension)
        with column:
            if frame.empty:
                st.info(ctx.t("empty"))
                continue
            fig = figure(pc.mix_bars, frame, ctx.lang, dimension, ctx.t(f"process_mix_{dimension}"))
            events[dimension] = st.plotly_chart(fig, key=f"process_mix_{dimension}_chart",
                                                on_select="rerun", selection_mode="points")
    picked = last_pick("mix", {d: first_point(e) for d, e in events.items()})
    if picked is None:
        st.caption(ctx.t("process_mix_hint"))
    else:
        dimension, point = picked
        value, month = point.get("customdata"), str(point.get("x"))
        process_list(q.ProcessDrill(month=month, **{dimension: value}),
                     ("customer_name", "reported_at", "channel", "service_mode", "engineer_name",
                      "arrival_status", "resolved_at"), key="process_mix_tickets", filters=trend,
                     what=f"{month} · {pc.value_label(dimension, value, ctx.lang)}")

# ── 转交 ─────────────────────────────────────────────────────────────────────────────
with tabs[1]:
    tr = query(q.transfers, ctx.scope, f)
    if tr.tickets == 0:
        st.info(ctx.t("empty"))
    else:
        c = st.columns(4)
        c[0].metric(ctx.t("process_transferred"), tr.transferred,
                    help=ctx.t("process_share_help", share=pct(tr.transferred / tr.tickets),
                               tickets=tr.tickets), border=True)
        c[1].metric(ctx.t("process_repeated", n=q.REPEATED_TRANSFERS), tr.repeated, border=True)
        c[2].metric(ctx.t("process_transfer_events"), tr.events, border=True)
        c[3].metric(ctx.t("process_mismatched"), tr.mismatched,
                    help=ctx.t("process_mismatched_help"), border=True)
        event = st.plotly_chart(
            figure(pc.transfer_bars, tr.distribution, ctx.lang, q.TRANSFERS_CAP,
                   q.REPEATED_TRANSFERS, ctx.t("process_transfers_chart")),
            key="process_transfers_chart", on_select="rerun", selection_mode="points")
        choice = st.segmented_control(
            ctx.t("process_transfer_list"), ("repeated", "mismatch"), key="process_transfer_list",
            default="repeated", format_func=lambda c: ctx.t(f"process_list_{c}",
                                                             n=q.REPEATED_TRANSFERS)) \
            or "repeated"
        point = first_point(event)
        if point is not None:
            n = int(point.get("customdata"))
            drill = q.ProcessDrill(transfers_min=n,
                                   transfers_max=None if n >= q.TRANSFERS_CAP else n)
            what = ctx.t("process_drill_transfers", n=point.get("x"))
        elif choice == "mismatch":
            drill, what = q.ProcessDrill(transfer_mismatch=True), ctx.t("process_list_mismatch")
        else:
            drill = q.ProcessDrill(transfers_min=q.REPEATED_TRANSFERS)
            what = ctx.t("process_list_repeated", n=q.REPEATED_TRANSFERS)
        process_list(drill, ("customer_name", "reported_at", "engineer_name", "team",
                             "transfers", "transfer_events", "device", "arrival_status",
                             "resolved_at"), key="process_transfer_tickets", what=what)

# ── 保修与报价 ───────────────────────────────────────────────────────────────────────
with tabs[2]:
    wq = query(q.warranty_quotes, ctx.scope, f)
    if int(wq.warranty["tickets"].sum()) == 0:
        st.info(ctx.t("empty"))
    else:
        shown = [r for r in wq.warranty.itertuples() if r.warranty != "unknown" or r.tickets]
        c = st.columns(4)
        for col, row in zip(c, shown, strict=False):
            col.metric(pc.value_label("warranty", row.warranty, ctx.lang), int(row.tickets),
                       help=ctx.t("process_share", share=pct(row.share)), border=True)
        c[len(shown)].metric(ctx.t("process_acceptance"),
                    pct(wq.acceptance),
                    help=ctx.t("process_acceptance_help"), border=True)
        left, right = st.columns(2)
        by_month = query(q.warranty_by_month, ctx.scope, trend)
        w_event = left.plotly_chart(
            figure(pc.warranty_bars, by_month, ctx.lang, ctx.t("process_warranty_chart")),
            key="process_warranty_chart", on_select="rerun", selection_mode="points")
        q_event = right.plotly_chart(
            figure(pc.quote_bars, wq.quotes, ctx.lang, ctx.t("process_quotes_chart")),
            key="process_quotes_chart", on_select="rerun", selection_mode="points")
        picked = last_pick("warranty", {"warranty": first_point(w_event),
                                        "quote": first_point(q_event)})
        columns = ("customer_name", "reported_at", "device", "warranty", "quote_status",
                   "engineer_name", "part_requested_at", "resolved_at")
        if picked is not None and picked[0] == "warranty":
            value, month = picked[1].get("customdata"), str(picked[1].get("x"))
            process_list(q.ProcessDrill(month=month, warranty=value), columns,
                         key="process_warranty_tickets", filters=trend,
                         what=f"{month} · {pc.value_label('warranty', value, ctx.lang)}")
        else:
            status = picked[1].get("customdata") if picked is not None else "pending"
            process_list(q.ProcessDrill(warranty="out", quote_status=status), columns,
                         key="process_warranty_tickets",
                         what=" · ".join((pc.value_label("warranty", "out", ctx.lang),
                                          pc.value_label("quote", status, ctx.lang))))

# ── 备件 ─────────────────────────────────────────────────────────────────────────────
with tabs[3]:
    lead = query(q.part_lead_time, ctx.scope, f)
    if lead.requested == 0:
        st.info(ctx.t("process_no_parts"))
    else:
        c = st.columns(4)
        c[0].metric(ctx.t("process_parts_requested"), lead.requested, border=True)
        c[1].metric(ctx.t("process_parts_waiting"), lead.waiting, border=True,
                    help=ctx.t("process_parts_waiting_help"))
        for col, key, value in ((c[2], "process_median_hours", lead.median_hours),
                                (c[3], "process_p90_hours", lead.p90_hours)):
            col.metric(ctx.t(key), "—" if value is None else f"{value:.1f} h", border=True,
                       help=why_empty(value, ctx.t("empty_parts_hours")) or None)
        if lead.inconsistent:
            st.warning(ctx.t("process_parts_inconsistent", n=lead.inconsistent))
    trend_lead = query(q.part_lead_time, ctx.scope, trend)
    month = None
    if not trend_lead.by_month.empty:
        event = st.plotly_chart(
            figure(pc.lead_time_lines, trend_lead.by_month, ctx.lang, ctx.t("process_parts_chart")),
            key="process_parts_chart", on_select="rerun", selection_mode="points")
        point = first_point(event)
        month = str(point.get("x")) if point is not None else None
        st.caption(ctx.t("process_parts_hint"))
    if lead.requested or month:
        process_list(q.ProcessDrill(parts=True, month=month),
                     ("customer_name", "month", "device", "engineer_name", "part_requested_at",
                      "part_received_at", "part_lead_hours", "warranty"),
                     key="process_parts_tickets", filters=trend if month else f,
                     what=" · ".join(v for v in (ctx.t("process_slowest"), month) if v))

# ── 工程师 ───────────────────────────────────────────────────────────────────────────
with tabs[4]:
    work = query(q.engineer_workload, ctx.scope, f)
    if work.empty:
        st.info(ctx.t("empty"))
    else:
        view = work.assign(engineer_name=work["engineer_name"].fillna(ctx.t("process_unassigned")))
        shown = ("engineer_name", "team", "tickets", "open_tickets", "onsite", "arrivals",
                 "arrival_compliance", "arrival_breached", "arrival_no_record",
                 "median_handling_minutes")
        view = view[list(shown)].rename(columns={c: label(c) for c in shown})
        event = show_table(
            ctx, view, "engineers", "process_engineer_table",
            sheet=ctx.t("process_tab_engineers"), hide_index=True, on_select="rerun",
            selection_mode="single-row", width="stretch",
            column_config={label("arrival_compliance"): st.column_config.NumberColumn(
                               format="percent"),
                           label("median_handling_minutes"): st.column_config.NumberColumn(
                               format="%.0f")})
        st.caption(ctx.t("process_engineer_hint") + " " + ctx.t("rate_rule"))
        rows = event.selection.rows if event is not None else []
        engineer = work["engineer_id"].iloc[rows[0]] if rows else None
        if isinstance(engineer, str):
            # The engineer's name comes from the engineers file: plain text, never Markdown.
            st.text(ctx.t("drill_filter", what=view[label("engineer_name")].iloc[rows[0]]))
            ticket_drilldown(ctx, Drill(engineer=engineer), key="process_engineer_tickets")

# ── 重大节假日值班 ───────────────────────────────────────────────────────────────────
with tabs[5]:
    duty = query(q.holiday_duty, ctx.scope, f)
    metric = st.segmented_control(ctx.t("process_holiday_metric"), q.HOLIDAY_METRICS,
                                  key="process_holiday_metric", default="arrival",
                                  format_func=lambda m: ctx.t(f"metric_{m}")) or "arrival"
    comp = query(q.holiday_compliance, ctx.scope, f, metric).set_index("grp")
    c = st.columns(4)
    c[0].metric(ctx.t("process_holiday_days"), len(duty), border=True)
    c[1].metric(ctx.t("process_holiday_gaps"), int(duty["gap"].notna().sum()), border=True,
                help=ctx.t("process_holiday_gaps_help"))
    for col, grp in ((c[2], "holiday"), (c[3], "other")):
        rate = comp["compliance"].get(grp) if grp in comp.index else None
        col.metric(ctx.t(f"process_compliance_{grp}"),
                   pct(rate),
                   help=why_empty(rate, ctx.t("empty_rate"), ctx.t(
                       "process_holiday_tickets", metric=ctx.t(f"metric_{metric}"),
                       n=int(comp["tickets"].get(grp, 0)) if grp in comp.index else 0)),
                   border=True)

    st.subheader(ctx.t("process_duty_title"))
    duty_event = None
    if duty.empty:
        st.info(ctx.t("process_no_holidays"))
    else:
        table = duty.assign(holiday=duty["holiday"].map(holiday_name),
                            gap=duty["gap"].map(lambda g: ctx.t(f"process_gap_{g}")
                                                if isinstance(g, str) else ""))
        table[["engineers", "phones", "note"]] = table[["engineers", "phones", "note"]] \
            .fillna("—")
        shown = ("date", "holiday", "gap", "engineers", "phones", "note", "tickets",
                 "arrival_breached")
        table = table[list(shown)].rename(columns={c: label(c) for c in shown})
        # A gap in the duty roster is a broken promise: its words in the breached colour.
        gaps = {ctx.t(f"process_gap_{g}"): charts.STATUS_COLORS["breached"]
                for g in ("no_duty", "no_phone")}
        duty_event = show_table(ctx, table, "holiday_duty", "process_duty_table",
                                sheet=ctx.t("process_duty_title"), hide_index=True,
                                chips={label("gap"): gaps},
                                on_select="rerun", selection_mode="single-row",
                                width="stretch",
                                column_config={label("date"): st.column_config.DateColumn(
                                    format="YYYY-MM-DD")})
        st.caption(ctx.t("process_duty_hint"))

    st.subheader(ctx.t("process_holiday_compliance_title"))
    comp_event = None
    if comp.empty:
        st.info(ctx.t("empty"))
    else:
        bars = comp.reset_index().assign(
            label=lambda d: d["grp"].map(lambda g: ctx.t(f"process_grp_{g}")))
        fig = figure(pc.status_share_bars, bars, "label", ctx.lang)
        comp_event = st.plotly_chart(fig, key="process_holiday_chart", on_select="rerun",
                                     selection_mode="points")
        st.caption(ctx.t("rate_rule") + " " + ctx.t("drill_hint"))

    day_rows = duty_event.selection.rows if duty_event is not None else []
    picked = last_pick("holiday", {
        "day": str(duty["date"].iloc[day_rows[0]])[:10] if day_rows else None,
        "chart": first_point(comp_event)})
    if picked is not None and picked[0] == "day":
        process_list(q.ProcessDrill(day=picked[1]),
                     ("customer_name", "reported_at", "holiday", "service_mode",
                      "engineer_name", "arrival_status", "resolved_at"),
                     key="process_holiday_day_tickets", what=picked[1])
    else:
        point = picked[1] if picked is not None else {}
        grp_labels = {ctx.t(f"process_grp_{g}"): g for g in ("holiday", "other")}
        grp = grp_labels.get(point.get("y"), "holiday")
        drill = Drill(metric=metric, status=point.get("customdata") or "breached",
                      holiday=grp == "holiday")
        st.caption(ctx.t("drill_filter", what=" · ".join((
            ctx.t(f"process_grp_{grp}"), ctx.t(f"metric_{metric}"),
            ctx.t(f"status_{drill.status}")))))
        ticket_drilldown(ctx, drill, key="process_holiday_tickets")
