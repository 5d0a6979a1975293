"""Accounts: the users file, password checks, roles, lockout, audit log and `python -m etl user`."""

from __future__ import annotations

import json
import os
import stat

import pytest

from service_quality import accounts
from service_quality.accounts import LOCAL_SUPERVISOR, Lockout, User, UserStore
from service_quality.queries import Scope


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    """Cheap hashes in-process; the format and checks are the same as with the real cost."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


def test_store_round_trip(tmp_path):
    path = tmp_path / "users.json"
    store = UserStore.open(path)
    assert store.users() == []
    store.add("alice", "supervisor", "s3cret-α")
    store.add("bob", "customer", "pw-bob", customer_id="C001")
    store.add("carol", "manager", "pw-carol")
    store.save()
    again = UserStore.open(path)
    assert again.users() == [User("alice", "supervisor"), User("bob", "customer", "C001"),
                             User("carol", "manager")]
    assert again.get("bob") == User("bob", "customer", "C001")
    assert again.get("nobody") is None
    assert again.verify("alice", "s3cret-α") == User("alice", "supervisor")


def test_file_is_owner_only_and_holds_no_password(tmp_path):
    path = tmp_path / "users.json"
    path.write_text('{"users": {}}', encoding="utf-8")
    os.chmod(path, 0o644)
    store = UserStore.open(path)
    store.add("alice", "supervisor", "PlainTextPassword123")
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "PlainTextPassword123" not in text
    assert json.loads(text)["users"]["alice"]["hash"].startswith("$2")
    # No temp file left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]


def test_verify_right_wrong_unknown(tmp_path):
    store = UserStore(tmp_path / "u.json")
    store.add("alice", "manager", "right")
    assert store.verify("alice", "right") == User("alice", "manager")
    assert store.verify("alice", "wrong") is None
    assert store.verify("alice", "") is None
    assert store.verify("nobody", "right") is None
    assert store.verify("alice", "x" * 100) is None


def test_set_password_and_remove(tmp_path):
    store = UserStore(tmp_path / "u.json")
    store.add("alice", "manager", "old")
    store.set_password("alice", "new")
    assert store.verify("alice", "old") is None
    assert store.verify("alice", "new") is not None
    store.remove("alice")
    assert store.get("alice") is None
    with pytest.raises(ValueError, match="no user 'alice'"):
        store.remove("alice")
    with pytest.raises(ValueError, match="no user 'alice'"):
        store.set_password("alice", "x")


@pytest.mark.parametrize(("name", "role", "password", "customer", "message"), [
    ("a", "admin", "pw", None, "unknown role 'admin'"),
    ("a", "customer", "pw", None, "needs a customer id"),
    ("a", "manager", "pw", "C001", "only a customer user has a customer id"),
    ("a", "manager", "", None, "the password is empty"),
    ("a", "manager", "x" * 73, None, "longer than 72 bytes"),
    ("", "manager", "pw", None, "the user name is empty"),
    ("a b", "manager", "pw", None, "spaces or control characters"),
])
def test_add_refuses(tmp_path, name, role, password, customer, message):
    store = UserStore(tmp_path / "u.json")
    with pytest.raises(ValueError, match=message):
        store.add(name, role, password, customer_id=customer)
    assert store.users() == []


def test_add_refuses_duplicate(tmp_path):
    store = UserStore(tmp_path / "u.json")
    store.add("alice", "manager", "pw")
    with pytest.raises(ValueError, match="already exists"):
        store.add("alice", "supervisor", "pw2")


def test_roles_and_scope():
    assert LOCAL_SUPERVISOR.scope() == Scope.everyone()
    assert User("m", "manager").scope() == Scope.everyone()
    assert User("c", "customer", "C002").scope() == Scope.customer("C002")
    with pytest.raises(ValueError):
        User("c", "customer")  # a customer without an id must never get everyone's scope
    with pytest.raises(ValueError):
        User("x", "root")


def test_unreadable_file_names_it(tmp_path):
    path = tmp_path / "users.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=str(path)):
        UserStore.open(path)
    path.write_text('{"users": {"a": {"hash": "$2b$x", "role": "customer"}}}', encoding="utf-8")
    with pytest.raises(ValueError, match="needs a customer id"):
        UserStore.open(path)


def test_lockout_with_clock():
    now = [1000.0]
    lock = Lockout(clock=lambda: now[0])
    for _ in range(4):
        lock.failed("alice")
        assert not lock.is_locked("alice")
    lock.failed("alice")
    assert lock.is_locked("alice")
    assert not lock.is_locked("bob")
    now[0] += 15 * 60 - 1
    assert lock.is_locked("alice")
    now[0] += 1
    assert not lock.is_locked("alice")
    # A success resets the count: four more failures do not lock.
    for _ in range(4):
        lock.failed("alice")
    lock.succeeded("alice")
    for _ in range(4):
        lock.failed("alice")
    assert not lock.is_locked("alice")


def test_audit_lines(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    monkeypatch.setenv("DASHBOARD_AUDIT", str(log))
    accounts.audit("sign_in", "alice", role="manager")
    accounts.audit("export", "bob", what="report.xlsx", scope=["C001"])
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["event"], r["user"]) for r in lines] == [("sign_in", "alice"), ("export", "bob")]
    assert lines[1]["scope"] == ["C001"] and "at" in lines[0]
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_audit_path(tmp_path, monkeypatch):
    monkeypatch.delenv("DASHBOARD_AUDIT", raising=False)
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    assert accounts.users_path() is None and accounts.audit_path() is None
    accounts.audit("sign_in", "x")  # local mode: no audit file, no error
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.json"))
    assert accounts.audit_path() == tmp_path / "audit.log"
