"""Shared fixtures: one deterministic sample and the database built from it."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TICKETS = 800
FIXTURE_SEED = 7


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


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests left their screenshots (the CI artefacts)."""
    from tests.test_browser import ARTIFACTS

    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_line(f"browser screenshots ({len(shots)}): {ARTIFACTS}")
