"""Local mode in a real browser and over HTTP: only loopback names open a session, and a ticket
id typed into the timeline lookup is shown as text, never fetched or followed as a link."""

import shutil
import socket
from urllib.parse import urlsplit

import pytest

from tests.support.browser import CHROMIUM_ARGS, ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser
EVIL_IMAGE = "![p](https://evil.example/p.png)"
EVIL_LINK = "T[x](https://evil.example/l)"


def handshake(url: str, host: str) -> str:
    """The status line the server answers a websocket handshake naming HOST."""
    port = urlsplit(url).port
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n"
                   f"Origin: http://{host}\r\n\r\n").encode())
        return s.recv(200).split(b"\r\n")[0].decode()


def test_a_websocket_handshake_is_refused_unless_its_host_is_loopback(app_url):
    port = urlsplit(app_url).port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert handshake(app_url, host) == "HTTP/1.1 101 Switching Protocols", host
    # A DNS-rebinding page: its own name, resolved to 127.0.0.1 (main: 101, a live session).
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        assert handshake(app_url, host) == "HTTP/1.1 403 Forbidden", host


@pytest.fixture(scope="module")
def widened_url(fixture_db):
    """Local mode with the websocket allow-list widened (--server.allowedHosts '*')."""
    need_browser()
    yield from serve(ROOT, fixture_db, ("--server.allowedHosts", "*"))


def test_local_mode_refuses_a_page_opened_under_another_name(widened_url):
    """Even with every host let through to the app, local mode answers only loopback names:
    Chromium is told evil.example is 127.0.0.1, as a rebinding attack would make it."""
    from playwright.sync_api import sync_playwright

    port = urlsplit(widened_url).port
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            *CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
        try:
            page = b.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"http://evil.example:{port}/")
            page.get_by_text("拒绝服务").first.wait_for(timeout=120_000)
            wait_idle(page)
            shot(page, "local_mode_host_refused")
            assert "evil.example" in page.locator("[data-testid='stAlert']").inner_text()
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert page.locator("[data-testid='stSidebarNavLink']").count() == 0
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            page.goto(f"http://evil.example:{port}/data")
            page.get_by_text("拒绝服务").first.wait_for(timeout=120_000)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            # The same server at a loopback name serves the app.
            page.goto(f"http://localhost:{port}/")
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=120_000)
            assert page.get_by_text("拒绝服务").count() == 0
        finally:
            b.close()


def test_a_typed_ticket_id_is_text_not_an_image_or_a_link(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "evil.example" in r.url else None)
    page.goto(app_url + "/sla?from=2025-07&to=2025-12")
    lookup = page.get_by_label("按工单号查看时间线")
    lookup.wait_for(timeout=120_000)
    wait_idle(page)
    for typed in (EVIL_IMAGE, EVIL_LINK):
        lookup.fill(typed)
        lookup.press("Enter")
        # Shown as typed (an invisible word joiner keeps a web address from becoming a link).
        page.wait_for_function(
            """want => [...document.querySelectorAll('h1,h2,h3')].some(
                   h => h.innerText.replaceAll('\\u2060', '').trim() === want)""",
            arg=f"工单 {typed} 时间线", timeout=60_000)
        wait_idle(page)
        live = page.locator("img[src*='evil.example'], a[href*='evil.example']")
        assert live.count() == 0, [live.nth(i).evaluate("e => e.outerHTML")
                                   for i in range(live.count())]
    shot(page, "timeline_lookup_literal")
    assert asked == [], asked   # main: the browser fetched https://evil.example/p.png
    page.close()
