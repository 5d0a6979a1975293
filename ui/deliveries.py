"""The Data page's delivery log: every report mail and digest that went out (or did not)."""

from __future__ import annotations

import streamlit as st

from service_quality.columns import in_words
from service_quality.database import db_path
from service_quality.delivery.log import (
    RESULT_COLORS,
    DeliveryLog,
    deliveries_path,
    display_rows,
    latest_failures,
)

from .columns import column_label
from .export import show_table
from .frame import Context

LIMIT = 500
# The log's columns named as the catalogue knows them (a delivery's result is not an action's).
RENAMED = {"kind": "delivery_kind", "channel": "delivery_channel", "result": "delivery_result"}


def render(ctx: Context) -> None:
    """The deliveries tab: the latest attempts, newest first, failures of the last run on top."""
    if ctx.scope.customers is not None:
        st.info(ctx.t("data_supervisor_only"))
        return
    path = deliveries_path(db_path())
    st.caption(ctx.t("data_deliveries_caption", path=path.name))
    # Read on every run, not cached: the log changes without a new load of the database.
    frame = DeliveryLog(path).recent(LIMIT)
    if frame.empty:
        st.info(ctx.t("data_deliveries_none"))
        return
    failed = latest_failures(frame)
    if not failed.empty:
        what = ", ".join(f"{c or ctx.t('delivery_kind_digest')} {p}"
                         for c, p in zip(failed["customer_id"], failed["period"], strict=True))
        st.warning(ctx.t("data_deliveries_failed", n=len(failed), what=what))
    st.caption(ctx.t("data_deliveries_showing", matching=int(frame["matching"].iloc[0]),
                     shown=len(frame)))
    view = in_words(display_rows(frame).rename(columns=RENAMED), ctx.lang)
    labels = {c: column_label(ctx, c) for c in view.columns}
    colors = {ctx.t(f"delivery_result_{r}"): color for r, color in RESULT_COLORS.items()}
    moment = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")
    show_table(ctx, view.rename(columns=labels), "deliveries", "data_deliveries_table",
               sheet=ctx.t("data_tab_deliveries"), chips={labels["delivery_result"]: colors},
               hide_index=True, width="stretch",
               column_config={labels["attempted_at"]: moment, labels["sent_at"]: moment,
                              labels["error"]: st.column_config.TextColumn(width="large")})
