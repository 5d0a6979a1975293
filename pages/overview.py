"""总览 — KPI cards for the selected period against the previous one."""

import pandas as pd
import streamlit as st

from service_quality.queries.overview import compliance, ticket_volume
from ui.data import query
from ui.frame import context

ctx = context()
f, prev = ctx.filters, ctx.filters.previous()

st.title(ctx.t("app_title"))
st.caption(ctx.t("period_caption", start=f.start, end=f.end, prev_start=prev.start,
                 prev_end=prev.end, as_of=f"{ctx.as_of:%Y-%m-%d %H:%M}"))
for warning in ctx.info["calendar_warnings"]:
    st.warning(ctx.t("calendar_warning", text=warning))

volume = query(ticket_volume, ctx.scope, f)
if volume == 0:
    st.info(ctx.t("empty"))
    st.stop()
st.metric(ctx.t("tickets_in_period"), volume, volume - query(ticket_volume, ctx.scope, prev),
          delta_color="off")

now = query(compliance, ctx.scope, f).set_index("metric")
before = query(compliance, ctx.scope, prev).set_index("metric")
cols = st.columns(4)
for i, metric in enumerate(now.index):
    row, old = now.loc[metric], before.loc[metric]
    rate, old_rate = row["compliance"], old["compliance"]
    delta = None if pd.isna(rate) or pd.isna(old_rate) else f"{(rate - old_rate) * 100:+.1f} pp"
    cols[i % 4].metric(
        ctx.t(f"metric_{metric}"),
        "—" if pd.isna(rate) else f"{rate:.1%}",
        delta,
        help=ctx.t("counts_help", **{k: int(row[k]) for k in
                                      ("met", "breached", "no_record", "pending")}),
        border=True,
    )
st.caption(ctx.t("rate_rule"))
