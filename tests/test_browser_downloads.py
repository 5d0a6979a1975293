"""The customer report's downloads in a real browser: the PDF and the workbook arrive and open."""

import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_url(fixture_db):
    """The project served on the fixture database."""
    need_browser()
    yield from serve(ROOT, fixture_db)


def test_download_the_pdf_and_the_workbook(report_url, browser, fixture_db, tmp_path):
    import duckdb

    con = duckdb.connect(str(fixture_db), read_only=True)
    name = con.execute("SELECT name FROM customers WHERE customer_id = 'C001'").fetchall()[0][0]
    con.close()
    page = browser.new_page(viewport={"width": 1400, "height": 1200}, accept_downloads=True)
    page.goto(report_url + "/report")
    page.get_by_role("heading", name="客户报告").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "report_page")

    with page.expect_download(timeout=120_000) as pdf_download:
        page.get_by_role("button", name="下载 PDF").click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.name.startswith("C001_") and pdf_path.suffix == ".pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(pdf_path).pages))
    assert name in text

    with page.expect_download(timeout=120_000) as xlsx_download:
        page.get_by_role("button", name="下载 Excel").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.suffix == ".xlsx"
    wb = load_workbook(xlsx_path)
    assert "服务概况" in wb.sheetnames
    assert name in wb["客户与合同"]["B3"].value
    page.close()
