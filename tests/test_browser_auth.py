"""Sign-in in a real browser: a customer walks every page it may open, downloads every file, and
never sees another customer's id or name; typing another page's address is refused."""

import re

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from service_quality import accounts
from service_quality.accounts import UserStore
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def customers(fixture_db) -> list[tuple[str, str]]:
    """Every (customer_id, name), by id."""
    con = duckdb.connect(str(fixture_db), read_only=True)
    rows = con.execute("SELECT customer_id, name FROM customers ORDER BY 1").fetchall()
    con.close()
    return rows


@pytest.fixture(scope="module")
def auth_url(fixture_db, customers, tmp_path_factory):
    """The project served on the fixture database with a users file (a customer, a supervisor)."""
    need_browser()
    folder = tmp_path_factory.mktemp("users")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "BCRYPT_ROUNDS", 4)
        store = UserStore.open(folder / "users.json")
        store.add("cust", "customer", "cust-pass", customer_id=customers[0][0])
        store.add("sup", "supervisor", "sup-pass")
        store.save()
        mp.setenv("DASHBOARD_USERS", str(folder / "users.json"))
        mp.setenv("DASHBOARD_AUDIT", str(folder / "audit.log"))
        for url in serve(ROOT, fixture_db):
            yield url, folder


def others_in(text: str, mine: str, customers: list[tuple[str, str]]) -> list[str]:
    """Ids and names of customers other than MINE found in TEXT (names also with spaces gone)."""
    flat = re.sub(r"\s+", "", text)
    found = []
    for cid, name in customers:
        if cid == mine:
            continue
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(cid)}(?![A-Za-z0-9])", text):
            found.append(cid)
        if name in text or re.sub(r"\s+", "", name) in flat:
            found.append(name)
    return found


def sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="登录").wait_for(timeout=60_000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)


def test_sign_in_form_first_and_a_wrong_password(auth_url, browser):
    url, _ = auth_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url + "/sla")
    page.get_by_role("button", name="登录").wait_for(timeout=60_000)
    wait_idle(page)
    shot(page, "auth_sign_in")
    # Nothing but the form: no page links, no filters, no figures.
    assert page.locator("[data-testid='stSidebarNavLink']").count() == 0
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count() == 0
    sign_in(page, url, "sup", "wrong")
    page.get_by_text("用户名或密码不正确").wait_for(timeout=30_000)
    shot(page, "auth_wrong_password")
    page.close()


def test_customer_sees_downloads_only_its_own(auth_url, browser, customers,
                                               tmp_path):
    url, folder = auth_url
    mine, my_name = customers[0]
    page = browser.new_page(viewport={"width": 1400, "height": 1200}, accept_downloads=True)
    sign_in(page, url, "cust", "cust-pass")
    page.get_by_role("heading", name="客户报告").first.wait_for(timeout=60_000)
    wait_idle(page)
    links = page.locator("[data-testid='stSidebarNavLink']")
    titles = [text.strip().splitlines()[-1] for text in links.all_inner_texts()]
    # One page only: Streamlit draws no menu for a single page.
    assert titles in ([], ["客户报告"]), titles
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.inner_text("body")
    assert my_name in body and mine in body
    assert others_in(body, mine, customers) == []
    assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(
        has_text="客户").count() == 0, "no customer filter"
    shot(page, "auth_customer_report")

    buttons = page.locator("[data-testid='stDownloadButton'] button")
    assert buttons.count() >= 2
    files = []
    for i in range(buttons.count()):
        with page.expect_download(timeout=120_000) as download:
            buttons.nth(i).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files.append(path)
    assert sorted(p.suffix for p in files) == [".pdf", ".xlsx"]
    for path in files:
        assert path.name.startswith(f"{mine}_")
        if path.suffix == ".pdf":
            text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        else:
            wb = load_workbook(path)
            text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows()
                             for c in row if c.value is not None)
        assert re.sub(r"\s+", "", my_name) in re.sub(r"[\s\x00]+", "", text), path.name
        assert others_in(text, mine, customers) == [], path.name
    log = (folder / "audit.log").read_text()
    assert log.count('"event": "export"') >= 2 and f'"scope": ["{mine}"]' in log

    # Typing another page's address (still signed in: the browser keeps its session cookie):
    # refused, no data on it.
    page.goto(url + "/sla")
    assert page.url.split("?")[0].endswith("/sla")
    page.get_by_text("您的账户无权打开此页面").wait_for(timeout=60_000)
    wait_idle(page)
    shot(page, "auth_customer_sla_refused")
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator(".js-plotly-plot").count() == 0
    assert others_in(page.inner_text("body"), mine, customers) == []
    page.close()
