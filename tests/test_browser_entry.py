"""A fresh server whose first request is a bookmarked page runs it inside the frame's navigation."""

import pytest

from service_quality.messages import t
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser


def test_a_bookmark_as_a_fresh_servers_first_request_opens_in_the_navigation(
        fixture_db, browser, tmp_path):
    # Streamlit's legacy pages/ mode would run pages/sla.py alone, listing the files by name.
    need_browser()
    for url in serve(ROOT, fixture_db):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/sla?from=2025-07&to=2025-12")
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_text(t("page_overview")).wait_for(timeout=60_000)
        wait_idle(page)
        shot(page, "entry_first_request_sla")
        assert nav.get_by_text("fault reports").count() == 0
        assert nav.get_by_text(t("page_fault_reports")).count() == 1
        assert "/sla" in page.url and "from=2025-07" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()
