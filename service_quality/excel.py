"""Excel workbooks from DataFrames: real numbers and dates, safe text, streamed rows.

Every workbook is written with XlsxWriter in constant-memory mode: rows go to a temporary file
as they are written, so memory stays bounded however many rows a sheet has. XlsxWriter makes
the workbook — styles, header, widths, freeze panes, autofilter, red conditional formats, native
charts, the package. The rows of a table are built a chunk at a time, column by column, as the
cell XML XlsxWriter itself writes (pyarrow string kernels: no Python work per cell), and handed
to the sheet's row file; a table whose cells need Python (mixed object columns, per-row number
formats) goes through XlsxWriter's own writers cell by cell. Either way text from data files is
an inline string, never a formula; a CR stays a CR, XML-illegal characters are dropped.
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
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
TIME = "hh:mm"
DURATION = "[h]:mm"
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
_SPECIAL_SURROGATE = "[\ud800-\udfff]|" + _SPECIAL
# The same illegal characters in RE2's syntax (pyarrow's regular expressions).
_ILLEGAL_RE2 = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
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


# ---- Columns: converted a chunk at a time, vectorised ------------------------------------------

# Rows converted at a time: memory stays the same however long the sheet is.
CHUNK = 5000


@dataclass
class _Column:
    """How to write one column: its kind, its number format, and how to turn a chunk of it
    into a value per row (None: no cell) or, vectorised, into each cell's escaped XML content
    (null: no cell; None when the chunk needs looking at cell by cell)."""

    kind: str                   # "text", "number", "bool" or "any"
    number_format: str | None
    values: Callable[[pd.Series], list]
    content: Callable[[pd.Series], pa.Array | None] | None = None


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


def _serial_days(series: pd.Series) -> np.ndarray:
    """Datetimes as Excel serial numbers (days), NaN for NaT."""
    stamps = _stamps(series)
    days = (stamps - _EPOCH).astype("int64") / _DAY_US
    # Before 1900-03-01 Excel counts from 1899-12-31 (it believes in 1900-02-29).
    days = np.where(days < 61, days - 1, days)
    return np.where(np.isnat(stamps), np.nan, days)


def _with_none(values: np.ndarray, missing: np.ndarray) -> list:
    out = values.astype(object)
    out[missing] = None
    return out.tolist()


def _floats(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _numbers(values: pd.Series | np.ndarray) -> list:
    """Numbers as Python ints/floats; NaN, ±inf and NA as None (an empty cell)."""
    if isinstance(values, pd.Series):
        if pd.api.types.is_integer_dtype(values):
            return values.tolist() if not values.hasnans else _objects(values)
        values = _floats(values)
    return _with_none(values, ~np.isfinite(values))


def _number_content(values: pd.Series | np.ndarray) -> pa.Array:
    """Numbers as the text of <v> (shortest exact form), null for NaN, ±inf and NA."""
    if isinstance(values, pd.Series):
        if pd.api.types.is_integer_dtype(values):
            return pc.cast(pa.array(values, from_pandas=True), pa.string())
        values = _floats(values)
    return pc.cast(pa.array(np.where(np.isfinite(values), values, np.nan), from_pandas=True),
                   pa.string())


def _objects(series: pd.Series) -> list:
    return series.astype(object).where(series.notna(), None).tolist()


def _texts(series: pd.Series) -> list:
    """Text with missing values as None; only the rare special texts get Python work."""
    values = _objects(series)
    # Object columns are matched by Python's re, and may hold lone surrogates (arrow cannot).
    pattern = _SPECIAL_SURROGATE if series.dtype == object else _SPECIAL
    special = series.str.contains(pattern, regex=True, na=False)
    for i in np.flatnonzero(special.to_numpy(dtype=bool)):
        values[i] = safe_text(values[i])
    return values


def _text_content(series: pd.Series) -> pa.Array | None:
    """Text escaped for <is><t>…</t></is>, with the opening tags; null for no cell."""
    try:
        text = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeEncodeError):
        return None  # not all text, or lone surrogates: cell by cell
    text = pc.replace_substring_regex(text, _ILLEGAL_RE2, "")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    keep_space = pc.match_substring_regex(text, r"^[ \t\n\r]|[ \t\n\r]$")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        # A written CR reads back as LF; the character reference reads back as CR.
        text = pc.replace_substring(text, char, entity)
    # Excel decodes _xHHHH_ as a character: its underscore is escaped to keep the text as is.
    text = pc.replace_substring_regex(text, r"_x[0-9a-fA-F]{4}_", r"_x005F\0")
    return pc.binary_join_element_wise(
        pc.if_else(keep_space, '<is><t xml:space="preserve">', "<is><t>"), text, "")


def _bool_content(series: pd.Series) -> pa.Array:
    return pc.if_else(pa.array(series, type=pa.bool_(), from_pandas=True), "1", "0")


def _datetimes(series: pd.Series, percent: bool, parse=None) -> _Column:
    fmt = PERCENT if percent else DATE if _is_date_only(_stamps(series)) else DATETIME
    parse = parse or (lambda part: part)
    return _Column("number", fmt, lambda part: _numbers(_serial_days(parse(part))),
                   lambda part: _number_content(_serial_days(parse(part))))


def _column(series: pd.Series, percent: bool) -> _Column:
    """How to write one column, decided once from the whole column."""
    fmt = PERCENT if percent else None
    if pd.api.types.is_bool_dtype(series):
        return _Column("bool", None, _objects, _bool_content)
    if pd.api.types.is_datetime64_any_dtype(series):
        return _datetimes(series, percent)
    if pd.api.types.is_numeric_dtype(series):
        integer = pd.api.types.is_integer_dtype(series)
        return _Column("number", fmt or (INTEGER if integer else DECIMAL), _numbers,
                       _number_content)
    if isinstance(series.dtype, pd.StringDtype):
        return _Column("text", fmt, _texts, _text_content)
    if series.dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            return _Column("text", fmt, _texts, _text_content)
        if inferred in ("date", "datetime", "datetime64"):
            converted = pd.to_datetime(series, errors="coerce")
            if converted.isna().sum() == series.isna().sum():
                return _datetimes(converted, percent, pd.to_datetime)
    # Mixed objects (Decimal, lists, dates among text): each cell by its own type.
    return _Column("any", fmt, _objects)


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet with one addition: many rows at once, as their ready XML.

    Used in constant-memory mode, where XlsxWriter itself streams each finished row to the
    sheet's temporary file: the rows given go to the same file, in order, after the rows
    written before them, and the sheet's dimensions take them in.
    """

    def write_rows_xml(self, first: int, last: int, last_col: int, xml: str) -> None:
        """Rows `first`..`last` (0-based, below every row written so far) as <row> XML."""
        if not self.constant_memory or first < self.previous_row:
            raise ValueError("rows as XML go below the rows written, in constant-memory mode")
        self._write_single_row(first)  # the row written before (a header) goes out first
        self._check_dimensions(first, 0)
        self._check_dimensions(last, last_col)
        self.fh.write(xml)
        self.previous_row = last + 1


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
    elif isinstance(value, timedelta):
        # A duration: days as Excel counts them, shown as hours and minutes.
        if not pd.isna(value):
            ws.write_number(row, col, value.total_seconds() / 86_400, fmt or book.fmt(DURATION))
    elif isinstance(value, datetime | date | time):
        if isinstance(value, pd.Timestamp):
            value = value.tz_localize(None).to_pydatetime() if value.tzinfo else \
                value.to_pydatetime()
        elif isinstance(value, datetime | time) and value.tzinfo:
            value = value.replace(tzinfo=None)
        default = DATE if type(value) is date else TIME if type(value) is time else DATETIME
        ws.write_datetime(row, col, value, fmt or book.fmt(default))
    elif isinstance(value, list | tuple | np.ndarray):
        ws.write_string(row, col, safe_text(", ".join(map(str, value))), fmt)
    else:
        ws.write_string(row, col, safe_text(str(value)), fmt)


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value))


def _display_len(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _width(series: pd.Series, header: str, fmt: str | None) -> float:
    if fmt == DATETIME:
        longest = 16
    elif fmt == DATE:
        longest = 10
    else:
        # CJK characters take two columns of width.
        longest = max([_display_len(s) for s in series.head(200) if not _missing(s)] + [0])
    return min(max(longest, _display_len(header)) + 2, 60)


def _columns(sheet: Sheet) -> list[str]:
    return [c for c in sheet.frame.columns if c != sheet.row_format]


def _prepare(sheet: Sheet) -> list[_Column]:
    frame, percent = sheet.frame, set(sheet.percent)
    return [_column(frame.iloc[:, i], c in percent) for i, c in enumerate(frame.columns)
            if c != sheet.row_format]


def _write_rows(book: _Book, ws, sheet: Sheet, columns: list[_Column], first: int) -> None:
    """The table's rows from row `first` (0-based), a chunk of rows at a time."""
    if not columns:
        return
    positions = [i for i, c in enumerate(sheet.frame.columns) if c != sheet.row_format]
    for start in range(0, len(sheet.frame), CHUNK):
        part = sheet.frame.iloc[start:start + CHUNK]
        xml = None if sheet.row_format else _rows_xml(book, columns, part, positions,
                                                      first + start)
        if xml is None:
            _write_cells(book, ws, sheet, columns, part, positions, first + start)
        else:
            ws.write_rows_xml(first + start, first + start + len(part) - 1, len(columns) - 1,
                              xml)


_CELL_TAGS = {"text": (' t="inlineStr">', "</t></is></c>"), "bool": (' t="b"><v>', "</v></c>"),
              "number": ("><v>", "</v></c>")}


def _rows_xml(book: _Book, columns: list[_Column], part: pd.DataFrame, positions: list[int],
              first: int) -> str | None:
    """The chunk's <row> elements, built column by column (None: it needs cell by cell)."""
    numbers = pc.cast(pa.array(np.arange(first + 1, first + len(part) + 1)), pa.string())
    cells = []
    for c, (col, i) in enumerate(zip(columns, positions, strict=True)):
        content = col.content(part.iloc[:, i]) if col.content else None
        if content is None:
            return None
        fmt = book.fmt(col.number_format)
        style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
        opening, closing = _CELL_TAGS[col.kind]
        cell = pc.binary_join_element_wise(f'<c r="{xl_col_to_name(c)}', numbers,
                                           f'"{style}{opening}', content, closing, "")
        cells.append(pc.fill_null(cell, ""))
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
    return "".join(rows.to_pylist())


def _write_cells(book: _Book, ws, sheet: Sheet, columns: list[_Column], part: pd.DataFrame,
                 positions: list[int], first: int) -> None:
    """Rows of the chunk cell by cell, through XlsxWriter's own writers: mixed columns, and
    tables whose number formats change from row to row."""
    calls = [(c, _writer(book, ws, col.kind), book.fmt(col.number_format))
             for c, col in enumerate(columns)]
    rows = zip(*(col.values(part.iloc[:, i]) for col, i in
                 zip(columns, positions, strict=True)), strict=True)
    if sheet.row_format is None:
        for r, values in enumerate(rows, start=first):
            for (c, write, fmt), value in zip(calls, values, strict=True):
                if value is not None:
                    write(r, c, value, fmt)
        return
    # A table mixing formats per row is a few rows (the summary's KPIs).
    rates = [c in set(sheet.percent) for c in _columns(sheet)]
    own = part[sheet.row_format].tolist()
    for r, (values, row_fmt) in enumerate(zip(rows, own, strict=True), start=first):
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
    ws = book.wb.add_worksheet(sheet_name(sheet.name, taken), _Worksheet)
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
    categories = columns[0].values(frame[names[0]]) if columns[0].kind == "number" else \
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
