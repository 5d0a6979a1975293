"""Sign-in that behaves like a web app, in a real browser against `streamlit run dashboard.py`:
a reload or a bookmark keeps the user signed in and the page's filters; sign-out and a password
change end the session, also for a copied cookie."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from service_quality import accounts
from service_quality.accounts import UserStore
from service_quality.sessions import COOKIE_NAME
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser
VIEW = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def served(fixture_db, tmp_path_factory):
    """The app served by dashboard.py on the fixture database with a users file."""
    need_browser()
    folder = tmp_path_factory.mktemp("session_users")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "BCRYPT_ROUNDS", 4)
        store = UserStore.open(folder / "users.json")
        store.add("sup", "supervisor", "sup-pass")
        store.add("sup2", "supervisor", "sup2-pass")
        store.save()
        mp.setenv("DASHBOARD_USERS", str(folder / "users.json"))
        mp.setenv("DASHBOARD_AUDIT", str(folder / "audit.log"))
        for url in serve(ROOT, fixture_db):
            yield url, folder


def sign_in_here(page, name: str, password: str) -> None:
    """Fill the sign-in form already on PAGE and submit it."""
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page)


def session_cookie(context, present: bool = True, timeout: float = 30) -> dict | None:
    """The session cookie of CONTEXT once it is there (or gone, with present=False)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
        if bool(found) == present:
            return found[0] if found else None
        if time.monotonic() > deadline:
            raise AssertionError(f"the session cookie is {'missing' if present else 'still there'}")
        time.sleep(0.2)


def on_sign_in_form(page) -> bool:
    """Whether PAGE shows the sign-in form (once it shows the form or a signed-in page)."""
    form = page.get_by_role("button", name="登录", exact=True)
    form.or_(page.get_by_role("button", name="退出登录")).first.wait_for(timeout=60_000)
    wait_idle(page)
    return form.count() == 1


def sidebar_months(page) -> list[str]:
    """The period the sidebar shows: [from, to]."""
    boxes = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    return [boxes.nth(i).input_value() for i in range(2)]


def test_reload_and_bookmarks_keep_the_sign_in_and_the_filters(served, browser):
    url, folder = served
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    # A bookmark with a page and filters, opened before signing in.
    page.goto(url + "/sla?from=2025-03&to=2025-05")
    sign_in_here(page, "sup", "sup-pass")
    page.get_by_role("heading", name="服务时效").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert "/sla?" in page.url and "from=2025-03" in page.url and "to=2025-05" in page.url
    assert sidebar_months(page) == ["2025-03", "2025-05"]
    shot(page, "session_bookmark_after_sign_in")

    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert COOKIE_NAME not in page.evaluate("document.cookie")   # no script can read it

    page.reload()
    page.get_by_role("heading", name="服务时效").first.wait_for(timeout=60_000)
    assert not on_sign_in_form(page)
    assert "from=2025-03" in page.url and sidebar_months(page) == ["2025-03", "2025-05"]

    # Another bookmark, in another tab of the same browser: straight in, filters kept.
    other = context.new_page()
    other.goto(url + "/complaints?from=2025-04&to=2025-06")
    other.get_by_role("heading", name="投诉").first.wait_for(timeout=60_000)
    assert not on_sign_in_form(other)
    assert sidebar_months(other) == ["2025-04", "2025-06"] and "from=2025-04" in other.url
    shot(other, "session_second_tab")
    events = [json.loads(line)["event"] for line in (folder / "audit.log").read_text()
              .splitlines()]
    assert events.count("sign_in") == 1 and events.count("session_resumed") >= 2

    # Sign-out: the cookie is cleared, and a copy of it signs nobody in.
    copied = dict(cookie)
    other.get_by_role("button", name="退出登录").click()
    assert on_sign_in_form(other)
    session_cookie(context, present=False)
    page.reload()
    assert on_sign_in_form(page)
    thief = browser.new_context(viewport=VIEW)
    thief.add_cookies([copied])
    stolen = thief.new_page()
    stolen.goto(url + "/sla?from=2025-03&to=2025-05")
    assert on_sign_in_form(stolen)
    assert stolen.locator("[data-testid='stMetric']").count() == 0
    shot(stolen, "session_stolen_cookie_after_sign_out")
    thief.close()
    context.close()


def test_a_new_password_ends_the_session_everywhere(served, browser):
    url, folder = served
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(url + "/overview?from=2025-07&to=2025-12")
    sign_in_here(page, "sup2", "sup2-pass")
    page.get_by_text("工单数").first.wait_for(timeout=60_000)
    copied = session_cookie(context)
    thief = browser.new_context(viewport=VIEW)
    thief.add_cookies([copied])
    stolen = thief.new_page()
    stolen.goto(url + "/overview?from=2025-07&to=2025-12")
    stolen.get_by_text("工单数").first.wait_for(timeout=60_000)   # the copy works until …

    env = {**os.environ, "DASHBOARD_USERS": str(folder / "users.json"),
           "DASHBOARD_AUDIT": str(folder / "audit.log")}
    done = subprocess.run([sys.executable, "-m", "etl", "user", "passwd", "sup2"],
                          input="a-new-pass\n", cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr   # … the password changes

    stolen.reload()
    assert on_sign_in_form(stolen)
    # The open tab is signed out at its next click, and says why.
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="2025-08").click()
    page.get_by_text("此登录已失效").wait_for(timeout=60_000)
    assert on_sign_in_form(page)
    shot(page, "session_ended_by_new_password")
    sign_in_here(page, "sup2", "a-new-pass")
    page.get_by_text("工单数").first.wait_for(timeout=60_000)
    thief.close()
    context.close()


def test_the_cookie_endpoints_refuse_a_bad_code_and_other_sites(served):
    url, _ = served
    ours = {"X-Dashboard-Session": "1"}
    for headers in (ours, {}):   # a bad code; no header (another site's form)
        request = urllib.request.Request(url + "/api/session", data=b"code=" + b"A" * 43,
                                         method="POST", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        assert "set-cookie" not in {k.lower() for k in refused.value.headers}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url + "/api/session/end", data=b"",
                                                      method="POST"), timeout=30)
    assert refused.value.code == 403
    # Without a cookie there is nothing to forget; an invalid one is always dropped.
    ended = urllib.request.urlopen(urllib.request.Request(url + "/api/session/end", data=b"",
                                                          method="POST", headers=ours),
                                   timeout=30)
    assert ended.status == 204 and ended.headers["set-cookie"] is None
    bad = {**ours, "Cookie": f"{COOKIE_NAME}=v1.forged.token.9999999999.sig"}
    ended = urllib.request.urlopen(urllib.request.Request(url + "/api/session/end",
                                                          data=b"sid=forged", method="POST",
                                                          headers=bad), timeout=30)
    assert ended.status == 204
    cleared = ended.headers["set-cookie"]
    assert cleared.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cleared
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared


def test_no_deploy_button_or_developer_menu(served, browser):
    url, _ = served
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(url + "/?from=2025-07&to=2025-12")
    assert page.get_by_role("button", name="Deploy").count() == 0   # not even before sign-in
    sign_in_here(page, "sup", "sup-pass")
    page.get_by_text("工单数").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("Deploy", exact=True).count() == 0
    menu = page.locator("[data-testid='stMainMenu']")
    if menu.count():
        menu.click()
        popover = page.locator("[data-testid='stMainMenuPopover']")
        popover.wait_for(timeout=30_000)
        text = popover.inner_text()
        for developer in ("Clear cache", "Rerun", "Developer", "Deploy"):
            assert developer not in text, text
        page.keyboard.press("Escape")
    # The worklist: late time left in red chips (a screenshot to look at).
    page.get_by_role("tab", name="故障报告催交").click()
    wait_idle(page)
    shot(page, "chrome_overview_worklist")
    context.close()


def test_a_digest_link_opens_its_filtered_page_after_sign_in(served, browser):
    from service_quality.delivery.digest import page_link
    from service_quality.filters import Filters

    url, _ = served
    link = page_link(url, "fault_reports", Filters("2025-04", "2025-09"), "en")
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=60_000)
    page.get_by_label("User name").fill("sup")
    page.get_by_label("Password", exact=True).fill("sup-pass")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Fault reports").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert "/fault_reports?" in page.url and "from=2025-04" in page.url and "lang=en" in page.url
    assert sidebar_months(page) == ["2025-04", "2025-09"]
    shot(page, "session_digest_link")
    context.close()


def test_a_stale_tab_does_not_sign_out_a_newer_sign_in(served, browser):
    url, _ = served
    context = browser.new_context(viewport=VIEW)
    stale = context.new_page()
    stale.goto(url + "/overview?from=2025-07&to=2025-12")
    sign_in_here(stale, "sup", "sup-pass")
    stale.get_by_text("工单数").first.wait_for(timeout=60_000)
    session_cookie(context)
    fresh = context.new_page()
    fresh.goto(url + "/sla?from=2025-07&to=2025-12")   # opened with the first cookie
    assert not on_sign_in_form(fresh)
    stale.reload()                                       # this tab too now holds it
    assert not on_sign_in_form(stale)
    fresh.get_by_role("button", name="退出登录").click()
    assert on_sign_in_form(fresh)
    session_cookie(context, present=False)
    sign_in_here(fresh, "sup", "sup-pass")               # a new session, a new cookie
    fresh.get_by_role("heading", name="服务时效").first.wait_for(timeout=60_000)
    newer = session_cookie(context)
    # The stale tab learns its session ended, and its form asks to forget only that one.
    stale.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    with stale.expect_response(lambda r: r.url.endswith("/api/session/end"), timeout=60_000):
        stale.get_by_role("option", name="2025-08").click()
    assert on_sign_in_form(stale)
    assert session_cookie(context)["value"] == newer["value"]
    fresh.reload()
    assert not on_sign_in_form(fresh)
    context.close()
