"""Who is using the app: sign-in, sign-out, idle expiry, local mode, and the pages a role opens."""

from __future__ import annotations

import functools
import json
import logging
import math
import time
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from streamlit import config

from service_quality import accounts, pages
from service_quality.accounts import (
    IDLE_LIMIT_SECONDS,
    LOCAL_SUPERVISOR,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_BYTES,
    Lockout,
    User,
    UserStore,
    audit,
)
from service_quality.messages import LANGUAGES, t
from service_quality.queries import Scope
from service_quality.sessions import COOKIE_NAME, SessionStore

from . import session_routes
from .text import md_escape

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# The clock every timing rule reads; tests replace it (monkeypatch ui.auth.clock).
clock = time.time
# Every session's and every server process's tries count towards the same name: the counters
# live in a file beside the users file (accounts.lockout_path), under a lock.
lockout = Lockout(clock=lambda: clock())

_USER = "_auth_user"
_SEEN = "_auth_seen"
_NOTICE = "_auth_notice"
_SID = "_auth_sid"            # the persistent session this tab is signed in with
_HANDOFF = "_auth_handoff"    # its one-time code, until the page has traded it for the cookie
_FORGET = "_auth_forget"      # the session whose cookie the browser is to drop (sign-out)
_TOUCHED = "_auth_touched"    # when the session's last use was last written down
# Write a session's last use at most this often (the idle limit is hours).
TOUCH_SECONDS = 60
_log = logging.getLogger(__name__)


def _lang() -> str:
    # Before the frame draws the language switch, the URL says which language the link was sent in.
    chosen = st.session_state.get("lang") or st.query_params.get("lang")
    return chosen if chosen in LANGUAGES else "zh"


def all_pages() -> set[str]:
    """Every page's stem (pages/sla.py → "sla"), from the page registry."""
    return set(pages.stems())


def allowed_pages(user: User) -> set[str]:
    """The page stems USER's role may open (each page's roles are in the registry)."""
    return pages.allowed(user.role)


def may_open(user: User, stem: str | None) -> bool:
    """Whether USER may open page STEM (None: a script outside pages/, supervisors only)."""
    if stem is None:
        return user.role == "supervisor"
    return stem in allowed_pages(user)


def require_page(user: User, stem: str | None) -> None:
    """Refuse (st.error + st.stop) unless USER may open page STEM."""
    if not may_open(user, stem):
        st.error(t("auth_refused", _lang()))
        st.stop()


def scope_label(scope: Scope) -> list[str] | str:
    """The customer ids a scope covers, or "all" (for the audit log)."""
    return "all" if scope.customers is None else list(scope.customers)


def audit_export(user: User, what: str, scope: Scope) -> None:
    """Record that USER built the file WHAT within SCOPE."""
    audit("export", user.username, what=what, scope=scope_label(scope))


def current_user(entrypoint: bool = False) -> User:
    """The signed-in user; draws the sign-in form and stops the run until there is one.

    dashboard.py passes entrypoint=True: until someone is signed in it registers every page's
    address as an empty, hidden page, so no page list is shown and the address typed is kept.
    """
    path = accounts.users_path()
    if path is None:
        return _local_mode(entrypoint)
    try:
        store = UserStore.open(path)
    except ValueError as e:
        # The reason names server paths: it goes to the log, not to whoever opened the page.
        _log.error("%s", e)
        st.error(t("auth_users_file_error", _lang()))
        _stop(entrypoint)
    user = _signed_in(store)
    if user is None:
        user = _resumed(store)
    if user is None:
        user = _sign_in_form(store, entrypoint)
    if user is None:
        if entrypoint:
            _placeholders()
        _forget_cookie()
        st.stop()
    with st.sidebar:
        st.caption(t("auth_signed_in_as", _lang(), user=md_escape(user.username),
                     role=t(f"auth_role_{user.role}", _lang())))
        st.button(t("auth_sign_out", _lang()), key="auth_sign_out", on_click=_sign_out,
                  args=(user.username,), icon=":material/logout:")
        _hand_over_cookie()
    return user


def default_page(user: User) -> str:
    """The page a user lands on: the overview, or the first page the role may open."""
    allowed = allowed_pages(user)
    return "overview" if "overview" in allowed else sorted(allowed)[0]


def _nothing() -> None:
    """An empty page: what every address shows before sign-in (the form is drawn around it)."""


_SIGN_IN_PATH = "sign_in"


def _placeholders() -> None:
    # Without a st.navigation call Streamlit would list the files in pages/ (its legacy mode).
    # Every page's address is registered as an empty hidden page (a page's identity is its
    # address), so the address typed is known and kept through the sign-in.
    pages = {stem: st.Page(_nothing, title=stem, url_path=stem) for stem in sorted(all_pages())}
    pages[_SIGN_IN_PATH] = st.Page(_nothing, title=_SIGN_IN_PATH, url_path=_SIGN_IN_PATH,
                                   default=True)
    st.navigation(list(pages.values()), position="hidden")


def _stop(entrypoint: bool) -> None:
    if entrypoint:
        _placeholders()
    st.stop()


def _local_mode(entrypoint: bool) -> User:
    address = config.get_option("server.address")
    if (address or "").strip().lower() not in LOOPBACK:
        lang = _lang()
        st.error(t("auth_local_exposed", lang, address=address or t("auth_all_interfaces", lang)))
        _stop(entrypoint)
    host = request_host()
    if host is not None and host not in LOOPBACK:
        # A page of another site whose name was made to point here (DNS rebinding) would
        # otherwise drive this supervisor session from the local user's browser.
        _log.warning("local mode: refused a session opened as host %r", host[:100])
        st.error(t("auth_local_host_refused", _lang(), host=md_escape(host[:100])))
        _stop(entrypoint)
    return LOCAL_SUPERVISOR


def request_host() -> str | None:
    """The host name the browser asked for (the Host header of the session's websocket
    handshake, port left out), lower case; None without a request (AppTest, bare mode)."""
    try:
        value = st.context.headers.get("Host")
    except Exception:   # no session context: nothing was asked over the network
        return None
    if not value:
        return None
    try:
        host = urlsplit(f"//{value.strip()}").hostname
    except ValueError:
        host = None
    return (host or value).lower().rstrip(".")


def viewer_role() -> str | None:
    """The role of whoever this run serves: supervisor in local mode, the signed-in user's
    role, or None before sign-in. Reads only; draws nothing."""
    path = accounts.users_path()
    if path is None:
        return LOCAL_SUPERVISOR.role
    name = st.session_state.get(_USER)
    if name is None:
        return None
    try:
        user = UserStore.open(path).get(name)
    except ValueError:
        return None
    return user.role if user is not None else None


def local_banner() -> None:
    """In local mode, say in the sidebar that everyone is a supervisor and how to add users."""
    if accounts.users_path() is None:
        st.sidebar.info(t("auth_local_banner", _lang()), icon=":material/lock_open:")


def _clear_session() -> None:
    # A new sign-in starts clean: nothing the last user chose (filters, selections) survives.
    for key in list(st.session_state):
        del st.session_state[key]


def _sign_out(username: str, reason: str = "button") -> None:
    audit("sign_out", username, reason=reason)
    sid, sessions = st.session_state.get(_SID), _sessions()
    if sid and sessions is not None:
        # Server side first: the cookie stops working wherever it is, copied or not.
        sessions.end(sid)
    _clear_session()
    if sid:
        st.session_state[_FORGET] = sid
    notice = {"button": "auth_signed_out", "idle": "auth_idle",
              "ended": "auth_session_ended"}.get(reason)
    if notice:
        st.session_state[_NOTICE] = notice


# --- the session cookie (service_quality/sessions.py, ui/session_routes.py) ---------------------

def _sessions() -> SessionStore | None:
    """The persistent sessions beside the users file, when dashboard.py serves the cookie routes."""
    path = accounts.users_path()
    if path is None or not session_routes.MOUNTED:
        return None
    return SessionStore(path.parent, clock=lambda: clock())


def _cookie() -> str | None:
    """The session cookie the browser sent when this page was opened (tests replace it)."""
    return st.context.cookies.get(COOKIE_NAME)


def _post(path: str, body: str = "") -> None:
    # The fetch carries the browser's cookies and receives the Set-Cookie answer; the cookie
    # itself is HttpOnly, so no script on the page can read it.
    headers = {"Content-Type": "application/x-www-form-urlencoded", session_routes.HEADER: "1"}
    script = (f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: "
              f"'same-origin', headers: {json.dumps(headers)}, body: {json.dumps(body)}}});"
              "</script>")
    st.html(script, unsafe_allow_javascript=True)


def _hand_over_cookie() -> None:
    """Once after a sign-in: the page trades the one-time code for the session cookie."""
    code = st.session_state.pop(_HANDOFF, None)
    if code:
        _post(session_routes.SIGN_IN_PATH, f"code={code}")


def _forget_cookie() -> None:
    """Before sign-in: have the browser drop the cookie of a session that ended here (signed
    out, or no longer valid when the page was opened); a newer one, from another tab, stays."""
    sid, cookie, sessions = st.session_state.pop(_FORGET, None), _cookie(), _sessions()
    if sessions is None or not (sid or cookie):
        return
    if sid is None:
        sid = sessions.cookie_sid(cookie) or ""
    _post(session_routes.SIGN_OUT_PATH, f"sid={sid}")


def _resumed(store: UserStore) -> User | None:
    """The user of the browser's live session cookie (a reload, a bookmark), else None."""
    sessions, cookie = _sessions(), _cookie()
    if sessions is None or not cookie:
        return None
    found = sessions.resume(cookie, store.password_stamp)
    user = store.get(found[1]) if found else None
    if user is None:
        return None
    st.session_state[_USER] = user.username
    st.session_state[_SEEN] = st.session_state[_TOUCHED] = clock()
    st.session_state[_SID] = found[0]
    audit("session_resumed", user.username, role=user.role)
    return user


def _signed_in(store: UserStore) -> User | None:
    name = st.session_state.get(_USER)
    if name is None:
        return None
    now = clock()
    sid, sessions = st.session_state.get(_SID), _sessions()
    persistent = bool(sid) and sessions is not None
    # A tab-only sign-in counts its own use; a persistent session counts the use of every tab
    # of the browser (the store's last use), judged below.
    if not persistent and now - st.session_state.get(_SEEN, now) > IDLE_LIMIT_SECONDS:
        _sign_out(name, "idle")
        return None
    # The file rules on every run: a removed user is out, a changed role applies at once.
    user = store.get(name)
    if user is None:
        _sign_out(name, "removed")
        return None
    if persistent:
        # Signed out in another tab, idle too long, or the password changed: out here too.
        state = sessions.state(sid, store.password_stamp)
        if state != "live":
            _sign_out(name, state)
            return None
        if now - st.session_state.get(_TOUCHED, 0) > TOUCH_SECONDS:
            sessions.touch(sid)
            st.session_state[_TOUCHED] = now
    st.session_state[_SEEN] = now
    return user


def _minutes_left(name: str) -> int:
    return max(1, math.ceil(lockout.remaining_seconds(name) / 60))


def _too_long(name, password) -> bool:
    # max_chars binds the browser's form only: a hand-made message can carry any length.
    return not isinstance(name, str) or not isinstance(password, str) \
        or len(name) > MAX_NAME_LENGTH or len(password) > MAX_PASSWORD_BYTES \
        or len(password.encode("utf-8")) > MAX_PASSWORD_BYTES


def _check_sign_in(store: UserStore, name: str, password: str) -> User | None:
    """The user when NAME and PASSWORD are right and NAME has a try left; else say why."""
    lang = _lang()
    if _too_long(name, password):
        # Longer than any name or password can be: wrong, without a check or a count.
        accounts.audit_attempt(store, "sign_in_failed", name, lockout.name_hash,
                               reason="too_long")
        st.error(t("auth_wrong", lang))
        return None
    name = name.strip()
    # The try is taken before the (slow) password check, atomically: parallel tries
    # cannot all pass a lock that none of them has counted yet.
    if not lockout.begin(name):
        accounts.audit_attempt(store, "sign_in_failed", name, lockout.name_hash,
                               reason="locked")
        st.error(t("auth_locked", lang, minutes=_minutes_left(name)))
        return None
    user = store.verify(name, password)
    if user is None:
        lockout.failed(name)
        accounts.audit_attempt(store, "sign_in_failed", name, lockout.name_hash,
                               reason="password")
        # One message whether or not the name exists: the form does not reveal who has access.
        st.error(t("auth_wrong", lang))
        return None
    lockout.succeeded(name)
    return user


# The browser's largest scripts of the first pages (the table grid, the metric cards' trend
# lines): loaded lazily, each cost the overview ~0.1-0.2 s after its run ended, the first time a
# browser page drew one. Fetched and run while the form waits for a name and a password.
_PRELOAD = ("DataFrame", "arrowFormatUtils", "embed", "Metric")


@functools.cache
def _preload_html() -> str:
    """A script importing Streamlit's chunks named in _PRELOAD; "" when none is found (another
    Streamlit's file names)."""
    folder = Path(st.__file__).resolve().parent / "static" / "static" / "js"
    names = sorted(p.name for p in folder.glob("*.js") if p.name.split(".")[0] in _PRELOAD)
    if not names:
        return ""
    # File names of the installed Streamlit, resolved against its own main script's address
    # (whatever path the app is served under); a failed import only means a later load.
    return ("<script>(() => { const main = document.querySelector("
            "'script[type=\"module\"][src*=\"/static/js/index.\"]'); if (!main) return; "
            f"for (const n of {json.dumps(names)}) "
            "import(new URL(n, main.src).href).catch(() => {}); })();</script>")


def _preload_scripts() -> None:
    """Have the browser load the first pages' largest scripts while the form is filled in."""
    html = _preload_html()
    if html:
        st.html(html, unsafe_allow_javascript=True)


def _sign_in_form(store: UserStore, entrypoint: bool) -> User | None:
    """The form; the user once signed in through it. dashboard.py's run (ENTRYPOINT) then goes
    on to draw the page the address names, the form cleared; any other caller's run starts
    again."""
    lang = _lang()
    notice = st.session_state.pop(_NOTICE, None)
    holder = st.empty()
    with holder.container():
        _, middle, _ = st.columns([1, 1.6, 1])
    with middle:
        st.title(t("auth_title", lang))
        if notice:
            st.info(t(notice, lang, hours=IDLE_LIMIT_SECONDS // 3600))
        with st.form("auth_form", clear_on_submit=True):
            name = st.text_input(t("auth_username", lang), key="auth_username",
                                 autocomplete="username", max_chars=MAX_NAME_LENGTH)
            password = st.text_input(t("auth_password", lang), key="auth_password",
                                     type="password", autocomplete="current-password",
                                     max_chars=MAX_PASSWORD_BYTES)
            submitted = st.form_submit_button(t("auth_sign_in", lang), type="primary",
                                              key="auth_submit")
        if not submitted:
            _preload_scripts()
            return None
        user = _check_sign_in(store, name, password)
        if user is None:
            return None
    audit("sign_in", user.username, role=user.role, customer_id=user.customer_id)
    _clear_session()
    st.session_state[_USER] = user.username
    st.session_state[_SEEN] = st.session_state[_TOUCHED] = clock()
    sessions = _sessions()
    if sessions is not None:
        sid, code = sessions.begin(user.username, store.password_stamp(user.username))
        st.session_state[_SID], st.session_state[_HANDOFF] = sid, code
    if not entrypoint:
        st.rerun()
    # The page the address names (which refuses if the role may not open it), or the user's
    # first page at "/", is drawn in this run, the form cleared: no second run after the
    # sign-in. The address and its filters stay as they were: a bookmark opens as saved.
    holder.empty()
    return user
