"""A fresh copy of the project started with `streamlit run` and opened in Debian's Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _need_browser():
    """Skip without Chromium on a developer machine; CI installs it, so there it must be found."""
    missing = shutil.which("chromium") is None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and playwright (see .ci/run)")
        pytest.skip("chromium or playwright not installed")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, db: Path | None = None, args: tuple[str, ...] = (),
          script: str = "dashboard.py"):
    """Start `streamlit run dashboard.py` (as the README says; or SCRIPT) in `folder` with ARGS
    (more options); yield its URL; stop it (only it)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DB"}
    if db is not None:
        env["DASHBOARD_DB"] = str(db)
    log = open(folder / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start: " + (folder / "streamlit.log").read_text())
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """`streamlit run dashboard.py` in a copy of the tracked files: no database yet."""
    _need_browser()
    clone = tmp_path_factory.mktemp("clone")
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    for url in serve(clone):
        yield url, clone


@pytest.fixture(scope="module")
def app_url(fixture_db):
    """The project served on the fixture database."""
    _need_browser()
    yield from serve(ROOT, fixture_db)


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under the artefacts folder and say where."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def wait_idle(page, timeout: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=timeout)
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


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
