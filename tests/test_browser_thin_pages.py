"""The thinned pages in Chromium: a click on a chart still narrows the list below (issue 13).

AppTest cannot click a plotly chart; these clicks go through ui.drill.clickable / latest_click
and the domain's drill builders as a user's would.
"""

import re

import pytest

from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.queries.process import ProcessDrill, process_tickets
from tests.support.browser import shot, wait_idle

pytestmark = pytest.mark.browser


def _click_bar(page, chart_key: str) -> None:
    """Click the middle of the keyed chart's largest bar (plotly hit-tests on its drag layer)."""
    chart = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    boxes = [b for b in (p.bounding_box() for p in chart.locator(".barlayer .point path").all())
             if b]
    box = max(boxes, key=lambda b: b["width"] * b["height"])
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)


def test_a_transfer_bar_lists_its_tickets(app_url, browser, db):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/process?from=2024-11&to=2026-10")
    wait_idle(page)
    page.get_by_role("tab", name="转交").click()
    wait_idle(page)
    _click_bar(page, "process_transfers_chart")   # the largest bar: never transferred
    page.get_by_text("当前钻取：转交 0 次").wait_for(timeout=30_000)
    tickets = int(process_tickets(db, Scope.everyone(), Filters("2024-11", "2026-10"),
                                  ProcessDrill(transfers_min=0, transfers_max=0))
                  ["matching"].iloc[0])
    page.get_by_text(f"共 {tickets} 张工单").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "process_transfers_drilled")
    page.close()


def test_a_department_bar_narrows_the_action_list(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/actions?from=2024-11&to=2026-10")
    wait_idle(page)
    page.get_by_text("当前钻取：本期全部措施").wait_for(timeout=30_000)
    _click_bar(page, "act_dept_chart")
    # A department and a completion now, the whole period's list no more.
    page.get_by_text(re.compile("当前钻取：.+ · .+")).wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "actions_dept_drilled")
    page.close()
