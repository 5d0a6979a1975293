"""总览 — headline compliance of the last full month against the month before."""

import pandas as pd
import streamlit as st

from service_quality.messages import t
from service_quality.queries import Scope, last_full_months
from ui.data import load_info, query

lang = "zh"
scope = Scope.everyone()
info = load_info()
as_of = pd.Timestamp(info["as_of"])
month, previous = last_full_months(as_of, 2)

st.title(t("app_title", lang))
st.caption(t("overview_caption", lang, month=month, previous=previous,
             as_of=f"{as_of:%Y-%m-%d %H:%M}"))
for warning in info["calendar_warnings"]:
    st.warning(t("calendar_warning", lang, text=warning))

now = query("compliance", scope, month).set_index("metric")
before = query("compliance", scope, previous).set_index("metric")
st.metric(t("tickets_in_month", lang), query("ticket_count", scope, month),
          query("ticket_count", scope, month) - query("ticket_count", scope, previous),
          delta_color="off")

cols = st.columns(4)
for i, metric in enumerate(now.index):
    row, old = now.loc[metric], before.loc[metric]
    rate, old_rate = row["compliance"], old["compliance"]
    delta = None if pd.isna(rate) or pd.isna(old_rate) else f"{(rate - old_rate) * 100:+.1f} pp"
    cols[i % 4].metric(
        t(f"metric_{metric}", lang),
        "—" if pd.isna(rate) else f"{rate:.1%}",
        delta,
        help=t("counts_help", lang, **{k: int(row[k]) for k in
                                        ("met", "breached", "no_record", "pending")}),
        border=True,
    )
st.caption(t("rate_rule", lang))
