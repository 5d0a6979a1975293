"""A fresh copy of the project started with `streamlit run` and opened in Debian's Chromium."""

import shutil
import subprocess

import duckdb
import pytest

from service_quality.messages import t
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """`streamlit run dashboard.py` in a copy of the tracked files: no database yet."""
    need_browser()
    clone = tmp_path_factory.mktemp("clone")
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    for url in serve(clone):
        yield url, clone


def test_first_start_builds_the_sample_and_shows_the_overview(fresh_app, browser):
    url, clone = fresh_app
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_text("到场时效").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    shot(page, "first_start_overview")
    assert (clone / "data" / "service.duckdb").exists()
    assert page.locator("[data-testid='stException']").count() == 0
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    assert any("电话响应" in label for label in labels)
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert any(v.endswith("%") for v in values)
    page.close()


def test_every_page_opens_without_an_error(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/?from=2025-07&to=2025-12")
    page.get_by_text("工单数").first.wait_for(timeout=60_000)
    links = page.locator("[data-testid='stSidebarNavLink']")
    # A link's text is its icon's name, then the title.
    titles = [text.strip().splitlines()[-1] for text in links.all_inner_texts()]
    assert len(titles) >= 2
    for i, title in enumerate(titles):
        links.nth(i).click()
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
        wait_idle(page)
        errors = page.locator("[data-testid='stException']")
        assert errors.count() == 0, (title, errors.all_inner_texts())
        assert "from=2025-07" in page.url, "the filters travel with every page"
        shot(page, f"page_{i}")
    page.close()


def test_a_filter_changes_the_url_and_the_chart(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/sla?from=2025-07&to=2025-12")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_idle(page)
    months_before = page.locator(".js-plotly-plot").first.locator(".xtick").count()
    caption_before = page.get_by_text("共 ").first.inner_text()
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="2025-12").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('from=2025-12')", timeout=30_000)
    assert "from=2025-12" in page.url
    page.wait_for_function("b => !document.body.innerText.includes(b)", arg=caption_before,
                           timeout=30_000)
    caption = page.get_by_text("共 ").first.inner_text()
    shot(page, "sla_filtered")
    assert months_before == 12   # a monthly trend always spans at least a year
    assert "张工单" in caption and caption != caption_before   # the breach list follows
    page.close()


def test_a_dimension_tab_draws_its_chart_on_its_click(app_url, browser):
    """The SLA breakdowns draw only the open tab's chart; a click on another tab draws its."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/sla?from=2025-07&to=2025-12")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator(".js-plotly-plot").count() == 3
    page.get_by_role("tab", name=t("group_holiday", "zh")).click()
    wait_idle(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 3 && [...document"
        ".querySelectorAll('[data-testid=stTab][aria-selected=true]')].some(e => e.innerText"
        f".includes('{t('group_holiday', 'zh')}'))", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "sla_dimension_tab")
    page.close()


def test_drill_down_from_a_bar_to_a_ticket_timeline(app_url, browser, fixture_db):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/sla?from=2025-07&to=2025-12")
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    wait_idle(page)
    assert "2025-12" not in page.get_by_text("当前钻取").first.inner_text()
    # The breached segment of the last month's bar (trace 2: met, breached, no_record, pending).
    # Plotly hit-tests on its drag layer, so click where the bar is drawn, not on the path.
    box = chart.locator(".barlayer .trace").nth(1).locator(".point path").last.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    page.get_by_text("当前钻取：到场时效 · 超时 · 2025-12").wait_for(timeout=30_000)
    after = page.get_by_text("当前钻取").first.inner_text()
    assert "2025-12" in after, after
    shot(page, "sla_drilled")
    con = duckdb.connect(str(fixture_db), read_only=True)
    ticket = con.execute("SELECT min(ticket_id) FROM ticket_sla WHERE arrival_status = 'breached' "
                         "AND strftime(reported_at, '%Y-%m') = '2025-12'").fetchall()[0][0]
    con.close()
    page.get_by_label("按工单号查看时间线").fill(ticket)
    page.keyboard.press("Enter")
    page.get_by_text(f"工单 {ticket} 时间线").wait_for(timeout=30_000)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "sla_timeline")
    page.close()


def test_a_bookmark_of_the_default_page_by_name_opens_it(app_url, browser):
    # The default page lives at "/"; its own name must not answer "Page not found".
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/overview?from=2025-07&to=2025-12")
    page.get_by_text("工单数").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert "from=2025-07" in page.url
    page.close()
