"""Every page runs on its own against the fixture database (AppTest), in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from service_quality import pages as registry

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.file for p in registry.PAGES)


@pytest.fixture
def page(fixture_db, monkeypatch):
    """A page file run alone, pointed at the fixture database."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))

    def make(name: str) -> AppTest:
        return AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    return make


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs_alone(page, name, lang):
    at = page(name)
    at.query_params["lang"] = lang
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    at.run()
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


@pytest.mark.parametrize("name", PAGES)
def test_page_is_friendly_when_filters_match_nothing(page, name):
    at = page(name)
    at.query_params["customers"] = "NO-SUCH-CUSTOMER"
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-07"
    at.run()
    assert not at.exception, at.exception


def test_the_page_registry_lists_every_page_file_once():
    """service_quality.pages is the one list: every pages/*.py is in it, nothing else is."""
    files = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    assert PAGES == files
    assert len(set(registry.stems())) == len(registry.PAGES)
