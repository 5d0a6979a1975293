"""Workbooks built for the reading-limit tests (issue 15)."""

import re
import zipfile

import openpyxl


def wide_workbook(path, rows: int, last_column: int, dimension: str | None = "keep"):
    """A tickets sheet of ROWS rows, each also filling column LAST_COLUMN (XFD = 16384).

    DIMENSION "keep" leaves the size the writer recorded; another value replaces it (a workbook
    that lies about its size), None removes it.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["ticket_id", "customer_id", "reported_at"])
    for r in range(2, rows + 1):
        for c, v in ((1, f"T{r}"), (2, "C001"), (3, "2026-10-01 10:00"), (last_column, "x")):
            sheet.cell(r, c, v)
    book.save(path)
    if dimension != "keep":
        data = {}
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                data[info.filename] = z.read(info.filename)
        sheet_xml = "xl/worksheets/sheet1.xml"
        data[sheet_xml] = re.sub(rb'<dimension ref="[^"]*"\s*/>',
                                 f'<dimension ref="{dimension}"/>'.encode() if dimension else b"",
                                 data[sheet_xml])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in data.items():
                z.writestr(name, content)
    return path
