"""Empty figures read "—" and say why in their help; no card ever reads "None" or "— · 3.3 h"."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from service_quality import pages as registry
from service_quality.messages import catalogue

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.file for p in registry.PAGES)
# A customer that matches nothing, and a normal half year.
VIEWS = {"nothing": {"from": "2020-01", "to": "2020-01"},   # before the first ticket
         "one_month": {"from": "2025-07", "to": "2025-07"},
         "half_year": {"from": "2025-07", "to": "2025-12"}}
REASONS = [texts[lang] for key, texts in catalogue().items() if key.startswith("empty_")
           for lang in ("zh", "en")]


def cards(at) -> list[tuple[str, str, str]]:
    """Every metric card: (label, value, help)."""
    return [(m.label, m.value, m.proto.help) for m in at.metric]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", PAGES)
def test_empty_figures_say_why(fixture_db, monkeypatch, name, view):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    for key, value in VIEWS[view].items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    for label, value, help_text in cards(at):
        assert "None" not in value and "nan" not in value.lower(), (label, value)
        assert not value.startswith("— ·") and "— · " not in value, (label, value)
        if "—" in value:
            assert any(r in help_text for r in REASONS), f"{label}: '—' without a reason"


def test_the_overview_handling_card_reads_its_hours(fixture_db, monkeypatch):
    import re

    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    at.run()
    [(_, value, help_text)] = [c for c in cards(at) if c[0] == "故障处理时长"]
    assert re.fullmatch(r"\d+\.\d h", value), value
    assert "未设定处理时长目标" in help_text


def test_a_customer_month_without_answers_says_why(fixture_db, monkeypatch):
    """The customer's own report: a month with tickets but no answered survey."""
    import duckdb

    con = duckdb.connect(str(fixture_db), read_only=True)
    customer, month = con.execute("""
        SELECT t.customer_id, strftime(t.reported_at, '%Y-%m') AS month
        FROM ticket_sla AS t
        WHERE NOT EXISTS (SELECT 1 FROM survey_facts AS s WHERE s.answered
                          AND s.customer_id = t.customer_id
                          AND strftime(s.sent_at, '%Y-%m') = strftime(t.reported_at, '%Y-%m'))
        ORDER BY month DESC, 1 LIMIT 1""").fetchall()[0]
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=120).run()
    at.selectbox(key="customer_report_customer").set_value(customer).run()
    at.selectbox(key="report_period_month").set_value(month).run()
    assert not at.exception
    [(_, value, help_text)] = [c for c in cards(at) if c[0] == "满意率"]
    assert value == "—" and "没有已回复的调查" in help_text
    for label, value, help_text in cards(at):
        if "—" in value:
            assert any(r in help_text for r in REASONS), f"{label}: '—' without a reason"
