"""Sign-in that outlives a page: server-side sessions behind a signed, expiring, HttpOnly cookie.

No Streamlit here. A Streamlit script cannot set an HttpOnly cookie (it talks to the browser over
a websocket), so a sign-in is handed over in two steps: the sign-in form verifies the password
and `begin()`s a session with a one-time code; the page posts that code to an HTTP endpoint of
the same server (ui/session_routes.py), which `redeem()`s it and answers with the cookie. From
then on every new page of that browser `resume()`s the session from the cookie.

The cookie names a session row and carries a random token (stored only as its SHA-256) and the
expiry, signed with HMAC-SHA256 under a secret key. A session ends at sign-out (its row is
deleted), after IDLE_LIMIT_SECONDS without use, at its absolute expiry, and when the user's
password changes (each row keeps a fingerprint of the password hash it was opened with) or the
user is removed. The key (session.key) and the rows (sessions.sqlite) live beside the users
file, owner-only (0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from .accounts import IDLE_LIMIT_SECONDS

COOKIE_NAME = "sq_session"
# However active, a browser signs in again after this long (the cookie's Max-Age).
MAX_AGE_SECONDS = 7 * 24 * 3600
# The one-time code from the sign-in form to the cookie endpoint: used within seconds.
HANDOFF_SECONDS = 120
KEY_FILE = "session.key"
STORE_FILE = "sessions.sqlite"
_VERSION = "v1"

CREATE = """
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    stamp TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    expires REAL NOT NULL,
    handoff_hash TEXT,
    handoff_until REAL,
    token_hash TEXT
)"""
INSERT = """
INSERT INTO sessions (sid, username, stamp, created, last_seen, expires, handoff_hash,
                      handoff_until)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
REDEEM = """
UPDATE sessions SET token_hash = ?, handoff_hash = NULL, handoff_until = NULL
WHERE handoff_hash = ? AND handoff_until >= ? AND token_hash IS NULL AND expires > ?
RETURNING sid, expires"""
FIND = "SELECT username, stamp, last_seen, expires, token_hash FROM sessions WHERE sid = ?"
TOUCH = "UPDATE sessions SET last_seen = ? WHERE sid = ?"
DELETE = "DELETE FROM sessions WHERE sid = ?"
PRUNE = "DELETE FROM sessions WHERE expires <= ? OR last_seen <= ?"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _owner_only(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return fd


class SessionStore:
    """The sessions of the users file in FOLDER; CLOCK (seconds) is injectable for tests."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self.path = self.folder / STORE_FILE

    # --- the secret key ------------------------------------------------------------------------

    def _key(self) -> bytes:
        path = self.folder / KEY_FILE
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            pass
        # Created once, by whichever process comes first; the others read the winner's key.
        tmp = self.folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return bytes.fromhex(path.read_text(encoding="ascii").strip())

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key(), payload.encode("ascii"), hashlib.sha256).digest())

    # --- the rows --------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            os.close(_owner_only(self.path))
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute(CREATE)
        return con

    def begin(self, username: str, stamp: str) -> tuple[str, str]:
        """Open a session for USERNAME (password fingerprint STAMP): its id and one-time code."""
        now = self.clock()
        sid, code = _b64(secrets.token_bytes(18)), _b64(secrets.token_bytes(32))
        con = self._connect()
        try:
            with con:
                con.execute("BEGIN IMMEDIATE")
                con.execute(PRUNE, (now, now - IDLE_LIMIT_SECONDS))
                con.execute(INSERT, (sid, username, stamp, now, now, now + MAX_AGE_SECONDS,
                                     _sha(code), now + HANDOFF_SECONDS))
        finally:
            con.close()
        return sid, code

    def redeem(self, code: str) -> tuple[str, int] | None:
        """The cookie value and its max-age for a fresh one-time CODE (once only), else None."""
        if not isinstance(code, str) or not 20 <= len(code) <= 100:
            return None
        now = self.clock()
        token = _b64(secrets.token_bytes(32))
        con = self._connect()
        try:
            with con:
                row = con.execute(REDEEM, (_sha(token), _sha(code), now, now)).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        sid, expires = row[0], int(row[1])
        payload = f"{_VERSION}.{sid}.{token}.{expires}"
        return f"{payload}.{self._sign(payload)}", max(0, expires - int(now))

    def _check(self, cookie: str) -> tuple[str, str] | None:
        """(sid, token) of a cookie whose signature holds and which has not expired."""
        if not isinstance(cookie, str) or len(cookie) > 400:
            return None
        parts = cookie.split(".")
        if len(parts) != 5 or parts[0] != _VERSION:
            return None
        payload, signature = ".".join(parts[:4]), parts[4]
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            expires = int(parts[3])
        except ValueError:
            return None
        if expires <= self.clock():
            return None
        return parts[1], parts[2]

    def _judge(self, con, sid: str, stamp_of: Callable[[str], str | None],
               token: str | None = None) -> tuple[str, str | None]:
        """("live", username), ("idle", username) or ("ended", None) for session SID."""
        row = con.execute(FIND, (sid,)).fetchone()
        if row is None:
            return "ended", None
        username, stamp, last_seen, expires, token_hash = row
        now = self.clock()
        if token is not None and (token_hash is None or
                                  not hmac.compare_digest(token_hash, _sha(token))):
            return "ended", None
        current = stamp_of(username)
        if expires <= now or current is None or not hmac.compare_digest(current, stamp):
            return "ended", None
        if now - last_seen > IDLE_LIMIT_SECONDS:
            return "idle", username
        return "live", username

    def resume(self, cookie: str, stamp_of: Callable[[str], str | None]
               ) -> tuple[str, str] | None:
        """(sid, username) of the live session COOKIE names, else None; counts as use.

        STAMP_OF gives a user's current password fingerprint (None: no such user)."""
        checked = self._check(cookie)
        if checked is None or not self.path.exists():
            return None
        sid, token = checked
        con = self._connect()
        try:
            state, username = self._judge(con, sid, stamp_of, token)
            if state != "live":
                con.execute(DELETE, (sid,))
                return None
            con.execute(TOUCH, (self.clock(), sid))
        finally:
            con.close()
        return sid, username

    def state(self, sid: str, stamp_of: Callable[[str], str | None]) -> str:
        """"live", "idle" (unused for IDLE_LIMIT_SECONDS) or "ended" (signed out, expired,
        another password, no such user) for session SID."""
        if not self.path.exists():
            return "ended"
        con = self._connect()
        try:
            return self._judge(con, sid, stamp_of)[0]
        finally:
            con.close()

    def touch(self, sid: str) -> None:
        """Record use of session SID now (the idle limit counts from the last use)."""
        con = self._connect()
        try:
            con.execute(TOUCH, (self.clock(), sid))
        finally:
            con.close()

    def end(self, sid: str) -> None:
        """End session SID: its cookie, wherever it is, no longer signs anyone in."""
        if not self.path.exists():
            return
        con = self._connect()
        try:
            con.execute(DELETE, (sid,))
        finally:
            con.close()

    def cookie_sid(self, cookie: str) -> str | None:
        """The session id a correctly signed, unexpired COOKIE names, else None."""
        checked = self._check(cookie)
        return checked[0] if checked else None

    def forget(self, cookie: str, sid: str) -> bool:
        """Whether the browser should drop COOKIE when a page asks to forget session SID: yes
        when the cookie is not valid at all, or names SID (which then ends); a valid cookie
        of another session (a newer sign-in in another tab) is kept."""
        current = self.cookie_sid(cookie)
        if current is None:
            return True
        if sid and hmac.compare_digest(current, sid):
            self.end(current)
            return True
        return False
