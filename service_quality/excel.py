"""Excel workbooks from DataFrames: real numbers and dates, safe text, streamed rows.

Every sheet is written with openpyxl in write-only mode, so memory stays bounded however many
rows a sheet has. Text from data files is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import re
import types
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from et_xmlfile import incremental_tree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
RED_FILL = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
RED_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")
# Characters XML 1.0 cannot hold; openpyxl refuses them, so they are dropped (tab, CR, LF stay).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escape_text(text: str) -> str:
    text = ET._escape_cdata(text)
    return text.replace("\r", "&#13;") if "\r" in text else text


# XML readers turn a written carriage return into a line feed, so "\rx" in a comment would come
# back as "\nx". openpyxl streams cells through et_xmlfile: make its text escaping write CR as
# the character reference &#13;, which Excel and openpyxl read back as CR (only that serializer's
# view of ElementTree is changed; attributes already escape CR).
if not getattr(incremental_tree.ET, "_escapes_cr", False):
    incremental_tree.ET = types.SimpleNamespace(
        **{**vars(ET), "_escape_cdata": _escape_text, "_escapes_cr": True})
# Rows turned into cells at a time: memory stays the same however long the sheet is.
CHUNK = 2000
# Excel's own limits on sheet names.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Chart:
    """A native Excel chart of some columns of the sheet against its first column."""

    title: str
    columns: list[str]
    kind: str = "line"          # "line" or "bar"
    percent: bool = False       # y axis formatted as a percentage
    anchor: str | None = None   # top-left cell; default: right of the table


@dataclass
class Sheet:
    """One sheet: a frame, its column labels, and how to format and flag it."""

    name: str
    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)     # column → header text
    percent: Iterable[str] = ()                              # columns holding 0–1 rates
    flag_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column → red values
    flag_negative: Iterable[str] = ()                        # numeric columns red below zero
    charts: list[Chart] = field(default_factory=list)
    title: str | None = None                                 # a line above the table
    flag_positive: Iterable[str] = ()                        # numeric columns red above zero
    # A column (not written) naming each row's number format for the percent columns, so one
    # table can mix rates with counts or hours; a None row keeps the column's own format.
    row_format: str | None = None
    # More tables written below this one on the same sheet (their `name` is not used).
    below: list[Sheet] = field(default_factory=list)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no []:*?/\\)."""
    base = _SHEET_BAD.sub("_", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _number_format(series: pd.Series, is_percent: bool) -> str | None:
    if is_percent:
        return PERCENT
    if pd.api.types.is_datetime64_any_dtype(series):
        # A column of midnights is a column of dates; checked a chunk at a time.
        is_date = all((part == part.dt.normalize()).all()
                      for part in (series.iloc[i:i + CHUNK].dropna()
                                   for i in range(0, len(series), CHUNK)))
        return DATE if is_date and series.notna().any() else DATETIME
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return INTEGER
    if pd.api.types.is_float_dtype(series):
        return DECIMAL
    return None


def _width(series: pd.Series, header: str, fmt: str | None) -> float:
    if fmt in (DATETIME,):
        longest = 16
    elif fmt == DATE:
        longest = 10
    else:
        sample = series.head(200).astype("string").fillna("")
        # CJK characters take two columns of width.
        longest = max([_display_len(s) for s in sample] + [0])
    return min(max(longest, _display_len(header)) + 2, 60)


def _display_len(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _cells(ws, values: np.ndarray, formats: list[str | None]) -> list[WriteOnlyCell]:
    row = []
    for value, fmt in zip(values, formats, strict=True):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            row.append(WriteOnlyCell(ws, value=None))
            continue
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("", value))
            # Text from files stays text: "=1+1", "+86…", "@x" must never become a formula.
            cell.data_type = "s"
        else:
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            elif isinstance(value, np.generic):
                value = value.item()
            cell = WriteOnlyCell(ws, value=value)
        if fmt:
            cell.number_format = fmt
        row.append(cell)
    return row


def _formats(sheet: Sheet, columns: list[str]) -> list[str | None]:
    """Number format per column."""
    percent = set(sheet.percent)
    return [_number_format(sheet.frame[c], c in percent) for c in columns]


def _write_table(ws, sheet: Sheet, first: int) -> int:
    """Write sheet's title, header and rows from row `first` on; return the last row written."""
    frame = sheet.frame
    columns = [c for c in frame.columns if c != sheet.row_format]
    headers = [sheet.labels.get(c, c) for c in columns]
    formats = _formats(sheet, columns)
    percent = [c in set(sheet.percent) for c in columns]
    if sheet.title:
        title = WriteOnlyCell(ws, value=_ILLEGAL.sub("", sheet.title))
        title.data_type = "s"
        title.font = Font(bold=True, size=13)
        ws.append([title])
        first += 1
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("", str(h)))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    ws.append(header_cells)
    last_row = first + len(frame)
    # Python objects a chunk of rows at a time, so a long sheet never exists twice in memory.
    for i in range(0, len(frame), CHUNK):
        part = frame.iloc[i:i + CHUNK]
        data = part[columns]
        values = data.astype("object").where(data.notna(), None).to_numpy()
        if sheet.row_format is None:
            for row in values:
                ws.append(_cells(ws, row, formats))
        else:
            for row, own in zip(values, part[sheet.row_format].to_numpy(), strict=True):
                ws.append(_cells(ws, row, [own if p and isinstance(own, str) else f
                                           for p, f in zip(percent, formats, strict=True)]))
    _conditional_formats(ws, sheet, columns, first, last_row)
    _charts(ws, sheet, columns, first, last_row)
    return last_row


def _set_widths(ws, tables: list[Sheet]) -> None:
    widths: dict[int, float] = {}
    for sheet in tables:
        columns = [c for c in sheet.frame.columns if c != sheet.row_format]
        formats = _formats(sheet, columns)
        for i, c in enumerate(columns, start=1):
            w = _width(sheet.frame[c], sheet.labels.get(c, c), formats[i - 1])
            widths[i] = max(widths.get(i, 0), w)
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = w


def _write_sheet(wb: Workbook, sheet: Sheet, taken: set[str]) -> None:
    ws = wb.create_sheet(sheet_name(sheet.name, taken))
    _set_widths(ws, [sheet, *sheet.below])
    first = 2 if sheet.title else 1
    # Write-only sheets write their views with the first row, so freeze before any append.
    ws.freeze_panes = f"A{first + 1}"
    columns = [c for c in sheet.frame.columns if c != sheet.row_format]
    if columns:
        # One autofilter per sheet: on the first table.
        last_col = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{first}:{last_col}{max(first + len(sheet.frame), first)}"
    last = _write_table(ws, sheet, 1)
    for table in sheet.below:
        ws.append([])  # one blank row between tables
        last = _write_table(ws, table, last + 2)


def _conditional_formats(ws, sheet: Sheet, columns: list[str], first: int, last: int) -> None:
    if last <= first:
        return
    for col, bad in sheet.flag_values.items():
        if col not in columns:
            continue
        letter = get_column_letter(columns.index(col) + 1)
        cells = f"{letter}{first + 1}:{letter}{last}"
        # The rule's values are ours (status words), quoted for Excel's formula syntax.
        terms = ",".join(f'{letter}{first + 1}="{v.replace(chr(34), "")}"' for v in bad)
        ws.conditional_formatting.add(
            cells, FormulaRule(formula=[f"OR({terms})"], fill=RED_FILL, font=RED_FONT))
    for cols, op in ((sheet.flag_negative, "<"), (sheet.flag_positive, ">")):
        for col in cols:
            if col not in columns:
                continue
            letter = get_column_letter(columns.index(col) + 1)
            ref = f"{letter}{first + 1}"
            ws.conditional_formatting.add(
                f"{letter}{first + 1}:{letter}{last}",
                FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}{op}0)"],
                            fill=RED_FILL, font=RED_FONT))


def _charts(ws, sheet: Sheet, columns: list[str], first: int, last: int) -> None:
    if last <= first:
        return
    for n, spec in enumerate(sheet.charts):
        chart = BarChart() if spec.kind == "bar" else LineChart()
        chart.title = spec.title
        chart.height, chart.width = 7.5, 16
        for col in spec.columns:
            if col not in columns:
                continue
            idx = columns.index(col) + 1
            chart.add_data(Reference(ws, min_col=idx, min_row=first, max_row=last),
                           titles_from_data=True)
        categories = Reference(ws, min_col=1, min_row=first + 1, max_row=last)
        if pd.api.types.is_numeric_dtype(sheet.frame[columns[0]]):
            chart.set_categories(categories)
        else:
            # Text categories (months "2026-01") are a string reference, or Excel numbers them.
            for series in chart.series:
                series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        # openpyxl 3.1 leaves `delete` unset, which Excel reads as "axis hidden".
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        if spec.percent:
            chart.y_axis.numFmt = PERCENT
            chart.y_axis.number_format = PERCENT
        anchor = spec.anchor or f"{get_column_letter(len(columns) + 2)}{first + n * 16}"
        ws.add_chart(chart, anchor)


def write_workbook(sheets: list[Sheet], target) -> None:
    """Write the sheets, streamed (write-only), to a path or a binary file object."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        _write_sheet(wb, sheet, taken)
    if not sheets:
        wb.create_sheet("Sheet")
    wb.save(target)


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """An .xlsx file of the sheets, streamed (write-only), as bytes."""
    out = io.BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def table_bytes(frame: pd.DataFrame, name: str, labels: dict[str, str] | None = None,
                percent: Iterable[str] = (), flag_values: dict | None = None,
                flag_negative: Iterable[str] = (), flag_positive: Iterable[str] = ()) -> bytes:
    """One table as a one-sheet workbook: exactly the rows and columns given."""
    return workbook_bytes([Sheet(name, frame, labels or {}, percent, flag_values or {},
                                 flag_negative=flag_negative, flag_positive=flag_positive)])
