"""Excel workbooks from DataFrames: real numbers and dates, safe text, streamed rows.

Every sheet is written with XlsxWriter in constant-memory mode: each row goes to a temporary file
as soon as the next one starts, so memory stays bounded however many rows a sheet has. Each
column is converted once, vectorised, into the values XlsxWriter takes and the one method that
writes them, so the row loop does no per-cell work of its own. Text from data files is always
written with write_string: it stays text, never a formula.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import xlsxwriter

PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
RED_FILL = "#FFC7CE"
RED_FONT = "#9C0006"
HEADER_FILL = "#DDEBF7"
# Characters XML 1.0 cannot hold (tab, CR and LF can): dropped, as Excel could not open the file.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text needing a look of its own: an illegal character, a carriage return, or text that
# XlsxWriter would take for its own rich-string XML (it writes "<r>…</r>" unescaped).
_SPECIAL = "[\x00-\x08\x0b-\x1f\ufffe\uffff]|^<r>[\\s\\S]*</r>$"
# Excel's own limits on sheet names; "History" is reserved for its change tracking.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}
# Excel's day 0 is 1899-12-30 for every date after its phantom 1900-02-29 (serial 60).
_EPOCH = np.datetime64("1899-12-30", "us")
_DAY_US = 86_400_000_000
# Chart size in pixels at 96 dpi: 16 × 7.5 cm.
_CHART_SIZE = {"width": 605, "height": 283}


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
    base = _SHEET_BAD.sub("_", _ILLEGAL.sub("", name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken or candidate.lower() in _RESERVED:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def safe_text(text: str) -> str:
    """Text as write_string must get it: XML-illegal characters dropped, CR kept as CR."""
    text = _ILLEGAL.sub("", text)
    if "\r" in text or (text.startswith("<r>") and text.endswith("</r>")):
        # XML readers turn a written CR into LF, and XlsxWriter writes it as _x000D_, which
        # Excel decodes but other readers (openpyxl) do not. Both read the character reference
        # &#13;, which only a rich string can carry: one run, escaped here, written as given.
        body = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\r", "&#13;"))
        return f'<r><t xml:space="preserve">{body}</t></r>'
    return text


# ---- Columns: converted a chunk at a time into the values XlsxWriter writes --------------------

# Rows converted to Python values at a time: memory stays the same however long the sheet is.
CHUNK = 5000


@dataclass
class _Column:
    """How to write one column: what kind of writer, its number format, and how to turn a
    chunk of the column into one value per row (None: no cell)."""

    kind: str                   # "text", "number", "bool" or "any"
    number_format: str | None
    convert: Callable[[pd.Series], list]


def _is_date_only(stamps: np.ndarray) -> bool:
    """True when every (non-missing) moment is a midnight: a column of dates."""
    ticks = stamps.view("int64")
    ticks = ticks[stamps == stamps]  # NaT is not equal to itself
    return bool(len(ticks)) and not (ticks % _DAY_US).any()


def _stamps(series: pd.Series) -> np.ndarray:
    if getattr(series.dt, "tz", None) is not None:
        # Shown as the wall-clock time it was recorded in; Excel has no time zones.
        series = series.dt.tz_localize(None)
    return series.to_numpy(dtype="datetime64[us]")


def _serials(series: pd.Series) -> list:
    """Datetimes as Excel serial numbers, None for NaT."""
    stamps = _stamps(series)
    days = (stamps - _EPOCH).astype("int64") / _DAY_US
    # Before 1900-03-01 Excel counts from 1899-12-31 (it believes in 1900-02-29).
    days = np.where(days < 61, days - 1, days)
    return _with_none(days, np.isnat(stamps))


def _with_none(values: np.ndarray, missing: np.ndarray) -> list:
    out = values.astype(object)
    out[missing] = None
    return out.tolist()


def _numbers(series: pd.Series) -> list:
    """Numbers as Python ints/floats; NaN, ±inf and NA as None (an empty cell)."""
    if pd.api.types.is_integer_dtype(series) and not series.hasnans:
        return series.tolist()
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return _with_none(values, ~np.isfinite(values))


def _objects(series: pd.Series) -> list:
    return series.astype(object).where(series.notna(), None).tolist()


def _texts(series: pd.Series) -> list:
    """Text with missing values as None; only the rare special texts get Python work."""
    values = _objects(series)
    special = series.astype("str").str.contains(_SPECIAL, regex=True, na=False)
    for i in np.flatnonzero(special.to_numpy(dtype=bool)):
        values[i] = safe_text(values[i])
    return values


def _datetimes(series: pd.Series, percent: bool) -> _Column:
    fmt = PERCENT if percent else DATE if _is_date_only(_stamps(series)) else DATETIME
    return _Column("number", fmt, _serials)


def _column(series: pd.Series, percent: bool) -> _Column:
    """How to write one column, decided once from the whole column."""
    fmt = PERCENT if percent else None
    if pd.api.types.is_bool_dtype(series):
        return _Column("bool", None, _objects)
    if pd.api.types.is_datetime64_any_dtype(series):
        return _datetimes(series, percent)
    if pd.api.types.is_numeric_dtype(series):
        integer = pd.api.types.is_integer_dtype(series)
        return _Column("number", fmt or (INTEGER if integer else DECIMAL), _numbers)
    if isinstance(series.dtype, pd.StringDtype):
        return _Column("text", fmt, _texts)
    if series.dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            return _Column("text", fmt, _texts)
        if inferred in ("date", "datetime", "datetime64"):
            converted = pd.to_datetime(series, errors="coerce")
            if converted.isna().sum() == series.isna().sum():
                plan = _datetimes(converted, percent)
                return _Column("number", plan.number_format,
                               lambda part: _serials(pd.to_datetime(part)))
    # Mixed objects (Decimal, lists, dates among text): each cell by its own type.
    return _Column("any", fmt, _objects)


# ---- Writing ----------------------------------------------------------------------------------

class _Book:
    """An XlsxWriter workbook with its formats made once."""

    def __init__(self, target):
        self.wb = xlsxwriter.Workbook(target, {
            # Rows stream to a temporary file; text never turns into a formula, link or number.
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self._formats: dict[str | None, object] = {None: None}
        self.header = self.wb.add_format({"bold": True, "bg_color": HEADER_FILL,
                                          "pattern": 1, "valign": "vcenter"})
        self.title = self.wb.add_format({"bold": True, "font_size": 13})
        self.red = self.wb.add_format({"bg_color": RED_FILL, "font_color": RED_FONT})

    def fmt(self, number_format: str | None):
        """The cell format of a number format (one object per format)."""
        if number_format not in self._formats:
            self._formats[number_format] = self.wb.add_format({"num_format": number_format})
        return self._formats[number_format]


def _writer(book: _Book, ws, kind: str) -> Callable:
    if kind == "text":
        return ws.write_string
    if kind == "number":
        return ws.write_number
    if kind == "bool":
        return ws.write_boolean
    return lambda row, col, value, fmt: _write_any(book, ws, row, col, value, fmt)


def _write_any(book: _Book, ws, row: int, col: int, value, fmt) -> None:
    """One cell of a mixed column, by the value's own type."""
    if isinstance(value, str):
        ws.write_string(row, col, safe_text(value), fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, int | float | Decimal | np.number):
        number = float(value) if isinstance(value, Decimal | np.floating) else value
        if isinstance(number, np.integer):
            number = int(number)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
    elif isinstance(value, datetime | date | time | timedelta | pd.Timestamp):
        if isinstance(value, pd.Timestamp):
            value = value.tz_localize(None).to_pydatetime() if value.tzinfo else \
                value.to_pydatetime()
        elif isinstance(value, datetime) and value.tzinfo:
            value = value.replace(tzinfo=None)
        default = DATE if type(value) is date else DATETIME
        ws.write_datetime(row, col, value, fmt or book.fmt(default))
    elif isinstance(value, list | tuple | np.ndarray):
        ws.write_string(row, col, safe_text(", ".join(map(str, value))), fmt)
    else:
        ws.write_string(row, col, safe_text(str(value)), fmt)


def _display_len(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _width(series: pd.Series, header: str, fmt: str | None) -> float:
    if fmt == DATETIME:
        longest = 16
    elif fmt == DATE:
        longest = 10
    else:
        sample = series.head(200).astype("string").fillna("")
        # CJK characters take two columns of width.
        longest = max([_display_len(s) for s in sample] + [0])
    return min(max(longest, _display_len(header)) + 2, 60)


def _columns(sheet: Sheet) -> list[str]:
    return [c for c in sheet.frame.columns if c != sheet.row_format]


def _prepare(sheet: Sheet) -> list[_Column]:
    frame, percent = sheet.frame, set(sheet.percent)
    return [_column(frame.iloc[:, i], c in percent) for i, c in enumerate(frame.columns)
            if c != sheet.row_format]


def _write_rows(book: _Book, ws, sheet: Sheet, columns: list[_Column], first: int) -> None:
    """The table's rows from row `first` (0-based): one call of XlsxWriter per cell."""
    if not columns:
        return
    calls = [(c, _writer(book, ws, col.kind), book.fmt(col.number_format))
             for c, col in enumerate(columns)]
    positions = [i for i, c in enumerate(sheet.frame.columns) if c != sheet.row_format]
    rates = [c in set(sheet.percent) for c in _columns(sheet)]
    for start in range(0, len(sheet.frame), CHUNK):
        part = sheet.frame.iloc[start:start + CHUNK]
        rows = zip(*(col.convert(part.iloc[:, i]) for col, i in
                     zip(columns, positions, strict=True)), strict=True)
        if sheet.row_format is None:
            for r, values in enumerate(rows, start=first + start):
                for (c, write, fmt), value in zip(calls, values, strict=True):
                    if value is not None:
                        write(r, c, value, fmt)
            continue
        # A table mixing formats per row is a few rows (the summary's KPIs).
        own = part[sheet.row_format].tolist()
        for r, (values, row_fmt) in enumerate(zip(rows, own, strict=True), start=first + start):
            for (c, write, fmt), value, rate in zip(calls, values, rates, strict=True):
                if value is not None:
                    write(r, c, value, book.fmt(row_fmt) if rate and isinstance(row_fmt, str)
                          else fmt)


def _write_table(book: _Book, ws, sheet: Sheet, columns: list[_Column], start: int) -> int:
    """Write sheet's title, header and rows from row `start` (0-based); return the last row."""
    names = _columns(sheet)
    if sheet.title:
        ws.write_string(start, 0, safe_text(sheet.title), book.title)
        start += 1
    for c, name in enumerate(names):
        ws.write_string(start, c, safe_text(str(sheet.labels.get(name, name))), book.header)
    _write_rows(book, ws, sheet, columns, start + 1)
    last = start + len(sheet.frame)
    _conditional_formats(book, ws, sheet, names, start, last)
    _charts(book, ws, sheet, names, columns, start, last)
    return last


def _set_widths(ws, tables: list[tuple[Sheet, list[_Column]]]) -> None:
    widths: dict[int, float] = {}
    for sheet, columns in tables:
        for i, (c, col) in enumerate(zip(_columns(sheet), columns, strict=True)):
            w = _width(sheet.frame[c], sheet.labels.get(c, c), col.number_format)
            widths[i] = max(widths.get(i, 0), w)
    for i, w in widths.items():
        ws.set_column(i, i, w)


def _write_sheet(book: _Book, sheet: Sheet, taken: set[str]) -> None:
    ws = book.wb.add_worksheet(sheet_name(sheet.name, taken))
    tables = [(table, _prepare(table)) for table in (sheet, *sheet.below)]
    _set_widths(ws, tables)
    header = 1 if sheet.title else 0
    ws.freeze_panes(header + 1, 0)
    if tables[0][1]:
        # One autofilter per sheet: on the first table.
        ws.autofilter(header, 0, header + len(sheet.frame), len(tables[0][1]) - 1)
    last = -2
    for table, columns in tables:
        last = _write_table(book, ws, table, columns, last + 2)  # a blank row between tables


def _cell(row: int, col: int) -> str:
    return xlsxwriter.utility.xl_rowcol_to_cell(row, col)


def _conditional_formats(book: _Book, ws, sheet: Sheet, columns: list[str], header: int,
                         last: int) -> None:
    if last <= header:
        return
    for col, bad in sheet.flag_values.items():
        if col not in columns:
            continue
        c = columns.index(col)
        ref = _cell(header + 1, c)
        # The rule's values are ours (status words), quoted for Excel's formula syntax.
        terms = ",".join(f'{ref}="{v.replace(chr(34), "")}"' for v in bad)
        ws.conditional_format(header + 1, c, last, c, {
            "type": "formula", "criteria": f"OR({terms})", "format": book.red})
    for cols, op in ((sheet.flag_negative, "<"), (sheet.flag_positive, ">")):
        for col in cols:
            if col not in columns:
                continue
            c = columns.index(col)
            ref = _cell(header + 1, c)
            ws.conditional_format(header + 1, c, last, c, {
                "type": "formula", "criteria": f"AND(ISNUMBER({ref}),{ref}{op}0)",
                "format": book.red})


def _charts(book: _Book, ws, sheet: Sheet, names: list[str], columns: list[_Column],
            header: int, last: int) -> None:
    if last <= header or not sheet.charts:
        return
    # The cached values go with the chart: in constant-memory mode XlsxWriter cannot read
    # them back from the sheet, and text categories ("2026-01") need them to be a string
    # reference, or Excel numbers the months 1, 2, 3.
    frame = sheet.frame
    categories = columns[0].convert(frame[names[0]]) if columns[0].kind == "number" else \
        [None if v is None else str(v) for v in _objects(frame[names[0]])]
    for n, spec in enumerate(sheet.charts):
        shown = [col for col in spec.columns if col in names]
        if not shown:
            continue  # nothing to draw (a period without surveys): no empty chart
        chart = book.wb.add_chart({"type": "column" if spec.kind == "bar" else "line"})
        for col in shown:
            c = names.index(col)
            chart.add_series({
                "name": [ws.name, header, c], "name_data": [str(sheet.labels.get(col, col))],
                "categories": [ws.name, header + 1, 0, last, 0],
                "categories_data": categories,
                "values": [ws.name, header + 1, c, last, c],
                "values_data": _numbers(pd.to_numeric(frame[col], errors="coerce")),
            })
        chart.set_title({"name": spec.title})
        chart.set_size(_CHART_SIZE)
        if spec.percent:
            chart.set_y_axis({"num_format": PERCENT})
        if spec.anchor:
            ws.insert_chart(spec.anchor, chart)
        else:
            ws.insert_chart(header + n * 16, len(names) + 1, chart)


def write_workbook(sheets: list[Sheet], target) -> None:
    """Write the sheets, streamed (constant memory), to a path or a binary file object."""
    book = _Book(str(target) if not hasattr(target, "write") else target)
    taken: set[str] = set()
    for sheet in sheets:
        _write_sheet(book, sheet, taken)
    if not sheets:
        book.wb.add_worksheet("Sheet")
    book.wb.close()


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """An .xlsx file of the sheets, streamed (constant memory), as bytes."""
    out = io.BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def table_bytes(frame: pd.DataFrame, name: str, labels: dict[str, str] | None = None,
                percent: Iterable[str] = (), flag_values: dict | None = None,
                flag_negative: Iterable[str] = (), flag_positive: Iterable[str] = ()) -> bytes:
    """One table as a one-sheet workbook: exactly the rows and columns given."""
    return workbook_bytes([Sheet(name, frame, labels or {}, percent, flag_values or {},
                                 flag_negative=flag_negative, flag_positive=flag_positive)])
