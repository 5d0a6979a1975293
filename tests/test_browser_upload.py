"""Upload in a real browser: choose files, see the preview, confirm once, every session sees it."""

import shutil
from pathlib import Path

import pytest

from tests.sqlcheck import rows as sql
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser
SCRIPT = "<script>alert(1)</script>"
TICKETS = (
    "ticket_id,customer_id,reported_at,channel,device\n"
    f"TB-UP-1,C001,2026-10-30 10:00,phone,{SCRIPT}\n"
    "TB-UP-2,C001,notadate,phone,printer\n"
    "TB-UP-3,C002,2026-10-30 11:15,email,scanner\n"
)


@pytest.fixture(scope="module")
def upload_app(fixture_db, tmp_path_factory):
    """The project served on a private copy of the fixture database (the upload changes it)."""
    need_browser()
    folder = tmp_path_factory.mktemp("upload_db")
    db = folder / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    for url in serve(ROOT, db):
        yield url, db


def grid_text(page, key: str) -> list[str]:
    """The headers and cells of the table in the container with KEY (the grid's a11y cells)."""
    return cells(page.locator(f".st-key-{key}"))


def cells(box) -> list[str]:
    """The headers and cells of the table in BOX."""
    box.locator("[role='gridcell']").first.wait_for(state="attached", timeout=60_000)
    # The grid writes its accessible cells' text once it has drawn, which on a busy machine comes
    # after the cells exist (a CI run read three empty cells): wait for the text itself.
    box.page.wait_for_function(
        "box => [...box.querySelectorAll(\"[role='gridcell']\")].some(c => c.innerText.trim())",
        arg=box.element_handle(), timeout=60_000)
    return box.locator("[role='gridcell'], [role='columnheader']").all_inner_texts()


def load_log(page) -> list[str]:
    """The load log's cells (the first table of the load log tab)."""
    page.get_by_role("tab", name="载入记录").click()
    return cells(page.locator("[role='tabpanel']:visible [data-testid='stDataFrame']").first)


def open_data(page, url: str, tab: str) -> None:
    """Open the Data page and one of its tabs."""
    page.goto(url + "/data")
    page.get_by_role("heading", name="数据").first.wait_for(state="attached", timeout=60_000)
    wait_idle(page)
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)


def test_upload_preview_confirm_and_every_session_sees_it(upload_app, browser,
                                                          tmp_path):
    url, db = upload_app
    before = sql(db, "SELECT count(*) FROM load_batches")[0][0]
    # A second person has the load log open before the upload.
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    watcher = other.new_page()
    open_data(watcher, url, "载入记录")
    assert "TB-UP" not in watcher.content()

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_data(page, url, "上传数据")
    page.get_by_text("单个文件上限 200 MB").wait_for(timeout=30_000)
    source = tmp_path / "tickets.csv"
    source.write_text(TICKETS, encoding="utf-8")
    page.locator(".st-key-upload_files input[type='file']").set_input_files(str(source))
    page.locator(".st-key-upload_summary_table").wait_for(timeout=60_000)
    wait_idle(page)
    summary = grid_text(page, "upload_summary_table")
    assert summary[summary.index("状态") + 1:] == [
        "1", "tickets.csv", "tickets.csv", "工单（tickets）", "标准格式", "utf-8", "—",
        "3", "2", "1", "可载入"]
    rejected = grid_text(page, "upload_rejected_0")
    assert rejected[3:5] == ["tickets.csv", "3"] and "notadate" in rejected[5]
    head = grid_text(page, "upload_head_0")
    assert SCRIPT in head and "TB-UP-3" in head       # the cell's text, as text
    page.locator(".st-key-upload_rejected_0").scroll_into_view_if_needed()
    shot(page, "upload_preview")
    assert sql(db, "SELECT count(*) FROM load_batches")[0][0] == before   # nothing written yet

    # An impatient double click loads once.
    page.get_by_role("button", name="确认载入").dblclick()
    page.get_by_text("已载入 1 个文件：2 行载入，1 行拒收").wait_for(timeout=120_000)
    wait_idle(page)
    shot(page, "upload_done")
    rows = sql(db, "SELECT file FROM load_batches ORDER BY finished_at DESC")
    assert len(rows) == before + 1
    file = Path(rows[0][0])
    assert file.name == "tickets.csv" and file.parent.parent == db.parent / "uploads"
    assert sql(db, "SELECT ticket_id, device FROM tickets WHERE ticket_id LIKE 'TB-UP-%' "
                   "ORDER BY 1") == [("TB-UP-1", SCRIPT), ("TB-UP-3", "scanner")]
    assert grid_text(page, "upload_result_table")[7:13] == [
        "tickets.csv", "tickets", "utf-8", "3", "2", "1"]
    # The page that loaded shows the new load in its load log.
    logged = f"{file.parent.name}/tickets.csv"
    assert logged in load_log(page)
    assert not dialogs and page.locator("script", has_text="alert(1)").count() == 0

    # The session that was open before: its next run (here, opening the page again) shows it.
    assert logged not in load_log(watcher)
    watcher.locator("[data-testid='stSidebarNavLink']", has_text="总览").click()
    wait_idle(watcher)
    watcher.locator("[data-testid='stSidebarNavLink']", has_text="数据").click()
    wait_idle(watcher)
    assert logged in load_log(watcher)
    shot(watcher, "upload_seen_by_another_session")
    context.close()
    other.close()


def test_an_export_is_read_through_the_profile_its_headers_match(upload_app, browser):
    url, db = upload_app
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_data(page, url, "上传数据")
    export = ROOT / "tests" / "data" / "profiles" / "servicenow_incident.csv"
    page.locator(".st-key-upload_files input[type='file']").set_input_files(str(export))
    summary = grid_text(page, "upload_summary_table")
    assert summary[summary.index("状态") + 1:] == [
        "1", "servicenow_incident.csv", "servicenow_incident.csv", "工单（tickets）",
        "ServiceNow", "utf-8", "—", "5", "4", "1", "可载入"]
    # one row in five will not load: the same warning as the command line, before Confirm
    loss = page.locator(".st-key-upload_loss")
    loss.scroll_into_view_if_needed()
    assert "servicenow_incident.csv (tickets): 1 of 5 rows not loaded (20.0%)" \
        in loss.inner_text()
    page.get_by_text("文件 1 · 工单（tickets）").click()
    mapping = grid_text(page, "upload_mapping_0")
    assert mapping[3:6] == ["ticket_id", "工单号", "number"]
    page.locator(".st-key-upload_mapping_0").scroll_into_view_if_needed()
    page.wait_for_timeout(800)   # the expander's opening animation
    shot(page, "upload_servicenow_preview")
    page.close()
