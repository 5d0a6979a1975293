"""Product chrome: no developer toolbar, a customer's sidebar only what its page uses, late time
left drawn red on screen (and still a number in Excel)."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from service_quality.charts import STATUS_COLORS
from service_quality.columns import label
from service_quality.messages import t
from tests.support.auth import app, sign_in
from ui.export import late_chips

ROOT = Path(__file__).resolve().parent.parent
RED, AMBER = STATUS_COLORS["breached"], STATUS_COLORS["pending"]


def test_the_toolbar_is_the_viewers_for_everyone():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    # "viewer": no Deploy button and no developer options, only theme and print.
    assert config["client"]["toolbarMode"] == "viewer"


def sidebar_widgets(at) -> set[str]:
    """The keys of the widgets in the sidebar."""
    found = set()

    def walk(node):
        key = getattr(node, "key", None)
        if key:
            found.add(key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.sidebar)
    return found


def test_a_customer_sidebar_has_no_filters(users):
    at = sign_in(app().run(), "cust", "cust-pass")
    assert not at.exception and at.title[0].value == t("page_report")
    assert sidebar_widgets(at) == {"lang", "auth_sign_out"}
    assert t("customer_report_filters_note") not in " ".join(c.value for c in at.caption)
    # The URL carries no filters a customer cannot see.
    assert "from" not in at.query_params and "customers" not in at.query_params
    # A supervisor keeps them (they apply to every other page) and is told so on the report.
    sup = sign_in(app().run(), "sup", "sup-pass")
    assert {"f_from", "f_to", "f_customers", "f_severities", "f_service_modes", "f_teams"} \
        <= sidebar_widgets(sup)


def test_late_values_become_red_chips_and_the_rest_amber():
    frame = pd.DataFrame({"left": [-37.64, 12.0, np.nan, -0.04], "overdue": [3, 0, 1, 2],
                          "name": ["a", "b", "c", "d"]})
    config = {"left": st.column_config.NumberColumn(format="%.1f")}
    screen, chips = late_chips(frame, ["left"], ["overdue"], config)
    assert list(screen["left"].fillna("missing")) == ["-37.6", "12.0", "missing", "-0.0"]
    options = {o["value"]: o["color"] for o in chips["left"]["type_config"]["options"]}
    assert options == {"-37.6": RED, "12.0": AMBER, "-0.0": RED}
    overdue = {o["value"]: o["color"] for o in chips["overdue"]["type_config"]["options"]}
    assert overdue == {"3": RED, "0": AMBER, "1": RED, "2": RED}
    assert frame["left"].dtype == float, "the cached frame is not changed"


def test_the_worklist_draws_negative_time_left_red(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.query_params["from"] = "2025-07"
    at.query_params["to"] = "2025-12"
    at.run()
    # Only the open tab's list is drawn: open the reports' tab as the user would.
    [tab] = [tab.label for tab in at.tabs if tab.label.startswith(t("overview_wl_reports"))]
    at.session_state["overview_worklist_tabs"] = tab
    at.run()
    assert not at.exception
    column = label("hours_left")
    [table] = [d for d in at.dataframe if column in d.value.columns
               and label("report_due_at") in d.value.columns]
    config = json.loads(table.proto.columns)[column]["type_config"]
    colors = {o["value"]: o["color"] for o in config["options"]}
    shown = table.value[column].dropna()
    assert len(shown) > 0
    for text in shown:
        assert colors[text] == (RED if float(text) < 0 else AMBER), text
    assert table.proto.placeholder == "—"
