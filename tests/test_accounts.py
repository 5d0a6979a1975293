"""Accounts: the users file, password checks, roles, lockout, audit log and `python -m etl user`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from service_quality import accounts
from service_quality.accounts import LOCAL_SUPERVISOR, Lockout, User, UserStore
from service_quality.queries import Scope

ROOT = Path(__file__).resolve().parent.parent


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
    assert lock.remaining_seconds("alice") == 15 * 60 and lock.remaining_seconds("bob") == 0
    now[0] += 15 * 60 - 1
    assert lock.is_locked("alice")
    assert lock.remaining_seconds("alice") == 1
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


def etl_user(*args, stdin="", env=None):
    """Run `python -m etl user ARGS` with STDIN piped (not a terminal)."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("DASHBOARD_USERS", "DASHBOARD_AUDIT")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "etl", "user", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=120)


def test_cli_add_list_passwd_remove(tmp_path):
    users = tmp_path / "users.json"
    r = etl_user("add", "alice", "--role", "supervisor", "--users", str(users),
                 stdin="first-pw\nignored second line\n")
    assert r.returncode == 0, r.stderr
    assert "added supervisor 'alice'" in r.stdout
    r = etl_user("add", "bob", "--role", "customer", "--customer", "C001",
                 env={"DASHBOARD_USERS": str(users)}, stdin="bob-pw\r\n")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    text = users.read_text(encoding="utf-8")
    assert "first-pw" not in text and "bob-pw" not in text
    store = UserStore.open(users)
    assert store.verify("alice", "first-pw") == User("alice", "supervisor")
    assert store.verify("bob", "bob-pw") == User("bob", "customer", "C001")

    r = etl_user("list", "--users", str(users))
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()]
    assert rows == [["name", "role", "customer"], ["alice", "supervisor"],
                    ["bob", "customer", "C001"]]
    assert "$2" not in r.stdout

    r = etl_user("passwd", "bob", "--users", str(users), stdin="new-pw\n")
    assert r.returncode == 0, r.stderr
    store = UserStore.open(users)
    assert store.verify("bob", "bob-pw") is None
    assert store.verify("bob", "new-pw") is not None

    r = etl_user("remove", "alice", "--users", str(users))
    assert r.returncode == 0, r.stderr
    assert [u.username for u in UserStore.open(users).users()] == ["bob"]

    log = [json.loads(line) for line in
           (tmp_path / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert [(e["event"], e["account"]) for e in log] == [
        ("user_add", "alice"), ("user_add", "bob"), ("user_passwd", "bob"),
        ("user_remove", "alice")]
    assert all(e["user"] and e["at"] for e in log)
    assert log[1]["role"] == "customer" and log[1]["customer_id"] == "C001"
    assert "pw" not in json.dumps([e for e in log if e["event"] == "user_passwd"])


def test_cli_errors(tmp_path, fixture_db):
    users = tmp_path / "users.json"
    assert etl_user("add", "bob", "--role", "manager", "--users", str(users),
                    stdin="pw\n").returncode == 0
    before = users.read_bytes()
    u = ["--users", str(users)]
    cases = [
        (("add", "bob", "--role", "manager", *u), "error: user 'bob' already exists"),
        (("add", "x", "--role", "admin", *u),
         "error: unknown role 'admin'; choose one of supervisor, manager, customer"),
        (("add", "x", "--role", "customer", *u),
         "error: a customer user needs a customer id (--customer ID)"),
        (("add", "x", "--role", "manager", "--customer", "C001", *u),
         "error: only a customer user has a customer id, not a manager"),
        (("passwd", "nobody", *u), f"error: no user 'nobody' in {users}"),
        (("remove", "nobody", *u), f"error: no user 'nobody' in {users}"),
        (("add", "x", "--role", "customer", "--customer", "NOPE", "--db", str(fixture_db), *u),
         f"error: unknown customer 'NOPE' in {fixture_db}; known: "),
        (("add", "x", "--role", "customer", "--customer", "C001",
          "--db", str(tmp_path / "none.duckdb"), *u),
         f"error: no database at {tmp_path / 'none.duckdb'}"),
        (("list",), "error: no users file: give --users PATH or set DASHBOARD_USERS"),
        (("add", "x", "--role", "manager", "--users", str(tmp_path / "no" / "u.json")),
         f"error: no folder {tmp_path / 'no'} for the users file"),
    ]
    for args, message in cases:
        r = etl_user(*args, stdin="pw\n")
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith(message), (args, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout
    for stdin in ("", "\n", "x" * 73 + "\n"):
        r = etl_user("add", "y", "--role", "manager", *u, stdin=stdin)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.startswith(("error: the password is empty",
                                    "error: the password is longer than 72 bytes"))
    assert users.read_bytes() == before  # nothing was changed by a refused command
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    r = etl_user("list", "--users", str(bad))
    assert r.returncode == 2 and str(bad) in r.stderr and "Traceback" not in r.stderr


def test_cli_adds_a_real_customer(tmp_path, fixture_db):
    import duckdb

    with duckdb.connect(str(fixture_db), read_only=True) as con:
        customer = con.execute("SELECT min(customer_id) FROM customers").fetchone()[0]
    users = tmp_path / "users.json"
    r = etl_user("add", "cust", "--role", "customer", "--customer", customer,
                 "--db", str(fixture_db), "--users", str(users), stdin="pw\n")
    assert r.returncode == 0, r.stderr
    assert UserStore.open(users).get("cust") == User("cust", "customer", customer)


def test_cli_prompts_twice_on_a_terminal(monkeypatch, tmp_path):
    import getpass
    import io

    from etl import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter(["one", "one", "one", "two"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert cli._read_password(Terminal()) == "one"
    with pytest.raises(cli.UserError, match="the passwords do not match"):
        cli._read_password(Terminal())
    answers = iter(["a", "b"])
    args = cli.build_parser().parse_args(
        ["user", "add", "z", "--role", "manager", "--users", str(tmp_path / "u.json")])
    assert cli.user_command(args, stdin=Terminal()) == 2
    assert not (tmp_path / "u.json").exists()


def test_unknown_name_costs_a_bcrypt_check(tmp_path, monkeypatch):
    """An unknown name is checked against a dummy hash, so timing does not reveal who exists."""
    import bcrypt

    store = UserStore(tmp_path / "u.json")
    store.add("alice", "manager", "pw")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda p, h: calls.append(h) or real(p, h))
    assert store.verify("nobody", "pw") is None
    assert store.verify("alice", "wrong") is None
    assert len(calls) == 2 and all(h.startswith(b"$2") for h in calls)


def test_lockout_counts_failures_from_many_threads():
    import threading

    lock = Lockout(clock=lambda: 0.0)
    threads = [threading.Thread(target=lock.failed, args=("alice",)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert lock.is_locked("alice")


# --- hardening (issue 15): the lockout counted atomically, the audit log bounded -------------

def _try_wrong(store: UserStore, lockout: Lockout, name: str) -> bool:
    """One sign-in try as the form makes it: take a try, check the password, count the failure.
    True when the password was checked."""
    if not lockout.begin(name):
        return False
    assert store.verify(name, "wrong") is None
    lockout.failed(name)
    return True


def _store(tmp_path) -> UserStore:
    store = UserStore(tmp_path / "users.json")
    store.add("alice", "manager", "right")
    store.save()
    return store


def test_parallel_wrong_tries_from_threads_get_five_checks(tmp_path):
    import threading

    store = _store(tmp_path)
    lockout = Lockout(path=accounts.lockout_path(store.path))
    start = threading.Barrier(20)
    checked = []

    def attempt():
        start.wait()
        checked.append(_try_wrong(store, lockout, "alice"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert checked.count(True) == 5 and checked.count(False) == 15
    assert lockout.is_locked("alice")
    assert not lockout.begin("alice"), "the right password is refused too while locked"


def _process_try(users: str, start) -> bool:
    """In another process: one wrong try for alice against the shared counters file."""
    accounts.BCRYPT_ROUNDS = 4
    store = UserStore.open(Path(users))
    lockout = Lockout(path=accounts.lockout_path(Path(users)))
    start.wait()
    return _try_wrong(store, lockout, "alice")


def test_parallel_wrong_tries_from_processes_get_five_checks(tmp_path):
    import multiprocessing

    store = _store(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Manager().Barrier(8)
    with ctx.Pool(8) as pool:
        checked = pool.starmap(_process_try, [(str(store.path), start)] * 8)
    assert checked.count(True) == 5 and checked.count(False) == 3
    assert Lockout(path=accounts.lockout_path(store.path)).is_locked("alice")


def test_a_success_clears_and_tries_under_way_hold_their_place(tmp_path):
    now = [0.0]
    lockout = Lockout(path=tmp_path / "counters", clock=lambda: now[0])
    assert all(lockout.begin("bob") for _ in range(5))
    # Five tries are being checked: a sixth waits for them, told the name is locked.
    assert not lockout.begin("bob") and lockout.remaining_seconds("bob") == 15 * 60
    for _ in range(4):
        lockout.failed("bob")
    lockout.succeeded("bob")
    assert lockout.begin("bob") and not lockout.is_locked("bob")
    # A try whose process died never ends: after five minutes it stops holding a place.
    lockout = Lockout(path=tmp_path / "other", clock=lambda: now[0])
    assert all(lockout.begin("carol") for _ in range(5)) and not lockout.begin("carol")
    now[0] += 301
    assert lockout.begin("carol")


def test_the_counters_file_holds_no_typed_name_and_stays_bounded(tmp_path, monkeypatch):
    path = tmp_path / "counters"
    lockout = Lockout(path=path, clock=lambda: 0.0)
    monkeypatch.setattr(Lockout, "_PRUNE_AT", 50)
    secret = "hunter2-typed-as-a-name" + "x" * 1000
    lockout.failed(secret)
    for i in range(200):
        lockout.failed(f"made-up-{i}")
    text = path.read_text()
    assert "hunter2" not in text and "made-up" not in text
    assert len(json.loads(text)["names"]) <= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(lockout.name_hash(secret)) == 16
    assert lockout.name_hash(secret) == lockout.name_hash(secret) != lockout.name_hash("other")


def test_audit_log_is_capped_and_rotated(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    monkeypatch.setattr(accounts, "AUDIT_MAX_BYTES", 20_000)
    accounts.audit_to(log, "export", "bob", what="x" * 5_000_000, scope=list(range(10_000)))
    line = log.read_text(encoding="utf-8")
    assert len(line) < 2_000 and "… 9900 more" in line
    for _ in range(300):
        accounts.audit_to(log, "sign_in", "alice", role="manager")
    rotated = log.with_name("audit.log.1")
    assert rotated.exists() and log.stat().st_size <= 20_000 and rotated.stat().st_size <= 20_000
    assert all(json.loads(x)["event"] for f in (log, rotated) for x in f.read_text().splitlines())
