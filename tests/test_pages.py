"""Every page runs on its own against the fixture database (AppTest), in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from service_quality import pages as registry
from service_quality.messages import t
from service_quality.queries.satisfaction import GROUPS as SAT_GROUPS
from service_quality.queries.sla import GROUPS as SLA_GROUPS

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


# A page's breakdown tabs: the tabs' key, their names, each name's label and its chart's key.
TABBED = {
    "sla.py": ("sla_dimension", [g for g in SLA_GROUPS if g != "month"],
               lambda g: t(f"group_{g}", "zh"), "sla_{}_chart"),
    "satisfaction.py": ("sat_group", SAT_GROUPS, lambda g: t(f"sat_group_{g}", "zh"),
                        "sat_{}_chart"),
    "severity.py": ("severity_group", ("customer", "device"),
                    lambda g: t(f"severity_group_{g}", "zh"), "severity_{}_chart"),
    "fault_reports.py": ("fault_reports_by", ("month", "customer"),
                         lambda g: t(f"fault_reports_by_{g}", "zh"), "fault_reports_{}_chart"),
}


@pytest.mark.parametrize("name", sorted(TABBED))
def test_a_breakdown_draws_only_its_open_tabs_chart(page, name):
    """Each plotly chart costs the browser ~0.1 s per run: the closed tabs' charts are neither
    queried nor drawn, and a click on a tab draws its own."""
    key, groups, label, chart = TABBED[name]
    at = page(name)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    at.run()
    for n, group in enumerate(groups):
        if n:
            at.session_state[key] = label(group)
            at.run()
        assert not at.exception
        drawn = {c.key for c in at.get("plotly_chart")} & {chart.format(g) for g in groups}
        assert drawn == {chart.format(group)}, (name, group)
