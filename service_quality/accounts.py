"""User accounts: the users file (bcrypt hashes, roles), sign-in lockout and the audit log.

No streamlit here: the sign-in page (ui/auth.py) and `python -m etl user …` both use this module.
The users file is JSON {"users": {name: {"hash", "role", "customer_id"}}}, owner-only (0600),
written atomically; it never holds a plain-text password.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import bcrypt

from .queries import Scope

ROLES = ("supervisor", "manager", "customer")
IDLE_LIMIT_SECONDS = 8 * 3600
# bcrypt's work factor; tests lower it (monkeypatch) to stay fast. Stored hashes carry their own.
BCRYPT_ROUNDS = 12
# bcrypt ignores bytes after the 72nd (bcrypt 5 refuses them), so longer passwords are refused.
MAX_PASSWORD_BYTES = 72
MAX_NAME_LENGTH = 64
# What the audit log records instead of a name that is nobody's (with a keyed hash of it).
UNKNOWN_USER = "unknown user"
# audit.log is rotated to audit.log.1 when a line would take it past this size.
AUDIT_MAX_BYTES = 10 << 20
# Longest text and list kept in one audit field: whatever was typed stays bounded.
AUDIT_MAX_TEXT = 200
AUDIT_MAX_ITEMS = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_role(role: str, customer_id: str | None) -> None:
    """ValueError unless the role is known and a customer id goes with (only) the customer role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "customer" and not customer_id:
        raise ValueError("a customer user needs a customer id (--customer ID)")
    if role != "customer" and customer_id is not None:
        raise ValueError(f"only a customer user has a customer id, not a {role}")


@dataclass(frozen=True)
class User:
    """A signed-in person: name, role and, for a customer, the one customer it may see."""

    username: str
    role: str
    customer_id: str | None = None

    def __post_init__(self) -> None:
        # A customer user without a customer id would otherwise get everyone's scope: refuse it.
        _check_role(self.role, self.customer_id)

    def scope(self) -> Scope:
        """The rows this user may see: one customer's, or every customer's."""
        if self.role == "customer":
            return Scope.customer(self.customer_id)
        return Scope.everyone()


LOCAL_SUPERVISOR = User("local", "supervisor")


def check_user(name: str, role: str, customer_id: str | None = None) -> None:
    """ValueError (with the reason) unless a user with this name, role and customer id is valid."""
    _check_name(name)
    _check_role(role, customer_id)


def _check_name(name: str) -> None:
    """ValueError unless NAME is a usable user name (no spaces or control characters)."""
    if not isinstance(name, str) or not name:
        raise ValueError("the user name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"the user name is longer than {MAX_NAME_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ValueError(f"the user name {name!r} contains spaces or control characters")


def _check_password(password: str) -> bytes:
    """The password's UTF-8 bytes; ValueError when empty or too long for bcrypt."""
    if not isinstance(password, str) or not password:
        raise ValueError("the password is empty")
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"the password is longer than {MAX_PASSWORD_BYTES} bytes")
    return data


def check_email(email) -> str:
    """The address, stripped; ValueError unless it looks like name@domain.tld."""
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        raise ValueError(f"{email!r} is not an e-mail address")
    return email.strip()


def _hash(password: str) -> str:
    """A bcrypt hash of the password."""
    return bcrypt.hashpw(_check_password(password), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


@cache
def _dummy_hash(rounds: int) -> bytes:
    """A hash of a random password, checked for unknown names so they cost as much as known ones."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds))


def users_path() -> Path | None:
    """The users file named by $DASHBOARD_USERS, or None (local mode)."""
    value = os.environ.get("DASHBOARD_USERS", "").strip()
    return Path(value) if value else None


class UserStore:
    """The users file in memory; change it with add/set_password/remove, then save()."""

    def __init__(self, path: Path, records: dict[str, dict] | None = None) -> None:
        self.path = Path(path)
        self._records: dict[str, dict] = dict(records or {})

    @classmethod
    def open(cls, path: Path) -> UserStore:
        """Read the users file; a missing file is an empty store, an unreadable one a ValueError."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read the users file {path}: {e}") from None
        try:
            data = json.loads(text)
            users = data["users"]
            if not isinstance(users, dict):
                raise TypeError("'users' is not an object")
            records = {}
            for name, rec in users.items():
                _check_name(name)
                if not isinstance(rec.get("hash"), str) or not rec["hash"].startswith("$2"):
                    raise ValueError(f"user {name!r} has no bcrypt hash")
                _check_role(rec.get("role"), rec.get("customer_id"))
                records[name] = {"hash": rec["hash"], "role": rec["role"],
                                 "customer_id": rec.get("customer_id")}
                if rec.get("email") is not None:
                    records[name]["email"] = check_email(rec["email"])
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise ValueError(f"the users file {path} is not valid: {e}") from None
        return cls(path, records)

    def add(self, name: str, role: str, password: str, customer_id: str | None = None) -> None:
        """Add a user; ValueError for a bad name/role/customer id, a duplicate or empty password."""
        check_user(name, role, customer_id)
        if name in self._records:
            raise ValueError(f"user {name!r} already exists")
        self._records[name] = {"hash": _hash(password), "role": role, "customer_id": customer_id}

    def set_email(self, name: str, email: str | None) -> None:
        """Set (or, with None or "", clear) the address a user's mail goes to (the digest)."""
        record = self._require(name)
        if email:
            record["email"] = check_email(email)
        else:
            record.pop("email", None)

    def email(self, name: str) -> str | None:
        """The user's e-mail address, or None."""
        return self._records.get(name, {}).get("email")

    def password_stamp(self, name: str) -> str | None:
        """A fingerprint of the user's current password hash (None for an unknown user): it
        changes with every new password, so a session bound to it ends then."""
        rec = self._records.get(name)
        if rec is None:
            return None
        return hashlib.sha256(rec["hash"].encode("ascii")).hexdigest()[:32]

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password; ValueError for an unknown user or an empty password."""
        self._require(name)["hash"] = _hash(password)

    def remove(self, name: str) -> None:
        """Remove a user; ValueError when unknown."""
        self._require(name)
        del self._records[name]

    def _require(self, name: str) -> dict:
        if name not in self._records:
            raise ValueError(f"no user {name!r}")
        return self._records[name]

    def users(self) -> list[User]:
        """Every user, by name."""
        return [self._user(name) for name in sorted(self._records)]

    def get(self, name: str) -> User | None:
        """The user called NAME, or None."""
        return self._user(name) if name in self._records else None

    def _user(self, name: str) -> User:
        rec = self._records[name]
        return User(name, rec["role"], rec["customer_id"])

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right; None when wrong or the name is unknown."""
        rec = self._records.get(name) if isinstance(name, str) else None
        data = password.encode("utf-8") if isinstance(password, str) else b""
        ok_length = 0 < len(data) <= MAX_PASSWORD_BYTES
        if rec is None or not ok_length:
            # Spend one bcrypt check anyway so the answer time does not reveal which names exist.
            bcrypt.checkpw(b"not the password", _dummy_hash(BCRYPT_ROUNDS))
            return None
        if not bcrypt.checkpw(data, rec["hash"].encode("ascii")):
            return None
        return self._user(name)

    def save(self) -> None:
        """Write the file owner-only (0600) and atomically: a temp file beside it, then rename."""
        text = json.dumps({"users": {n: self._records[n] for n in sorted(self._records)}},
                          ensure_ascii=False, indent=2) + "\n"
        folder = self.path.parent
        tmp = folder / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            # The umask may narrow 0600 but never widens it; set it exactly anyway.
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.chmod(self.path, 0o600)


def lockout_path(users_file: Path | None = None) -> Path | None:
    """The lockout counters beside the users file (.users.json.lockout), or None (local mode)."""
    users_file = users_file or users_path()
    return users_file.with_name(f".{users_file.name}.lockout") if users_file else None


class Lockout:
    """Sign-in tries per name, counted atomically across sessions and processes.

    A try is taken (begin) before the password is checked and ends as failed or succeeded;
    max_failures failures in a row lock the name for lock_minutes. Tries still being checked
    count too, so N parallel wrong tries get max_failures checks, whatever the interleaving.
    The counters live in a JSON file under an exclusive fcntl lock (every process serving the
    same users file shares them), or in memory when there is no file (local mode, tests).
    Names are kept only as keyed hashes: the file never holds what was typed.
    """

    # Bound the file an attacker can fill with made-up names.
    _PRUNE_AT = 10_000
    # A try whose check never ended (its process died) stops holding a place after this.
    _PENDING_SECONDS = 300.0

    def __init__(self, max_failures: int = 5, lock_minutes: float = 15, clock=time.time,
                 path: Path | None = None) -> None:
        """PATH: the counters file; None takes lockout_path() at each call (memory without)."""
        self.max_failures = max_failures
        self.lock_seconds = lock_minutes * 60
        self.clock = clock
        self.path = path
        self._lock = threading.Lock()
        self._memory: dict = {}

    @contextmanager
    def _state(self) -> Iterator[dict]:
        """The counters, read and written back under one exclusive lock."""
        path = self.path or lockout_path()
        if path is None:
            with self._lock:
                _fresh(self._memory)
                yield self._memory
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # flock excludes other processes and, through separate opens, other threads.
            fcntl.flock(fd, fcntl.LOCK_EX)
            with self._lock:
                size = os.fstat(fd).st_size
                try:
                    state = json.loads(os.pread(fd, size, 0).decode("utf-8")) if size else {}
                    if not isinstance(state, dict) or not isinstance(state.get("names"), dict):
                        raise ValueError("not a lockout file")
                except ValueError:
                    state = {}   # a torn or foreign file: start counting again
                _fresh(state)
                yield state
                data = json.dumps(state, separators=(",", ":")).encode("utf-8")
                os.ftruncate(fd, 0)
                os.pwrite(fd, data, 0)
        finally:
            os.close(fd)

    def name_hash(self, name: str) -> str:
        """A fixed-length keyed hash of NAME (16 hex digits): the same name, the same hash."""
        with self._state() as state:
            return _keyed(state, name)

    def _entry(self, state: dict, name: str, now: float) -> dict:
        entry = state["names"].setdefault(_keyed(state, name), {})
        if entry.get("until", 0) and entry["until"] <= now:
            entry.clear()   # the lock ran out: a fresh start
        entry["pending"] = [t for t in entry.get("pending", ())
                            if now - t < self._PENDING_SECONDS]
        entry.setdefault("failures", 0)
        entry["last"] = now
        return entry

    def begin(self, name: str) -> bool:
        """Take a try for NAME before checking its password; False while NAME is locked."""
        with self._state() as state:
            now = self.clock()
            entry = self._entry(state, name, now)
            if entry.get("until", 0) > now \
                    or entry["failures"] + len(entry["pending"]) >= self.max_failures:
                return False
            entry["pending"].append(now)
            self._prune(state, now)
            return True

    def is_locked(self, name: str) -> bool:
        """True while NAME is locked."""
        return self.remaining_seconds(name) > 0

    def remaining_seconds(self, name: str) -> float:
        """Seconds until NAME is unlocked; 0 when it is not locked (a full lock while every
        remaining try is being checked)."""
        with self._state() as state:
            now = self.clock()
            entry = state["names"].get(_keyed(state, name))
            if not entry:
                return 0.0
            if entry.get("until", 0) > now:
                return entry["until"] - now
            pending = [t for t in entry.get("pending", ()) if now - t < self._PENDING_SECONDS]
            if entry.get("failures", 0) + len(pending) >= self.max_failures and pending:
                return self.lock_seconds
            return 0.0

    def failed(self, name: str) -> None:
        """Count a failed sign-in (ending a try); the max_failures-th in a row locks the name."""
        with self._state() as state:
            now = self.clock()
            entry = self._entry(state, name, now)
            if entry["pending"]:
                entry["pending"].pop(0)
            entry["failures"] += 1
            if entry["failures"] >= self.max_failures:
                entry["failures"] = 0
                entry["until"] = now + self.lock_seconds
            self._prune(state, now)

    def succeeded(self, name: str) -> None:
        """A successful sign-in clears the name's failures and lock."""
        with self._state() as state:
            state["names"].pop(_keyed(state, name), None)

    def _prune(self, state: dict, now: float) -> None:
        names = state["names"]
        if len(names) <= self._PRUNE_AT:
            return
        for key in [k for k, e in names.items() if e.get("until", 0) <= now
                    and not e.get("pending") and now - e.get("last", 0) >= self.lock_seconds]:
            del names[key]
        if len(names) > self._PRUNE_AT:
            # Still full of recent made-up names: forget the oldest counts, never a lock.
            counting = sorted((e.get("last", 0), k) for k, e in names.items()
                              if e.get("until", 0) <= now)
            for _, key in counting[:len(names) - self._PRUNE_AT]:
                del names[key]


def _fresh(state: dict) -> None:
    """Give a new or emptied counters state its key and its table of names."""
    if not isinstance(state.get("key"), str):
        state["key"] = secrets.token_hex(32)
    state.setdefault("names", {})


def _keyed(state: dict, name: str) -> str:
    data = name.encode("utf-8", "surrogatepass") if isinstance(name, str) else b""
    return hmac.new(bytes.fromhex(state["key"]), data, hashlib.sha256).hexdigest()[:16]


def audit_path(users_file: Path | None = None) -> Path | None:
    """$DASHBOARD_AUDIT, else audit.log beside the users file, else None (local mode)."""
    value = os.environ.get("DASHBOARD_AUDIT", "").strip()
    if value:
        return Path(value)
    users_file = users_file or users_path()
    return users_file.parent / "audit.log" if users_file else None


def _capped(value):
    """VALUE with every text cut to AUDIT_MAX_TEXT characters and every list to
    AUDIT_MAX_ITEMS items, so a line of the audit log stays small whatever was typed."""
    if isinstance(value, str):
        return value if len(value) <= AUDIT_MAX_TEXT else value[:AUDIT_MAX_TEXT] + "…"
    if isinstance(value, dict):
        return {_capped(str(k)): _capped(v) for k, v in list(value.items())[:AUDIT_MAX_ITEMS]}
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        kept = [_capped(v) for v in items[:AUDIT_MAX_ITEMS]]
        return kept + ([f"… {len(items) - AUDIT_MAX_ITEMS} more"]
                       if len(items) > AUDIT_MAX_ITEMS else [])
    if value is None or isinstance(value, bool | int | float):
        return value
    return _capped(str(value))


def audit_to(path: Path | None, event: str, user: str, **details) -> None:
    """Append one JSON line {"at", "event", "user", ...} to PATH (nothing when PATH is None).

    Texts are capped (AUDIT_MAX_TEXT); past AUDIT_MAX_BYTES the file becomes PATH.1 (the
    one before is dropped) and a new one starts, so the log never outgrows twice that.
    """
    if path is None:
        return
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event,
              "user": user, **details}
    line = (json.dumps(_capped(record), ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = Path(path)
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(fd).st_ino:
                continue   # another process rotated it while we waited: write to the new one
            if os.fstat(fd).st_size and os.fstat(fd).st_size + len(line) > AUDIT_MAX_BYTES:
                os.replace(path, path.with_name(path.name + ".1"))
                continue
            # One write of the whole line on an O_APPEND file: lines from several processes
            # never mix.
            os.write(fd, line)
            return
        finally:
            os.close(fd)


def audit(event: str, user: str, **details) -> None:
    """Append one JSON line {"at", "event", "user", ...} to audit_path()."""
    audit_to(audit_path(), event, user, **details)


def audit_attempt(store: UserStore, event: str, name: str, hash_of, **details) -> None:
    """Record a sign-in attempt: NAME only when it is a user's, else UNKNOWN_USER and
    hash_of(NAME), a fixed-length keyed hash (what was typed may be a password)."""
    if isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and store.get(name) is not None:
        audit(event, name, **details)
    else:
        audit(event, UNKNOWN_USER, name_hash=hash_of(name), **details)
