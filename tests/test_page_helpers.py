"""Pages only orchestrate: the helpers they share live in ui/, once, and behave as the pages
relied on (issue 13)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.columns import label
from service_quality.filters import Filters
from service_quality.queries import Scope
from ui.columns import column_label
from ui.frame import Context
from ui.text import pct

PAGES = sorted((Path(__file__).resolve().parents[1] / "pages").glob("*.py"))
LIMIT = 150


def _functions(path: Path) -> set[str]:
    """The functions a page defines (at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_no_page_defines_a_helper_another_page_defines():
    defined = defaultdict(list)
    for path in PAGES:
        for name in _functions(path):
            defined[name].append(path.stem)
    shared = {name: pages for name, pages in defined.items() if len(pages) > 1}
    assert not shared, f"helpers defined on several pages (move them to ui/): {shared}"


def test_no_page_imports_from_another_page():
    for path in PAGES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            for module in modules:
                assert not module.startswith("pages"), f"{path.name} imports {module}"


def test_no_page_writes_its_own_percent_format():
    for path in PAGES:
        assert ".1%" not in path.read_text(encoding="utf-8"), f"{path.name}: use ui.text.pct"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_is_short(page):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{page.name} has {lines} lines (limit {LIMIT})"


@pytest.mark.parametrize("value, shown", [(0.1234, "12.3%"), (1, "100.0%"), (0, "0.0%"),
                                          (None, "—"), (float("nan"), "—"), (pd.NA, "—")])
def test_pct(value, shown):
    assert pct(value) == shown


def _ctx(lang: str) -> Context:
    return Context(lang, Scope.everyone(), Filters("2026-01", "2026-03"),
                   pd.Timestamp("2026-04-01"), {})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_column_label_is_the_catalogue_heading_whatever_the_page(lang):
    ctx = _ctx(lang)
    # The pages' old per-page wording (prefix, keys) is gone: a column reads the same everywhere.
    for name in ("ticket_id", "customer_name", "on_time_rate", "reject_reasons"):
        assert column_label(ctx, name) == label(name, lang)
    with pytest.raises(TypeError):
        column_label(ctx, "ticket_id", "cmp_")


def _picks_app():
    """Feeds last_pick / latest_click the picks stored in the session, shows what they return."""
    import streamlit as st

    from ui.drill import last_pick, latest_click

    st.text(repr(last_pick("g", st.session_state.get("picks", {}))))

    class Event:
        def __init__(self, points):
            self.selection = type("Selection", (), {"points": points})()

    events = {name: Event(points) for name, points in st.session_state.get("events", {}).items()}
    st.text(repr(latest_click("h", events)))


def _run(at: AppTest, picks: dict, events: dict | None = None) -> tuple[str, str]:
    at.session_state["picks"] = picks
    at.session_state["events"] = events or {}
    at.run()
    assert not at.exception
    return at.text[0].value, at.text[1].value


def test_last_pick_remembers_the_pick_that_changed_last():
    at = AppTest.from_function(_picks_app, default_timeout=60)
    assert _run(at, {"a": None, "b": None})[0] == "None"
    assert _run(at, {"a": 1, "b": None})[0] == "('a', 1)"
    # b picked later wins, although a's selection persists.
    assert _run(at, {"a": 1, "b": 2})[0] == "('b', 2)"
    # Nothing changed: the last pick stays.
    assert _run(at, {"a": 1, "b": 2})[0] == "('b', 2)"
    # Clearing a, not the last pick, keeps it; clearing b clears it.
    assert _run(at, {"a": None, "b": 2})[0] == "('b', 2)"
    assert _run(at, {"a": None, "b": None})[0] == "None"


def test_latest_click_only_for_charts_drawn_now():
    at = AppTest.from_function(_picks_app, default_timeout=60)
    point = {"x": "2026-01", "y": 3}
    assert _run(at, {}, {"x": [point], "y": []})[1] == repr(("x", point))
    # The clicked chart is not drawn on this run (e.g. no data): it drills nothing.
    assert _run(at, {}, {"y": []})[1] == "(None, None)"
    assert _run(at, {}, {"x": [], "y": [point]})[1] == repr(("y", point))
