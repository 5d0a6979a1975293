"""Every page runs on its own against the fixture database (AppTest), in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))


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


def test_every_page_is_registered_in_the_navigation():
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    for name in PAGES:
        assert f'"{name}"' in text, f"pages/{name} is not in st.navigation"
