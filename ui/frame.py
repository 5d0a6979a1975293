"""What every page starts from: language, the caller's scope, the shared filters (in the URL)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from service_quality.accounts import LOCAL_SUPERVISOR, User
from service_quality.filters import (
    LIST_FIELDS,
    SERVICE_MODES,
    SEVERITIES,
    Filters,
    default_filters,
    months_between,
)
from service_quality.messages import LANGUAGES, t
from service_quality.queries import Scope
from service_quality.queries.common import filter_options
from service_quality.queries.terms import terms_in_force
from service_quality.terms import TermsInForce

from .auth import current_user, require_page
from .data import load_info, query
from .text import md_escape

_CONTEXT = "_frame_context"
_FROM_ENTRYPOINT = "_frame_from_entrypoint"


@dataclass(frozen=True)
class Context:
    """One run's language, scope, filters and load facts."""

    lang: str
    scope: Scope
    filters: Filters
    as_of: pd.Timestamp
    info: dict
    user: User = LOCAL_SUPERVISOR
    # The agreement's terms of the customers shown (scope and customer filter), as judged.
    terms: TermsInForce | None = None
    # The running page's stem (pages/sla.py → "sla"): names its downloads.
    page: str | None = None

    def t(self, key: str, **values) -> str:
        """A label in this run's language, stating the shown customers' terms where it does."""
        return t(key, self.lang, terms=self.terms, **values)


def terms_caption(ctx: Context, *keys: str) -> None:
    """Say, under a view of several customers, which of the terms `keys` differ and how.

    A label then names the promise without a number (its `_varies` twin): one number would be
    wrong for some of the customers shown.
    """
    note = ctx.terms.note(keys, ctx.lang) if ctx.terms is not None else None
    if note:
        # Customer names come from the data: shown escaped, never as Markdown.
        st.caption(md_escape(note))


_KEPT = "_frame_kept"


def _init_from_url(key: str, value) -> None:
    # A widget takes its first value from the URL, so a bookmarked view opens as it was sent;
    # after that the user's choices rule and the URL follows them. Streamlit resets widget state
    # when the page changes, so every choice is also kept under a plain key (updated by the
    # widget's on_change) and put back before the widget is drawn.
    kept = st.session_state.setdefault(_KEPT, {})
    kept.setdefault(key, value)
    st.session_state[key] = kept[key]


def _remember(key: str) -> None:
    st.session_state[_KEPT][key] = st.session_state[key]


def _kept(key: str) -> dict:
    """Widget arguments that keep the widget's value across pages."""
    return {"key": key, "on_change": _remember, "args": (key,)}


def render_frame(user: User, entrypoint: bool = False) -> Context:
    """Draw the language switch and the filter sidebar for USER; mirror them in the URL.

    dashboard.py calls it with entrypoint=True before the page runs, so the widgets live in the
    entrypoint and keep their state from page to page; a page run alone draws its own. Every
    option and every query is within the user's scope; a customer has no customer filter.
    """
    url = st.query_params.to_dict()
    _init_from_url("lang", url.get("lang") if url.get("lang") in LANGUAGES else "zh")
    info = load_info()
    as_of = pd.Timestamp(info["as_of"])
    scope = user.scope()
    customer_user = scope.customers is not None
    options = query(filter_options, scope)
    wanted = Filters.from_query(url, default_filters(as_of))
    months = months_between(options.first_month, max(options.last_month, wanted.end)) \
        if options.first_month else [wanted.start, wanted.end]
    months = sorted(set(months) | {wanted.start, wanted.end})
    _init_from_url("f_from", wanted.start)
    _init_from_url("f_to", wanted.end)
    _init_from_url("f_customers", [c for c in wanted.customers if c in options.customers])
    _init_from_url("f_severities", [s for s in wanted.severities if s in SEVERITIES])
    _init_from_url("f_service_modes", [m for m in wanted.service_modes if m in SERVICE_MODES])
    _init_from_url("f_teams", [m for m in wanted.teams if m in options.teams])

    with st.sidebar:
        lang = st.segmented_control(
            t("language", st.session_state["lang"]), LANGUAGES, **_kept("lang"),
            format_func=lambda x: {"zh": "中文", "en": "English"}[x]) or "zh"
    # A customer's only page, its report, has its own period and customer: filters in the
    # sidebar would do nothing there, so a customer gets none.
    filters = Filters(wanted.start, wanted.end) if customer_user else \
        _filter_sidebar(options, months, lang)
    target = {**({} if customer_user else filters.to_query()),
              **({"lang": lang} if lang != "zh" else {})}
    keep = {k: v for k, v in url.items() if k not in (*LIST_FIELDS, "from", "to", "lang")}
    if {**keep, **target} != url:
        st.query_params.from_dict({**keep, **target})
    ctx = Context(lang, scope, filters, as_of, info, user, query(terms_in_force, scope, filters))
    if entrypoint:
        st.session_state[_CONTEXT] = ctx
        st.session_state[_FROM_ENTRYPOINT] = True
    return ctx


def _filter_sidebar(options, months: list[str], lang: str) -> Filters:
    """The shared filters in the sidebar (supervisors and managers): period and narrowing."""
    with st.sidebar:
        st.subheader(t("filters", lang))
        c1, c2 = st.columns(2)
        start = c1.selectbox(t("period_from", lang), months, **_kept("f_from"))
        end = c2.selectbox(t("period_to", lang), months, **_kept("f_to"))
        if start > end:
            start, end = end, start
        customers = st.multiselect(
            t("customers", lang), list(options.customers), **_kept("f_customers"),
            format_func=lambda c: options.customers.get(c, c), placeholder=t("all", lang))
        severities = st.multiselect(t("severities", lang), SEVERITIES, **_kept("f_severities"),
                                    format_func=lambda s: t(f"severity_{s}", lang),
                                    placeholder=t("all", lang))
        modes = st.multiselect(t("service_modes", lang), SERVICE_MODES, **_kept("f_service_modes"),
                               format_func=lambda m: t(f"mode_{m}", lang),
                               placeholder=t("all", lang))
        teams = st.multiselect(t("teams", lang), list(options.teams), **_kept("f_teams"),
                               placeholder=t("all", lang))
    return Filters(start, end, tuple(customers), tuple(severities), tuple(modes), tuple(teams))


def context(page_file: str | None = None) -> Context:
    """This run's context for the page in PAGE_FILE (its `__file__`): dashboard.py's, or drawn.

    Either way the page is checked against the user's role: a page that is not in the user's
    navigation (a customer typing /sla) is refused here too. Pages name themselves: no stack
    inspection (a page without a name is a supervisor's).
    """
    page = Path(page_file).stem if page_file else None
    # Taken, not read: only a page that dashboard.py runs in this very run uses its context; a
    # page run on its own (as AppTest's legacy pages/ mode may) checks the user itself.
    if st.session_state.pop(_FROM_ENTRYPOINT, False):
        ctx = st.session_state[_CONTEXT]
        require_page(ctx.user, page)
        return replace(ctx, page=page)
    user = current_user()
    require_page(user, page)
    return replace(render_frame(user), page=page)
