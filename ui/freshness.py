"""How fresh the data is, as cards: the moment it was judged at, the last load, the newest
ticket and its age."""

from __future__ import annotations

import streamlit as st

from service_quality.queries.data import Freshness

from .frame import Context


def moment(value) -> str:
    """A timestamp to the minute, or a dash."""
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M}"


def freshness_cards(ctx: Context, fresh: Freshness) -> None:
    """The data's as-of moment, the last finished load, and the newest ticket with its age."""
    age = fresh.newest_ticket_age_hours
    c = st.columns(3)
    c[0].metric(ctx.t("data_as_of"), moment(fresh.as_of),
                help=ctx.t("data_as_of_help", source=fresh.as_of_source), border=True)
    c[1].metric(ctx.t("data_last_load"), moment(fresh.last_finished),
                help=ctx.t("data_last_load_help", loaded_at=moment(fresh.loaded_at)), border=True)
    c[2].metric(ctx.t("data_newest_ticket"), moment(fresh.newest_ticket),
                None if age is None else ctx.t("data_newest_age", age=ctx.t(
                    "data_age_hours", n=age) if age < 48 else ctx.t("data_age_days", n=age / 24)),
                delta_color="off", delta_arrow="off",
                help=ctx.t("data_newest_age_help", tickets=fresh.tickets), border=True)
