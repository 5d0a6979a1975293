"""The Streamlit app through AppTest on the fixture database."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(fixture_db, monkeypatch):
    """The dashboard pointed at the fixture database."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


def test_overview_shows_last_full_month_against_the_one_before(app, fixture_db):
    app.run()
    assert not app.exception
    con = duckdb.connect(str(fixture_db), read_only=True)
    as_of = pd.Timestamp(con.execute(
        "SELECT value FROM load_info WHERE key = 'as_of'").fetchall()[0][0])
    month = (as_of.to_period("M") - 1)
    start, end = month.start_time, (month + 1).start_time
    met, judged = con.execute(
        "SELECT count(*) FILTER (WHERE arrival_status = 'met'), "
        "count(*) FILTER (WHERE arrival_status IN ('met', 'breached', 'no_record')) "
        "FROM ticket_sla WHERE reported_at >= ? AND reported_at < ?", [start, end]).fetchall()[0]
    con.close()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["到场时效"] == f"{met / judged:.1%}"
    # tickets, five ticket promises (upgrade judged), handling, two complaint clocks, CSAT,
    # survey response rate, overdue actions
    assert len(app.metric) == 12
    assert str(month) in app.caption[0].value and str(month - 1) in app.caption[0].value
