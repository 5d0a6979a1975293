"""Persistent sign-in sessions: the one-time hand-over, the signed cookie, how a session ends."""

import stat

import pytest

from service_quality.accounts import IDLE_LIMIT_SECONDS
from service_quality.sessions import (
    HANDOFF_SECONDS,
    KEY_FILE,
    MAX_AGE_SECONDS,
    STORE_FILE,
    SessionStore,
)

START = 1_800_000_000.0


@pytest.fixture
def clock():
    """A clock the test moves by hand."""
    now = [START]
    return now


@pytest.fixture
def store(tmp_path, clock):
    return SessionStore(tmp_path, clock=lambda: clock[0])


STAMPS = {"alice": "stamp-1"}


def signed_in(store: SessionStore, name: str = "alice") -> tuple[str, str]:
    """A session opened and handed over: (sid, cookie)."""
    sid, code = store.begin(name, STAMPS[name])
    cookie, max_age = store.redeem(code)
    assert max_age == MAX_AGE_SECONDS
    return sid, cookie


def test_a_code_gives_one_cookie_once_and_briefly(store, clock):
    sid, code = store.begin("alice", "stamp-1")
    late = store.begin("alice", "stamp-1")[1]
    cookie, _ = store.redeem(code)
    assert store.redeem(code) is None            # used
    assert store.resume(cookie, STAMPS.get) == (sid, "alice")
    clock[0] += HANDOFF_SECONDS + 1
    assert store.redeem(late) is None            # too late
    assert store.redeem("x" * 43) is None and store.redeem("") is None
    assert "alice" not in cookie and code not in cookie


def test_the_cookie_is_signed(store, tmp_path):
    _, cookie = signed_in(store)
    version, sid, token, expires, signature = cookie.split(".")
    forged = [
        f"{version}.{sid}.{token}.{int(expires) + 86400}.{signature}",   # longer life
        f"{version}.{sid}.{token[:-2]}AA.{expires}.{signature}",        # another token
        f"{version}.{sid}.{token}.{expires}.{signature[:-2]}AA",        # another signature
        cookie + "x", "", "v1....", "garbage",
    ]
    for value in forged:
        assert store.resume(value, STAMPS.get) is None, value
    # Another server key (another users folder) does not accept it either.
    (tmp_path / "other").mkdir()
    assert SessionStore(tmp_path / "other").resume(cookie, STAMPS.get) is None
    # The same folder's key, read again by another process, does.
    assert SessionStore(tmp_path).resume(cookie, STAMPS.get) is not None


def test_sign_out_ends_the_session_wherever_its_cookie_is(store):
    sid, cookie = signed_in(store)
    stolen = str(cookie)
    store.end(sid)
    assert store.resume(stolen, STAMPS.get) is None
    assert store.state(sid, STAMPS.get) == "ended"
    # A page forgets its own session; a newer sign-in's cookie (another tab) is kept.
    old_sid, old = signed_in(store)
    new_sid, new = signed_in(store)
    assert not store.forget(new, old_sid)
    assert store.resume(new, STAMPS.get) == (new_sid, "alice")
    assert store.forget(new, new_sid) and store.resume(new, STAMPS.get) is None
    assert store.forget("garbage", old_sid)          # an invalid cookie is always dropped
    assert store.cookie_sid(old) == old_sid and store.cookie_sid("x") is None


def test_a_new_password_or_a_removed_user_ends_every_session(store):
    sid, cookie = signed_in(store)
    other_sid, other = signed_in(store)
    assert store.state(sid, {"alice": "stamp-2"}.get) == "ended"
    assert store.resume(cookie, {"alice": "stamp-2"}.get) is None
    assert store.resume(other, {}.get) is None
    assert store.state(other_sid, STAMPS.get) == "ended"   # the failed resume removed it


def test_idle_and_absolute_limits(store, clock):
    sid, cookie = signed_in(store)
    clock[0] += IDLE_LIMIT_SECONDS - 60
    assert store.resume(cookie, STAMPS.get) == (sid, "alice")   # counts as use
    clock[0] += IDLE_LIMIT_SECONDS - 60
    store.touch(sid)
    clock[0] += IDLE_LIMIT_SECONDS - 60
    assert store.state(sid, STAMPS.get) == "live"
    clock[0] += 120
    assert store.state(sid, STAMPS.get) == "idle"
    assert store.resume(cookie, STAMPS.get) is None

    sid, cookie = signed_in(store)
    for _ in range(MAX_AGE_SECONDS // (IDLE_LIMIT_SECONDS // 2)):
        clock[0] += IDLE_LIMIT_SECONDS // 2
        store.touch(sid)
    assert store.resume(cookie, STAMPS.get) is None   # a week old, however busy


def test_files_are_owner_only(store, tmp_path):
    signed_in(store)
    for name in (KEY_FILE, STORE_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    assert len((tmp_path / KEY_FILE).read_text().strip()) == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE, STORE_FILE]


# --- in the app (AppTest): the hand-over, a resumed page, the idle limit ----------------------

def test_the_app_hands_over_resumes_and_forgets(tmp_path, monkeypatch, fixture_db):
    import re

    from service_quality import accounts
    from service_quality.accounts import UserStore
    from tests.support.auth import app, events, sign_in
    from ui import auth, session_routes

    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)
    store = UserStore.open(tmp_path / "users.json")
    store.add("sup", "supervisor", "sup-pass")
    store.save()
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.json"))
    monkeypatch.setenv("DASHBOARD_AUDIT", str(tmp_path / "audit.log"))
    now = [START]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    monkeypatch.setattr(auth, "lockout", accounts.Lockout(clock=lambda: now[0]))
    monkeypatch.setattr(session_routes, "MOUNTED", True)   # as dashboard.py does
    browser_cookie = [None]
    monkeypatch.setattr(auth, "_cookie", lambda: browser_cookie[0])

    def scripts(at) -> str:
        return " ".join(h.proto.body for h in at.get("html"))

    at = sign_in(app().run(), "sup", "sup-pass")
    assert at.metric and not at.exception
    # The page is given a one-time code to post to the cookie endpoint, once.
    code = re.search(r'"code=([A-Za-z0-9_-]+)"', scripts(at)).group(1)
    assert '"/api/session"' in scripts(at)
    assert "code=" not in scripts(at.run())
    cookie, _ = SessionStore(tmp_path, clock=lambda: now[0]).redeem(code)

    # A reload: a new page with the cookie is signed in at once, no form.
    browser_cookie[0] = cookie
    again = app().run()
    assert again.metric and not again.text_input
    assert [e["event"] for e in events(tmp_path / "audit.log")] == ["sign_in", "session_resumed"]

    # Eight idle hours later the cookie signs nobody in, and the page clears it.
    now[0] += accounts.IDLE_LIMIT_SECONDS + 1
    late = app().run()
    assert not late.metric and late.text_input
    sid = SessionStore(tmp_path, clock=lambda: now[0]).cookie_sid(cookie)
    assert '"/api/session/end"' in scripts(late) and f'"sid={sid}"' in scripts(late)

    # A tab-only sign-in (plain `streamlit run dashboard.py`) hands nothing over.
    monkeypatch.setattr(session_routes, "MOUNTED", False)
    browser_cookie[0] = None
    plain = sign_in(app().run(), "sup", "sup-pass")
    assert plain.metric and "/api/session" not in scripts(plain)
