"""改进措施 — the status funnel, overdue actions, on-time completion by department and source,
and whether the customer was told about each finished action."""

import streamlit as st

from service_quality.charts.actions import status_funnel
from service_quality.queries.actions import (
    STATUSES,
    ActionDrill,
    action_drill_for,
    action_funnel,
    action_list,
    actions_by,
)
from ui.actions import GROUPS, action_table, drill_words, group_section, overdue_section
from ui.data import figure, query
from ui.drill import drill_caption, latest_click, showing
from ui.frame import context
from ui.metrics import Card, metric_row, rate_card

NOT_NOTIFIED_COLUMNS = ("action_id", "customer_name", "owner_dept", "owner", "status",
                        "completed_at", "verified_at", "source_type", "source_id", "measure",
                        "result")
LIST_COLUMNS = ("action_id", "customer_name", "source_type", "source_id", "problem_category",
                "measure", "owner_dept", "owner", "status", "created_at", "due_date",
                "days_overdue", "completion", "completed_at", "verified_at",
                "customer_notified_at", "result")

ctx = context(__file__)
st.title(ctx.t("page_actions"))
st.caption(ctx.t("act_filters_note"))

total = query(actions_by, ctx.scope, ctx.filters, "all").set_index("grp").loc["all"]
if total["actions"] == 0:
    st.info(ctx.t("empty"))
    # Nothing was created in the period, but older actions may still be overdue.
    overdue_section(ctx)
    st.stop()
notified_help = ctx.t("act_notified_help", finished=int(total["finished"]),
                      notified=int(total["notified"]))
metric_row([
    Card(ctx.t("act_created"), int(total["actions"])),
    Card(ctx.t("act_overdue_now"), int(total["overdue"]), ctx.t("act_overdue_help")),
    rate_card(ctx, ctx.t("act_on_time_rate"), total["on_time_rate"], ctx.t(
        "act_on_time_help", **{k: int(total[k]) for k in ("on_time", "late", "open", "cancelled")}),
        reason="empty_on_time"),
    rate_card(ctx, ctx.t("act_notified_rate"), total["notified_rate"], notified_help,
              reason="empty_notified"),
])
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
shown = {group: group_section(ctx, group) for group in GROUPS}
st.caption(ctx.t("act_chart_note"))

# --- was the customer told? -------------------------------------------------------------------
st.subheader(ctx.t("act_notified"))
st.caption(notified_help)
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
group, point = latest_click("act", shown)
drill = action_drill_for(group, (point or {}).get("customdata"), status)
drill_caption(ctx, *drill_words(ctx, drill), default=ctx.t("act_list_all"))
actions = query(action_list, ctx.scope, ctx.filters, drill)
if actions.empty:
    st.info(ctx.t("empty"))
else:
    showing(ctx, actions, "act_list_showing")
    action_table(ctx, actions, LIST_COLUMNS, key="act_list", name="list", sheet=ctx.t("act_list"))
