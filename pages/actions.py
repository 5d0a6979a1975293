"""改进措施 — the status funnel, overdue actions, on-time completion by department and source,
and whether the customer was told about each finished action."""


from functools import partial

import pandas as pd
import streamlit as st

from service_quality.charts.actions import (
    ACTION_STATUS_COLORS,
    COMPLETION_COLORS,
    completion_bars,
    status_funnel,
)
from service_quality.messages import has
from service_quality.queries.actions import (
    STATUSES,
    ActionDrill,
    action_funnel,
    action_list,
    actions_by,
)
from ui.columns import column_label
from ui.data import figure, query
from ui.drill import latest_click, words
from ui.export import show_table
from ui.frame import Context, context
from ui.text import md_escape, pct, why_empty

OVERDUE_COLUMNS = ("action_id", "owner_dept", "owner", "due_date", "days_overdue", "status",
                   "customer_name", "source_type", "source_id", "problem_category", "measure")
NOT_NOTIFIED_COLUMNS = ("action_id", "customer_name", "owner_dept", "owner", "status",
                        "completed_at", "verified_at", "source_type", "source_id", "measure",
                        "result")
LIST_COLUMNS = ("action_id", "customer_name", "source_type", "source_id", "problem_category",
                "measure", "owner_dept", "owner", "status", "created_at", "due_date",
                "days_overdue", "completion", "completed_at", "verified_at",
                "customer_notified_at", "result")
GROUP_COLUMNS = ("grp", "actions", "on_time", "late", "open", "overdue", "on_time_rate",
                 "finished", "notified", "notified_rate")
# The rates' headings are their metric cards' words.
col = partial(column_label, prefix="act_",
              keys={"on_time_rate": "act_on_time_rate", "notified_rate": "act_notified_rate"})



def source_label(ctx: Context, source: str) -> str:
    """A source type in words."""
    return ctx.t(f"act_source_{source}") if has(f"act_source_{source}") else source


def dept_label(ctx: Context, dept: str) -> str:
    """An owner department as shown ('' = not given)."""
    return dept or ctx.t("act_no_dept")


def action_table(ctx: Context, frame: pd.DataFrame, columns, key: str, name: str,
                 sheet: str) -> None:
    """Actions as a table, status and completion in their colours; measures and results are the
    tracker's text, so they are only ever shown as table cells."""
    view = frame[list(columns)]
    chips = {}
    for column, prefix, palette in (("status", "act_status_", ACTION_STATUS_COLORS),
                                    ("completion", "act_completion_", COMPLETION_COLORS)):
        if column in view:
            named = {s: ctx.t(f"{prefix}{s}") for s in view[column].dropna().unique()}
            view[column] = words(view[column], named)
            chips[col(ctx, column)] = {ctx.t(f"{prefix}{s}"): c for s, c in palette.items()}
    if "source_type" in view:
        view["source_type"] = words(view["source_type"], {
            s: source_label(ctx, s) for s in view["source_type"].dropna().unique()
            if isinstance(s, str)})
    view = view.rename(columns={c: col(ctx, c) for c in columns})
    dates = {col(ctx, "due_date"): st.column_config.DateColumn(format="YYYY-MM-DD")}
    overdue = [col(ctx, "days_overdue")] if "days_overdue" in columns else []
    show_table(ctx, view, name, key, sheet=sheet, flag_positive=overdue, hide_index=True,
               chips=chips,
               width="stretch", column_config=dates)


def group_table(ctx: Context, frame: pd.DataFrame, labels: list[str], group: str,
                key: str, sheet: str) -> None:
    """Counts and rates per group, rates as percentages."""
    view = frame[list(GROUP_COLUMNS)].assign(grp=labels)
    names = {c: col(ctx, group if c == "grp" else c) for c in GROUP_COLUMNS}
    show_table(ctx, view, f"by_{group}", key, labels=names, sheet=sheet,
               hide_index=True, width="stretch",
               column_config={col(ctx, c): st.column_config.NumberColumn(format="percent")
                              for c in ("on_time_rate", "notified_rate")})


def overdue_section(ctx: Context) -> None:
    """Overdue actions, most overdue first; by default whenever they were created."""
    st.subheader(ctx.t("act_overdue"))
    only_period = st.checkbox(ctx.t("act_overdue_period"), key="act_overdue_period")
    st.caption(ctx.t("act_overdue_note"))
    overdue = query(action_list, ctx.scope, ctx.filters, ActionDrill(overdue=True),
                    not only_period)
    if overdue.empty:
        st.success(ctx.t("act_none_overdue"))
    else:
        action_table(ctx, overdue, OVERDUE_COLUMNS, key="act_overdue_list", name="overdue",
                     sheet=ctx.t("act_overdue"))


ctx = context(__file__)
st.title(ctx.t("page_actions"))
st.caption(ctx.t("act_filters_note"))

total = query(actions_by, ctx.scope, ctx.filters, "all").set_index("grp").loc["all"]
if total["actions"] == 0:
    st.info(ctx.t("empty"))
    # Nothing was created in the period, but older actions may still be overdue.
    overdue_section(ctx)
    st.stop()
cols = st.columns(4)
cols[0].metric(ctx.t("act_created"), int(total["actions"]), border=True)
cols[1].metric(ctx.t("act_overdue_now"), int(total["overdue"]), border=True,
               help=ctx.t("act_overdue_help"))
cols[2].metric(ctx.t("act_on_time_rate"), pct(total["on_time_rate"]), border=True,
               help=why_empty(total["on_time_rate"], ctx.t("empty_on_time"), ctx.t(
                   "act_on_time_help", **{k: int(total[k]) for k in
                                          ("on_time", "late", "open", "cancelled")})))
cols[3].metric(ctx.t("act_notified_rate"), pct(total["notified_rate"]), border=True,
               help=why_empty(total["notified_rate"], ctx.t("empty_notified"),
                              ctx.t("act_notified_help", finished=int(total["finished"]),
                                    notified=int(total["notified"]))))
st.caption(ctx.t("act_rules", as_of=f"{ctx.as_of:%Y-%m-%d}"))

# --- status funnel, cancelled aside -----------------------------------------------------------
st.subheader(ctx.t("act_funnel"))
funnel = query(action_funnel, ctx.scope, ctx.filters)
left, right = st.columns([3, 1])
left.plotly_chart(figure(status_funnel, funnel, ctx.lang), key="act_funnel_chart")
cancelled = funnel.set_index("status").loc["cancelled", "actions"]
right.metric(ctx.t("act_cancelled"), int(cancelled), border=True)
st.caption(ctx.t("act_funnel_note"))

overdue_section(ctx)

# --- on time by owner department and by source ------------------------------------------------
shown = {}
st.subheader(ctx.t("act_by_dept"))
by_dept = query(actions_by, ctx.scope, ctx.filters, "owner_dept")
labels = [dept_label(ctx, d) for d in by_dept["grp"]]
shown["act_dept_chart"] = st.plotly_chart(
    figure(completion_bars, by_dept, "grp", ctx.lang, labels=labels), key="act_dept_chart",
    selection_mode="points", on_select="rerun")
group_table(ctx, by_dept, labels, "owner_dept", key="act_dept_table",
            sheet=ctx.t("act_by_dept"))

st.subheader(ctx.t("act_by_source"))
by_source = query(actions_by, ctx.scope, ctx.filters, "source_type")
labels = [source_label(ctx, s) for s in by_source["grp"]]
shown["act_source_chart"] = st.plotly_chart(
    figure(completion_bars, by_source, "grp", ctx.lang, labels=labels), key="act_source_chart",
    selection_mode="points", on_select="rerun")
group_table(ctx, by_source, labels, "source_type", key="act_source_table",
            sheet=ctx.t("act_by_source"))
st.caption(ctx.t("act_chart_note"))

# --- was the customer told? -------------------------------------------------------------------
st.subheader(ctx.t("act_notified"))
st.caption(ctx.t("act_notified_help", finished=int(total["finished"]),
                 notified=int(total["notified"])))
untold = query(action_list, ctx.scope, ctx.filters, ActionDrill(not_notified=True))
st.markdown(f"**{ctx.t('act_not_notified_title')}**")
if untold.empty:
    st.success(ctx.t("act_all_notified"))
else:
    action_table(ctx, untold, NOT_NOTIFIED_COLUMNS, key="act_not_notified_list",
                 name="not_notified", sheet=ctx.t("act_not_notified_title"))

# --- the actions behind the clicked number ----------------------------------------------------
st.subheader(ctx.t("act_list"))
status = st.segmented_control(ctx.t("act_list_status"), STATUSES, key="act_list_status",
                              format_func=lambda s: ctx.t(f"act_status_{s}"))
source, point = latest_click("act", shown)
points = [point] if point else []
drill = ActionDrill(status=status)
if points:
    data = points[0].get("customdata")
    if isinstance(data, list | tuple) and len(data) == 2:
        value, completion = str(data[0]), str(data[1])
        if source == "act_dept_chart":
            drill = ActionDrill(status=status, owner_dept=value, completion=completion)
        elif source == "act_source_chart":
            drill = ActionDrill(status=status, source_type=value, completion=completion)
what = [ctx.t(f"act_status_{drill.status}") if drill.status else "",
        dept_label(ctx, drill.owner_dept) if drill.owner_dept is not None else "",
        source_label(ctx, drill.source_type) if drill.source_type else "",
        ctx.t(f"act_completion_{drill.completion}") if drill.completion else ""]
what = [w for w in what if w]
st.caption(ctx.t("drill_filter", what=md_escape(" · ".join(what)) if what
                 else ctx.t("act_list_all")))
actions = query(action_list, ctx.scope, ctx.filters, drill)
if actions.empty:
    st.info(ctx.t("empty"))
else:
    st.caption(ctx.t("act_list_showing", matching=int(actions["matching"].iloc[0]),
                     shown=len(actions)))
    action_table(ctx, actions, LIST_COLUMNS, key="act_list", name="list", sheet=ctx.t("act_list"))
