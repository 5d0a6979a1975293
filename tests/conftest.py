"""Shared fixtures: one deterministic sample and the database built from it, its copies, a users
file, the browser and the project served on the sample. Plain helpers are in tests/support/."""

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TICKETS = 800
FIXTURE_SEED = 7


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Put the real __main__ back after each test: AppTest leaves the last page it ran there, and
    a process spawned later (multiprocessing re-imports __main__) would run that page."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """Sample input files for a small, fixed seed."""
    from etl.sample import write_sample

    out = tmp_path_factory.mktemp("sample")
    write_sample(out, tickets=FIXTURE_TICKETS, seed=FIXTURE_SEED)
    return out


@pytest.fixture(scope="session")
def fixture_db(sample_dir, tmp_path_factory) -> Path:
    """The database loaded from the fixture sample (judged at its export moment)."""
    from etl.load import load
    from service_quality.settings import load_settings

    db = tmp_path_factory.mktemp("db") / "service.duckdb"
    load([sample_dir], db, load_settings())
    return db


@pytest.fixture
def db(fixture_db):
    """The fixture database through the app's read-only access class."""
    from service_quality.database import Database

    d = Database(fixture_db)
    yield d
    d.close()


@pytest.fixture
def db_copy(fixture_db, tmp_path) -> Path:
    """A copy of the fixture database in its own folder (files written beside it go there)."""
    folder = tmp_path / "data"
    folder.mkdir()
    copy = folder / "service.duckdb"
    shutil.copy(fixture_db, copy)
    return copy


@pytest.fixture
def users(tmp_path, monkeypatch, fixture_db):
    """A users file (supervisor, manager, customer of the first customer), audit log, clock."""
    from service_quality import accounts
    from service_quality.accounts import Lockout, UserStore
    from tests.support.auth import START, customers
    from ui import auth

    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)   # fast hashes; real ones carry 12
    everyone = customers(fixture_db)
    path = tmp_path / "users.json"
    store = UserStore.open(path)
    store.add("sup", "supervisor", "sup-pass")
    store.add("boss", "manager", "boss-pass")
    store.add("cust", "customer", "cust-pass", customer_id=everyone[0][0])
    store.save()
    log = tmp_path / "audit.log"
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    monkeypatch.setenv("DASHBOARD_USERS", str(path))
    monkeypatch.setenv("DASHBOARD_AUDIT", str(log))
    now = [START]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    # The lockout is process-wide: each test gets its own, on the injected clock.
    monkeypatch.setattr(auth, "lockout", Lockout(clock=lambda: now[0]))
    return SimpleNamespace(path=path, log=log, now=now, customers=everyone)


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory):
    """The worklist's hand-written cases (tests/support/worklist_cases.py) loaded at their AS_OF."""
    from etl.load import load
    from service_quality.database import Database
    from service_quality.settings import load_settings
    from tests.support.worklist_cases import AS_OF, write_cases

    folder = tmp_path_factory.mktemp("worklist_in")
    write_cases(folder)
    path = tmp_path_factory.mktemp("worklist_db") / "worklist.duckdb"
    summary = load([folder], path, load_settings(), as_of=AS_OF)
    assert sum(f.rows_rejected for f in summary.files) == 0
    d = Database(path)
    yield d
    d.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser), one per module."""
    from tests.support.browser import CHROMIUM_ARGS, need_browser

    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(fixture_db):
    """The project served on the fixture database."""
    from tests.support.browser import ROOT, need_browser, serve

    need_browser()
    yield from serve(ROOT, fixture_db)


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests left their screenshots (the CI artefacts)."""
    from tests.support.browser import ARTIFACTS

    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_line(f"browser screenshots ({len(shots)}): {ARTIFACTS}")
