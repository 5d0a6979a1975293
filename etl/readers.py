"""Read one input file (CSV or XLSX) into canonical text columns, refusing what cannot be read."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import time as _time
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl import gb18030
from service_quality.schema import ENTITIES, ENTITY_ALIASES, Column, Entity

# Bigger than any sane export is wide; the CSV parser is told these are all text columns.
# A workbook's sheet has the same limit.
_MAX_COLUMNS = 2000
# A workbook is read cell by cell (one Python object each): its sheet may hold at most this many
# cells (rows × columns up to the last filled one), checked before and while it is read.
MAX_XLSX_CELLS = 10_000_000
# And its parts may unpack to at most this much XML (a small file can unpack to gigabytes).
MAX_XLSX_UNPACKED = 2 << 30
# Set by time_budget(): the moment a read under way gives up (the upload preview's budget).
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("read_deadline", default=None)
# A CSV record must fit in one parse block; 8 MB leaves room for long free-text cells.
_BLOCK_SIZE = 8 << 20
_DECODE_BLOCK = 16 << 20
_STEM_SEPARATORS = "_-. "
_BLANK = b" \t\r\n"
# json.dumps(ensure_ascii=False) escapes exactly these, so raw text matches what json.dumps writes.
_JSON_ESCAPES = {chr(i): f"\\u{i:04x}" for i in range(0x20)} | {
    "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
}


class InputError(Exception):
    """A file the load must refuse; str(e) is the user-facing message."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Reads of workbooks inside this block give up (InputError) after SECONDS in all."""
    token = _DEADLINE.set((_time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _check_time(name: str) -> None:
    budget = _DEADLINE.get()
    if budget is not None and _time.monotonic() > budget[0]:
        raise InputError(f"{name}: reading it took longer than the {budget[1]:g} s allowed here "
                         "— save it as CSV (read much faster) or load it with python -m etl load")


@dataclass
class RawTable:
    """One file as read: canonical text columns plus what is needed to report a row as read."""

    file: str
    entity: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "xlsx"
    sheet: str | None
    frame: pd.DataFrame  # every canonical column of the entity, text, missing as NA
    row_numbers: np.ndarray  # spreadsheet row number of each frame row
    unknown_columns: list[str] = field(default_factory=list)
    # Original headers → original text, one row per frame row; raw JSON is built from it on demand
    # because building it for every row costs more than the whole parse.
    as_read: pa.Table | None = None
    # Frame position → (reason, raw JSON) of rows that do not split into the header's columns.
    malformed: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Which of the file's columns are kept (a blank heading's only when it holds a value).
    kept_columns: list[bool] | None = None
    _raw: pd.Series | None = field(default=None, init=False, repr=False)

    @property
    def raw(self) -> pd.Series:
        """JSON text of every row as read (original headers → original text)."""
        if self._raw is None:
            self._raw = pd.Series(self.raw_at(np.arange(len(self.frame))), dtype="str")
        return self._raw

    def raw_at(self, positions) -> np.ndarray:
        """JSON text of the rows at these frame positions, as an object array."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.as_read is None or len(positions) == 0:
            return np.full(len(positions), "{}", dtype=object)
        text = _json_objects(self.as_read.take(pa.array(positions)))
        out = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        if self.malformed:
            bad = np.flatnonzero(np.isin(positions, list(self.malformed)))
            out[bad] = [self.malformed[p][1] for p in positions[bad].tolist()]
        return out

    def release_rows(self) -> None:
        """Let go of the text as read once the rows are judged (the load keeps only the result)."""
        self.frame = self.frame.iloc[:0]
        self.as_read = None
        self._raw = None


def normalize_name(text: str) -> str:
    """A header, sheet or file name as compared: NFKC (full-width → half-width), trimmed, lower."""
    return unicodedata.normalize("NFKC", text).strip().lower()


# Spaces, hyphens and underscores, which value spellings may have or not: "Self service",
# "self-service" and "SELF_SERVICE" are one value. (Explicit characters: Python's re and Arrow's
# RE2 agree on them; NFKC has already turned full-width and no-break spaces into these.)
_LOOSE = r"[ \t\n\r\f\v_-]+"


def loose_key(text: str) -> str:
    """A value as value maps compare it: NFKC, lower case, without spaces, hyphens, underscores."""
    return re.sub(_LOOSE, "", unicodedata.normalize("NFKC", text).lower())


def loose_keys(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """loose_key of every value, in Arrow: one pass per step, no Python loop."""
    return pc.replace_substring_regex(pc.utf8_lower(pc.utf8_normalize(values, "NFKC")), _LOOSE, "")


def column_label(column: Column) -> str:
    """How a column is named in messages: `customer_id (客户编号)`."""
    return f"{column.name} ({column.zh[0]})"


def entity_for(path: Path) -> str | None:
    """The entity a file holds, from its name: tickets.csv, tickets_2025-10.xlsx, 工单.csv …"""
    stem = normalize_name(Path(path).stem)
    best = None
    for alias, name in _entity_names().items():
        if stem == alias or (stem.startswith(alias) and stem[len(alias)] in _STEM_SEPARATORS):
            # the longest name wins, should one entity's name ever prefix another's
            if best is None or len(alias) > len(best[0]):
                best = (alias, name)
    return best[1] if best else None


def read_table(path: Path, entity: str | None = None) -> RawTable:
    """Read a .csv or .xlsx file of one entity; raise InputError when it cannot be loaded."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if entity is not None:
        entity = ENTITY_ALIASES.get(entity, entity)
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
    if suffix == ".csv":
        entity = entity or _require_entity(path)
        return _read_csv(path, entity)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, entity)
    if suffix == ".xls":
        raise InputError(f"{name}: the old Excel format .xls cannot be read — save it as .xlsx")
    raise InputError(f"{name}: not a .csv or .xlsx file")


def _entity_names() -> dict[str, str]:
    names = {normalize_name(n): n for n in ENTITIES}
    names.update({normalize_name(zh): n for zh, n in ENTITY_ALIASES.items()})
    return names


def _require_entity(path: Path) -> str:
    entity = entity_for(path)
    if entity is None:
        known = ", ".join(f"{e.name} ({e.zh})" for e in ENTITIES.values())
        raise InputError(
            f"{path.name}: cannot tell which table this file holds — name it after one of: {known}"
        )
    return entity


# --- CSV -----------------------------------------------------------------------------------------


def _read_csv(path: Path, entity: str) -> RawTable:
    encoding, header, body, numbers, malformed = _parse_csv(path)
    return _assemble(path.name, entity, encoding, None, header, body, numbers, malformed)


def _parse_csv(path: Path, delimiter: str | None = ","):
    """(encoding, header, body, row numbers, malformed rows) of a CSV, every value as text.

    delimiter None: `;` when the first line has more of them than commas (Excel in many locales).
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: cannot be opened — {e.strerror}") from e
    encoding, data = _decode(name, data)
    # Offsets instead of strip(): slicing a large file's bytes would copy it.
    start = re.compile(rb"[ \t\r\n]*").match(data).end()
    end = len(data)
    while end > start and data[end - 1] in _BLANK:
        end -= 1
    if start == end:
        raise InputError(f"{name}: the file is empty — expected a header row with the column names")
    header_row = data.count(b"\n", 0, start) + 1
    quoted = data.find(b'"', start, end) >= 0
    if quoted and data.count(b'"', start, end) % 2:
        # The parser would read everything after an unclosed quote as one value: rows lost.
        row = _unclosed_quote_row(data, start, end) + header_row - 1
        raise InputError(
            f'{name}: row {row} opens a quoted value (") that is never closed — '
            'a quote inside a value must be written twice ("")'
        )
    if delimiter is None:
        line_end = data.find(b"\n", start, end)
        line_end = end if line_end < 0 else line_end
        cr = data.find(b"\r", start, line_end)  # a file with CR line ends has no LF at all
        first = data[start:cr if cr >= 0 else line_end]
        delimiter = ";" if first.count(b";") > first.count(b",") else ","
    if data.find(b"\n", start, end) < 0 and data.find(b"\r", start, end) < 0:
        # only a header line: the parser needs a line end to see even that
        data, start, end = data[start:end] + b"\n", 0, end - start + 1
    invalid: list[str] = []
    try:
        table = _arrow_csv(pa.py_buffer(data).slice(start, end - start), quoted, delimiter,
                           invalid)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise InputError(f"{name}: cannot be parsed as CSV — {e}") from e
    if table.num_columns >= _MAX_COLUMNS:
        raise InputError(f"{name}: more than {_MAX_COLUMNS - 1} columns — is this really a CSV?")
    header = [str(v) for v in table.slice(0, 1).to_pylist()[0].values()]
    body = table.slice(1)
    ncols = len(header)
    malformed: dict[int, tuple[str, str]] = {}
    if not invalid:
        # Row numbers count records, not physical lines: a quoted value may span lines, but a
        # spreadsheet shows that record as one row.
        numbers = header_row + 1 + np.arange(body.num_rows, dtype=np.int64)
    else:
        records, ragged, _ = _record_layout(data, start, end, quoted, ncols, delimiter)
        if len(records) != body.num_rows or len(ragged) > len(invalid):
            raise InputError(
                f"{name}: cannot tell where rows begin and end — check the quotes (\") in the file"
            )
        # record 1 is the header, which sits below any blank lines the file starts with
        numbers = records + header_row - 1
        if ragged:
            ragged = [(record + header_row - 1, text) for record, text in ragged]
            body, numbers, malformed = _with_ragged_rows(body, numbers, ragged, header, delimiter)
    return encoding, header, body, numbers, malformed


def _arrow_csv(buffer: pa.Buffer, quoted: bool, delimiter: str, invalid: list[str],
               columns: int | None = None) -> pa.Table:
    """Arrow's parse of CSV text, every value as text; rows that do not split are added to
    INVALID and left out. COLUMNS: that many columns and no header line (as many as the first
    line has otherwise). Raises Arrow's errors."""

    def on_invalid_row(row) -> str:
        invalid.append(row.text)
        return "skip"

    return pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(
            autogenerate_column_names=columns is None, block_size=_BLOCK_SIZE,
            column_names=None if columns is None else [f"f{i}" for i in range(columns)]),
        parse_options=pacsv.ParseOptions(
            # without quotes no value can hold a newline, and the parser is faster knowing it
            newlines_in_values=quoted,
            delimiter=delimiter,
            # A blank line then parses as a row of empty values: it keeps its row number
            # and _assemble skips it like any empty row.
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid_row,
        ),
        convert_options=pacsv.ConvertOptions(
            # large_string is what pandas' str dtype holds, so no copy later
            column_types={f"f{i}": pa.large_string() for i in range(_MAX_COLUMNS)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _decode(name: str, data: bytes) -> tuple[str, bytes]:
    """The encoding of a CSV and its bytes as UTF-8 without BOM; never a silent wrong guess."""
    if data.startswith(codecs.BOM_UTF8):
        bad = _first_invalid_utf8(data, 3)
        if bad is not None:
            raise InputError(
                f"{name}: starts with a UTF-8 byte-order mark but byte offset {bad} "
                f"(0x{data[bad]:02X}) is not UTF-8 — save it again as CSV UTF-8"
            )
        return "utf-8-sig", data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: the file is UTF-16 text — save it as CSV UTF-8")
    utf8_bad = _first_invalid_utf8(data, 0)
    if utf8_bad is None:
        return "utf-8", data
    try:
        return "gb18030", _gb18030_to_utf8(data)
    except UnicodeDecodeError as e:
        where = f"byte offset {e.start} (0x{data[e.start]:02X}) is neither"
        if utf8_bad != e.start:
            where += f" (UTF-8 already fails at byte offset {utf8_bad})"
        message = f"{name}: neither UTF-8 nor GB18030 text — {where}; save it as CSV UTF-8"
        raise InputError(message) from None


def _gb18030_to_utf8(data: bytes) -> bytes:
    """GB18030 bytes as UTF-8, converted a block of lines at a time.

    Decoding the whole file at once would hold it a third time as a Python string (two bytes a
    character once any is Chinese), and is slower. No GB18030 character contains the byte \\n,
    so blocks split after one decode exactly as the whole file would; an error's offset is in
    the whole file.
    """
    view = memoryview(data)
    parts = []
    pos = 0
    while pos < len(data):
        cut = data.find(b"\n", min(pos + _DECODE_BLOCK, len(data)))
        cut = len(data) if cut < 0 else cut + 1
        try:
            parts.append(gb18030.to_utf8(view[pos:cut]))
        except UnicodeDecodeError as e:
            raise UnicodeDecodeError(e.encoding, data, pos + e.start, pos + e.end,
                                     e.reason) from None
        pos = cut
    return b"".join(parts)


def _first_invalid_utf8(data: bytes, start: int) -> int | None:
    """Offset of the first byte that is not UTF-8, or None (Arrow checks, Python finds where)."""
    offsets = pa.py_buffer(np.array([0, len(data) - start], dtype=np.int64).tobytes())
    values = pa.py_buffer(data).slice(start)
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, values]).validate(full=True)
        return None
    except pa.ArrowInvalid:
        try:
            data[start:].decode("utf-8")
        except UnicodeDecodeError as e:
            return start + e.start
        return None


def _record_layout(data, start, end, quoted, ncols, delimiter=",", header=True):
    """Record numbers (header = 1) of the rows the parser kept, the rows it could not split,
    and how many records there are (the header included). header=False: the text starts
    with a row (record 1), as a later chunk of a file does.

    Vectorised over the bytes: a newline or comma is structural when an even number of quote
    characters precedes it (RFC 4180 doubles quotes inside quoted values, so parity holds).
    Only used when some row did not parse, since it costs about as much as the parse.
    """
    arr = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    quotes = np.flatnonzero(arr == ord('"')) if quoted else None

    def structural(positions):
        if quotes is None:
            return positions
        return positions[np.searchsorted(quotes, positions) % 2 == 0]

    newlines = structural(_line_ends(arr))
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(arr)]))
    ends = ends - ((ends > starts) & (arr[np.maximum(ends - 1, 0)] == ord("\r")))
    commas = structural(np.flatnonzero(arr == ord(delimiter)))
    fields = np.bincount(np.searchsorted(starts, commas, side="right") - 1, minlength=len(starts))
    fields = fields + 1
    blank = ends == starts
    records = np.arange(len(starts), dtype=np.int64) + 1
    # the parser makes a row of empty values of a blank line, and skipped the ragged ones
    kept = blank | (fields == ncols)
    kept[0] &= not header
    ragged = []
    for i in np.flatnonzero(~blank & (fields != ncols)).tolist():
        if i == 0 and header:
            continue
        text = bytes(arr[starts[i]:ends[i]]).decode("utf-8")
        if text.strip():  # a line of spaces is an empty row, not a ragged one
            ragged.append((int(records[i]), text))
    return records[kept], ragged, len(records)


def _line_ends(arr: np.ndarray) -> np.ndarray:
    """Positions that end a line as the CSV parser sees them: each LF, and each CR not followed
    by an LF (old Mac line ends, Excel's "CSV (Macintosh)"); a CR before an LF belongs to it."""
    lf = np.flatnonzero(arr == ord("\n"))
    cr = np.flatnonzero(arr == ord("\r"))
    bare = cr[np.isin(cr + 1, lf, invert=True)]
    return np.union1d(lf, bare)


def _unclosed_quote_row(data, start, end) -> int:
    """Record number (header = 1) holding the last quote, the one left open."""
    arr = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    quotes = np.flatnonzero(arr == ord('"'))
    newlines = _line_ends(arr[: quotes[-1]])
    return int((np.searchsorted(quotes, newlines) % 2 == 0).sum()) + 1


def _with_ragged_rows(body, numbers, ragged, header, delimiter=","):
    """Put rows that do not split into the header's columns back in place, flagged as malformed."""
    ncols = len(header)
    placeholder = pa.table(
        {f"f{i}": pa.array([""] * len(ragged), body.schema.field(i).type) for i in range(ncols)}
    )
    ragged_numbers = np.array([r for r, _ in ragged], dtype=np.int64)
    all_numbers = np.concatenate([numbers, ragged_numbers])
    order = np.argsort(all_numbers, kind="stable")
    merged = pa.concat_tables([body, placeholder]).take(pa.array(order))
    all_numbers = all_numbers[order]
    positions = np.searchsorted(all_numbers, ragged_numbers).tolist()
    keys = [h if h.strip() else f"(column {i + 1})" for i, h in enumerate(header)]
    malformed = {}
    for position, (_, text) in zip(positions, ragged, strict=True):
        values = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        names = keys + [f"(column {i + 1})" for i in range(ncols, len(values))]
        raw = json.dumps(dict(zip(names, values, strict=False)), ensure_ascii=False)
        reason = f"row has {len(values)} values but the header has {ncols} columns"
        malformed[position] = (reason, raw)
    return merged, all_numbers, malformed


# --- CSV a chunk at a time ----------------------------------------------------------------------

# A CSV larger than this is read and checked about this many bytes of text at a time, so a load's
# memory does not grow with the file; a smaller one is read whole (_parse_csv).
CHUNK_BYTES = 16 << 20


class ChunkedReadUnsafe(Exception):
    """The file holds something that only a whole-file read judges exactly: read it whole."""


def read_csv_chunks(path: Path, entity: str,
                    chunk_bytes: int | None = None) -> Iterator[RawTable]:
    """A canonical CSV as RawTables of about CHUNK_BYTES of text each, in file order.

    Each chunk is what read_table would give for its rows (row numbers in the whole file), and
    InputError is what read_table raises for the file. UTF-8 is checked over the whole file
    before the first chunk; GB18030 text is converted and read in one pass, a chunk at a time.
    ChunkedReadUnsafe when the file holds what only a whole-file read judges exactly (odd
    quoting, a parser error, an unclosed quote far from the end): read it whole instead.
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    path = Path(path)
    name = path.name
    try:
        f = path.open("rb")
    except OSError as e:
        raise InputError(f"{name}: cannot be opened — {e.strerror}") from e
    with f:
        head = f.read(3)
        base = 3 if head.startswith(codecs.BOM_UTF8) else 0
        if base == 0 and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputError(f"{name}: the file is UTF-16 text — save it as CSV UTF-8")
        stats = _TextStats()
        utf8_bad = None
        for offset, block in _blocks(f, base):
            bad = _first_invalid_utf8(block, 0)
            if bad is not None:
                utf8_bad = offset + bad
                if base:
                    raise InputError(
                        f"{name}: starts with a UTF-8 byte-order mark but byte offset "
                        f"{utf8_bad} (0x{block[bad]:02X}) is not UTF-8 — save it again as CSV "
                        "UTF-8")
                break
            stats.add(block)
        if utf8_bad is None:
            # Checked whole (one late byte would make it GB18030): the checks before parsing
            # come first, as in _parse_csv.
            stats.finish(name, lambda: (b for _, b in _blocks(f, base)))
            blocks = (b for _, b in _blocks(f, base))
            encoding = "utf-8-sig" if base else "utf-8"
            refusal = yield from _text_chunks(name, entity, encoding, _cut(blocks, chunk_bytes),
                                              stats)
            if refusal is not None:
                raise refusal
            return
        stats = _TextStats()

        def converted():
            for offset, block in _blocks(f, 0):
                yield _gb18030_block(name, block, offset, utf8_bad)

        def counted():
            for text in converted():
                stats.add(text)
                yield text

        refusal = yield from _text_chunks(name, entity, "gb18030", _cut(counted(), chunk_bytes),
                                          stats)
        # Known once the whole text went by (the load keeps nothing of a refused file), and
        # said before a refusal of the header, as _parse_csv does.
        stats.finish(name, converted)
        if refusal is not None:
            raise refusal


def _gb18030_block(name: str, block: bytes, offset: int, utf8_bad: int) -> bytes:
    """BLOCK (at OFFSET of the file) from GB18030 to UTF-8; InputError as _decode says it."""
    try:
        return gb18030.to_utf8(block)
    except UnicodeDecodeError as e:
        where = f"byte offset {offset + e.start} (0x{block[e.start]:02X}) is neither"
        if utf8_bad != offset + e.start:
            where += f" (UTF-8 already fails at byte offset {utf8_bad})"
        raise InputError(f"{name}: neither UTF-8 nor GB18030 text — {where}; save it as CSV "
                         "UTF-8") from None


def _blocks(f: BinaryIO, offset: int, size: int | None = None):
    """(offset, bytearray) of F from OFFSET in blocks of about _DECODE_BLOCK bytes that end
    after a newline (or at the end): no UTF-8 or GB18030 character holds the byte \\n, so
    each block decodes alone."""
    size = size or _DECODE_BLOCK
    f.seek(offset)
    while True:
        block = bytearray(size)
        n = f.readinto(block)
        if not n:
            return
        del block[n:]
        cut = block.rfind(b"\n") + 1
        while cut == 0:   # no line end yet: read on to one, or to the end
            more = f.read(size)
            if not more:
                cut = len(block)
                break
            found = more.rfind(b"\n") + 1
            block += more
            if found:
                cut = len(block) - len(more) + found
        if cut < len(block):
            f.seek(cut - len(block), 1)   # the rest starts the next block
            del block[cut:]
        yield offset, block
        offset += cut


def _quotes(data: bytes | bytearray) -> int:
    """How many quote characters DATA holds; numpy counts them without holding the GIL, which
    the other file's reader needs (bytes.count holds it)."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == ord('"')))


class _TextStats:
    """What _parse_csv learns from the whole text before parsing, gathered a block at a time."""

    def __init__(self):
        self.quotes = 0
        self.started = False  # a byte that is not blank was seen
        self.newlines = 0  # \n before it

    @property
    def quoted(self) -> bool:
        """Whether the text (read so far) holds a quote: the parser then reads quoted values."""
        return self.quotes > 0

    @property
    def header_row(self) -> int:
        """The file's row of the header (below any blank lines the file starts with)."""
        return self.newlines + 1

    def add(self, block: bytes) -> None:
        if not self.started:
            lead = re.compile(rb"[ \t\r\n]*").match(block).end()
            self.newlines += block.count(b"\n", 0, lead)
            self.started = lead < len(block)
        self.quotes += _quotes(block)

    def finish(self, name: str, text) -> None:
        """InputError for an empty file or an unclosed quote (TEXT(): the blocks again)."""
        if not self.started:
            raise InputError(
                f"{name}: the file is empty — expected a header row with the column names")
        if self.quotes % 2:
            row = _unclosed_quote_row_of(text()) + self.header_row - 1
            raise InputError(
                f'{name}: row {row} opens a quoted value (") that is never closed — '
                'a quote inside a value must be written twice ("")'
            )


def _unclosed_quote_row_of(blocks) -> int:
    """_unclosed_quote_row of a text given in blocks: the record holding the last quote."""
    records = 1
    quotes_before = 0
    found = 1
    started = False
    for block in blocks:
        if not started:  # records count from the first byte that is not blank
            lead = re.compile(rb"[ \t\r\n]*").match(block).end()
            block = block[lead:]
            started = bool(block)
        arr = np.frombuffer(block, dtype=np.uint8)
        quotes = np.flatnonzero(arr == ord('"'))
        ends = _line_ends(arr)
        structural = ends[(np.searchsorted(quotes, ends) + quotes_before) % 2 == 0]
        if len(quotes):
            found = records + int((structural < quotes[-1]).sum())
        records += len(structural)
        quotes_before += len(quotes)
    return found


def _cut(blocks: Iterator[bytes], chunk_bytes: int) -> Iterator[bytes]:
    """The text from its first byte that is not blank, in pieces of about CHUNK_BYTES, each cut
    after a newline that ends a record (an even number of quotes before it); the last piece
    without the trailing blanks. ChunkedReadUnsafe when no record ends in many chunks' worth.

    A block that ends a record and is large enough is a piece as it is (no copy); a piece is
    handed on once the next block is in, so the last one is known and trimmed.
    """
    pending = b""
    ready = None
    started = False
    for block in blocks:
        if not started:
            block = block[re.compile(rb"[ \t\r\n]*").match(block).end():]
            started = bool(block)
        if ready is not None and block:
            yield ready
            ready = None
        pending = pending + block if pending else block
        if (chunk_bytes // 2 <= len(pending) <= 2 * chunk_bytes and pending.endswith(b"\n")
                and not _quotes(pending) % 2):
            ready, pending = (ready + pending if ready else pending), b""
            continue
        while len(pending) >= chunk_bytes:
            cut = _record_end(pending, chunk_bytes - 1)
            if cut < 0:
                if len(pending) > 8 * max(chunk_bytes, _DECODE_BLOCK):
                    raise ChunkedReadUnsafe("no record ends in the last chunks")
                break
            if ready is not None:
                yield ready
            ready = pending[:cut + 1]
            pending = pending[cut + 1:]
    last = (ready or b"") + pending if pending else ready or b""
    end = len(last)
    while end and last[end - 1] in _BLANK:
        end -= 1
    if end:
        yield last[:end] if end < len(last) else last


def _text_chunks(name: str, entity: str, encoding: str, pieces: Iterator[bytes],
                 stats: _TextStats):
    """Parse each piece of a text (the header put before all but the first) and assemble it
    like _read_csv; yields RawTables, returns the refusal of the header (an InputError raised
    once nothing said before it applies) or None."""
    header_line = None
    header = None
    keep_col = None
    refusal = None  # a refusal of the header, raised once no parser error comes first
    done = 0  # records (rows read, blank ones included) in earlier chunks
    for piece in pieces:
        first_piece = header_line is None
        if first_piece:
            data = piece
            if b"\n" not in piece and b"\r" not in piece:
                data = piece + b"\n"  # only a header line: the parser needs a line end
            header_line = _header_line(piece, stats.quotes > 0 or _quotes(piece) > 0)
        else:
            data = piece  # parsed with the header's columns, not put before it (no copy)
        quoted = stats.quoted or _quotes(piece) > 0
        if quoted and not _quotes_open_values(np.frombuffer(piece, dtype=np.uint8), ","):
            raise ChunkedReadUnsafe("a quote inside an unquoted value")
        invalid: list[str] = []
        try:
            table = _arrow_csv(pa.py_buffer(data), quoted, ",", invalid,
                               None if first_piece else len(header))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise ChunkedReadUnsafe(str(e)) from None
        if first_piece:
            if table.num_columns >= _MAX_COLUMNS:
                raise ChunkedReadUnsafe("too many columns")
            header = [str(v) for v in table.slice(0, 1).to_pylist()[0].values()]
        if refusal is not None:
            continue
        body = table.slice(1) if first_piece else table
        malformed: dict[int, tuple[str, str]] = {}
        if not invalid:
            numbers = stats.header_row + done + 1 + np.arange(body.num_rows, dtype=np.int64)
            done += body.num_rows
        else:
            # a piece ends after a line end, which the whole text has before the next record
            end = len(data) - (2 if data.endswith(b"\r\n") else data.endswith(b"\n"))
            records, ragged, count = _record_layout(data, 0, end, quoted, len(header),
                                                    header=first_piece)
            if len(records) != body.num_rows or len(ragged) > len(invalid):
                raise ChunkedReadUnsafe("cannot tell where rows begin and end")
            shift = stats.header_row + done - first_piece
            numbers = records + shift
            if ragged:
                ragged = [(record + shift, row) for record, row in ragged]
                body, numbers, malformed = _with_ragged_rows(body, numbers, ragged, header)
            done += count - first_piece
        del table, data
        try:
            chunk = _assemble(name, entity, encoding, None, header, body, numbers,
                              malformed, keep_col)
        except InputError as e:
            if keep_col is not None or not all(h.strip() for h in header):
                # the message lists the kept columns, which only the whole file tells
                raise ChunkedReadUnsafe("a refused header") from None
            refusal = e  # the rest is only parsed: a parser error there would be said first
            continue
        keep_col = chunk.kept_columns
        yield chunk
    return refusal


def _record_end(buf: bytes, at: int) -> int:
    """The first \n in BUF from AT on with an even number of quotes before it (it ends a
    record), -1 when there is none."""
    pos = buf.find(b"\n", at)
    quotes = buf.count(b'"', 0, pos) if pos >= 0 else 0
    while pos >= 0 and quotes % 2:
        after = buf.find(b"\n", pos + 1)
        quotes += buf.count(b'"', pos, after if after >= 0 else len(buf))
        pos = after
    return pos


def _header_line(piece: bytes, quoted: bool) -> bytes:
    """The first record of the first piece, with its line end: put before every later piece."""
    pos = piece.find(b"\n")
    while pos >= 0 and quoted and piece.count(b'"', 0, pos) % 2:
        pos = piece.find(b"\n", pos + 1)
    line = piece[:pos + 1] if pos >= 0 else piece + b"\n"
    if b"\r" in line.rstrip(b"\r\n"):
        # a line end the parser sees but this cut does not (old Mac CR line ends)
        raise ChunkedReadUnsafe("CR line ends in the header")
    return line


def _quotes_open_values(arr: np.ndarray, delimiter: str) -> bool:
    """Whether each quote that opens a quoted stretch (by count) stands where a value starts,
    as the parser reads it: then a newline after an even number of quotes ends a record."""
    quotes = np.flatnonzero(arr == ord('"'))
    opening = quotes[0::2]
    opening = opening[opening > 0]
    # after a delimiter or line end; or the second of a doubled quote inside a quoted value
    allowed = np.array([ord(delimiter), ord("\n"), ord("\r"), ord('"')], np.uint8)
    return bool(np.isin(arr[opening - 1], allowed).all())


# --- XLSX ----------------------------------------------------------------------------------------


def _read_xlsx(path: Path, entity: str | None) -> RawTable:
    def pick(sheets):
        found = entity or entity_for(path) or _entity_from_sheets(sheets)
        if found is None:
            found = _require_entity(path)
        wanted = {normalize_name(found), normalize_name(ENTITIES[found].zh)}
        sheet = next((s for s in sheets if normalize_name(s.title) in wanted), None)
        if sheet is None:
            if not sheets:
                raise InputError(f"{path.name}: the workbook has no worksheet")
            sheet = sheets[0]
        return sheet, found

    entity, title, header, body, numbers = _read_sheet(path, pick)
    return _assemble(path.name, entity, "xlsx", title, header, body, numbers, {})


def _read_sheet(path: Path, pick):
    """Open a workbook, choose a sheet by pick(sheets) → (sheet, extra), read it as text.

    Returns (extra, sheet title, header, body, row numbers).
    """
    import openpyxl  # only needed for workbooks, and slow to import

    name = path.name
    _check_unpacked(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds (zip, XML, key errors) for a bad file
        raise InputError(f"{name}: cannot be read as an .xlsx workbook — {e}") from e
    try:
        sheet, extra = pick(book.worksheets)
        _check_declared_size(name, sheet)
        # Some writers store a wrong sheet size, which read-only mode would believe and truncate.
        sheet.reset_dimensions()
        header, rows, numbers = _sheet_rows(name, sheet)
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"{name}: cannot be read as an .xlsx workbook — {e}") from e
    finally:
        book.close()
    header, body = _sheet_table(name, header, rows)
    return extra, sheet.title, header, body, np.array(numbers, np.int64)


def _check_unpacked(path: Path) -> None:
    """InputError when the workbook's parts unpack to more than MAX_XLSX_UNPACKED bytes."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return   # openpyxl says what is wrong with it
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputError(f"{path.name}: the workbook unpacks to {unpacked / (1 << 30):.1f} GB, "
                         f"more than the {MAX_XLSX_UNPACKED >> 30} GB allowed — save the sheet "
                         "as CSV")


def _too_big(name: str, what: str) -> InputError:
    return InputError(f"{name}: {what} — is this really an export? Clear the formatting of empty "
                      "cells, or save the sheet as CSV")


def _check_declared_size(name: str, sheet) -> None:
    """Refuse, before reading a cell, a sheet whose recorded size is beyond the limits."""
    try:
        rows, columns = sheet.max_row, sheet.max_column   # from the sheet's <dimension> tag
    except Exception:   # no or unreadable size: the checks while reading still apply
        return
    if rows and columns and rows * columns > MAX_XLSX_CELLS:
        raise _too_big(name, f"sheet '{sheet.title}' says it spans {rows:,} rows × {columns:,} "
                             f"columns, more than the {MAX_XLSX_CELLS:,} cells allowed")


def _trimmed(row: tuple) -> tuple:
    """ROW without its trailing empty cells (found by halving: C speed, not one per cell)."""
    if not row or row[-1] is not None:
        return row
    low, high = 0, len(row)   # row[high:] is all empty; find the smallest such high
    while low < high:
        mid = (low + high) // 2
        if row[mid:].count(None) == len(row) - mid:
            high = mid
        else:
            low = mid + 1
    return row[:high]


def _sheet_table(name, header, rows):
    """The header padded to the widest row, and the rows as text columns f0, f1, …"""
    width = max([len(header), *map(len, rows)])
    header = header + [""] * (width - len(header))
    columns = {}
    for j in range(width):
        _check_time(name)
        # openpyxl hands over one Python object per cell, so a workbook is read cell by cell.
        columns[f"f{j}"] = pa.array(
            [_cell_text(r[j]) if j < len(r) else "" for r in rows], pa.large_string()
        )
    return header, (pa.table(columns) if columns else pa.table({}))


def _entity_from_sheets(sheets) -> str | None:
    names = _entity_names()
    found = {names[normalize_name(s.title)] for s in sheets if normalize_name(s.title) in names}
    return found.pop() if len(found) == 1 else None


def _sheet_rows(name, sheet):
    """Header (first non-empty row) and the non-empty rows under it with their row numbers.

    InputError past _MAX_COLUMNS filled columns, MAX_XLSX_CELLS cells or the time budget.
    """
    rows = sheet.iter_rows(values_only=True)
    header = None
    header_row = 0
    for row in rows:
        header_row += 1
        row = _within_limits(name, sheet, _trimmed(row), header_row)
        cells = [_cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            header = cells
            break
    if header is None:
        raise InputError(
            f"{name}: sheet '{sheet.title}' is empty — expected a header row with the column names"
        )
    kept, numbers = [], []
    cells = len(header)
    for number, row in enumerate(rows, start=header_row + 1):
        row = _within_limits(name, sheet, _trimmed(row), number)
        # Fully empty rows are skipped here (and rows of only spaces in _assemble): they are not
        # rows read, but later rows keep their spreadsheet numbers.
        if any(v is not None and v != "" for v in row):
            kept.append(row)
            numbers.append(number)
            cells += len(row)
            if cells > MAX_XLSX_CELLS:
                raise _too_big(name, f"sheet '{sheet.title}' holds more than "
                                     f"{MAX_XLSX_CELLS:,} cells (by row {number:,})")
        if number % 1000 == 0:
            _check_time(name)
    return header, kept, numbers


def _within_limits(name: str, sheet, row: tuple, number: int) -> tuple:
    if len(row) >= _MAX_COLUMNS:
        raise _too_big(name, f"sheet '{sheet.title}' has more than {_MAX_COLUMNS - 1} columns "
                             f"(row {number:,} fills column {len(row):,})")
    return row


def _cell_text(value) -> str:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # Excel stores times as fractions of a day; round the float noise to the second.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --- both ----------------------------------------------------------------------------------------


def _assemble(name, entity_name, encoding, sheet, header, body, numbers, malformed,
              keep_col: list[bool] | None = None) -> RawTable:
    """Map headers to canonical columns, drop empty rows and build the canonical text frame.

    keep_col: the columns kept in the file's first chunk (a chunked read); ChunkedReadUnsafe
    when this chunk has a value in a blank-headed column that the first chunk left out.
    """
    entity = ENTITIES[entity_name]
    columns = [body.column(i) for i in range(len(header))]
    trimmed = [_trim(c) for c in columns]
    # Lengths, not text comparison: the cheapest test for "" that Arrow has.
    empty = [_is_empty(t) for t in trimmed]
    filled = [
        bool(h.strip()) or not pc.all(e).as_py() for h, e in zip(header, empty, strict=True)
    ]
    if keep_col is None:
        keep_col = filled
    elif any(f and not k for f, k in zip(filled, keep_col, strict=True)):
        raise ChunkedReadUnsafe("a blank-headed column holds values only after the first chunk")
    keys = _json_keys(header, keep_col)
    mapping = _map_headers(name, entity, header, keep_col)
    unknown = [k for i, k in enumerate(keys) if keep_col[i] and i not in mapping.values()]

    # Fully empty rows are skipped (not rows read); the rows after keep their own row numbers.
    row_empty = None
    for i, e in enumerate(empty):
        if keep_col[i]:
            row_empty = e if row_empty is None else pc.and_(row_empty, e)
    skip = np.zeros(len(numbers), dtype=bool)
    if row_empty is not None and len(numbers):
        skip = row_empty.to_numpy(zero_copy_only=False).astype(bool)
        skip[list(malformed)] = False  # a ragged row has no values here but is a row read
    if skip.any():
        keep_row = ~skip
        mask = pa.array(keep_row)
        trimmed = [t.filter(mask) for t in trimmed]
        empty = [e.filter(mask) for e in empty]
        columns = [c.filter(mask) for c in columns]
        new_pos = np.cumsum(keep_row) - 1
        malformed = {int(new_pos[p]): v for p, v in malformed.items()}
        numbers = numbers[keep_row]
    n = len(numbers)

    frame = {}
    for col in entity.columns:
        i = mapping.get(col.name)
        if i is None:
            frame[col.name] = pd.Series(pa.nulls(n, pa.large_string()).to_pandas(), dtype="str")
        else:
            values = _null_where(trimmed[i], empty[i])
            frame[col.name] = values.to_pandas()
    as_read = pa.table(
        [c for i, c in enumerate(columns) if keep_col[i]],
        names=[k for i, k in enumerate(keys) if keep_col[i]],
    )
    return RawTable(
        file=name,
        entity=entity_name,
        encoding=encoding,
        sheet=sheet,
        frame=pd.DataFrame(frame, index=pd.RangeIndex(n)),
        row_numbers=np.asarray(numbers, dtype=np.int64),
        unknown_columns=unknown,
        as_read=as_read,
        malformed=malformed,
        kept_columns=keep_col,
    )


# Every character pc.utf8_trim_whitespace removes (tests hold this to Arrow over all code points),
# as UTF-8: a column is trimmed only when a value may start or end with one of them.
_WHITESPACE = [chr(c).encode() for c in (*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0,
                                         0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
                                         0x205F, 0x3000)]
_SPACE_LEADS = np.array(sorted({w[0] for w in _WHITESPACE}), np.int64)
_SPACE_TAILS = [np.array(sorted(int.from_bytes(w, "big") for w in _WHITESPACE if len(w) == n),
                         np.int64) for n in (1, 2, 3)]
# Byte lookups (a table index beats a set search): a whitespace's first byte; a last byte that a
# one-byte whitespace is; a last byte that ends a longer one.
_LEAD_BYTE = np.isin(np.arange(256), _SPACE_LEADS)
_LAST_BYTE = np.isin(np.arange(256), _SPACE_TAILS[0])
_LONG_LAST_BYTE = np.isin(np.arange(256), [w[-1] for w in _WHITESPACE if len(w) > 1])


def _may_need_trim(chunk: pa.Array) -> bool:
    """Whether a value of a string chunk may start or end with whitespace (True if not plain).

    The first byte and the last one, two and three bytes of each value against the whitespace
    encodings: Chinese text, which trimming cannot change either, is left uncopied like ASCII.
    """
    if chunk.null_count or not pa.types.is_large_string(chunk.type):
        return True
    validity, offsets, data = chunk.buffers()
    ends = np.frombuffer(offsets, np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
    starts, stops = ends[:-1], ends[1:]
    if data is None or ends[-1] == ends[0]:
        return False
    data = np.frombuffer(data, np.uint8)
    # An empty value reads its neighbours' bytes here: at worst a needless trim.
    starts = np.minimum(starts, len(data) - 1)
    stops = np.maximum(stops, 1)
    if _LEAD_BYTE[data[starts]].any():
        return True
    last = data[stops - 1]
    if _LAST_BYTE[last].any():
        return True
    # Only values whose last byte may end a longer whitespace need their last two, three bytes.
    stops = stops[_LONG_LAST_BYTE[last]]
    tail = data[stops - 1].astype(np.int64)
    for n, codes in enumerate(_SPACE_TAILS[1:], start=2):
        # A value shorter than n bytes reads into its neighbour: at worst a needless trim.
        tail |= data[np.maximum(stops - n, 0)].astype(np.int64) << (8 * (n - 1))
        if np.isin(tail, codes).any():
            return True
    return False


def _trim(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whitespace trimmed from both ends; chunks in which no value can change are kept as they
    are (ids, times, numbers, Chinese text: most of an export), without a copy."""
    out = [pc.utf8_trim_whitespace(c) if _may_need_trim(c) else c for c in column.chunks]
    return pa.chunked_array(out, column.type)


def _is_empty(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whether each value is "", chunked as the text (so _null_where can reuse its buffers)."""
    return pa.chunked_array([pc.equal(pc.binary_length(c), 0) for c in text.chunks], pa.bool_())


def _null_where(text: pa.ChunkedArray, empty: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty values as missing: a validity bitmap over the same text buffers, without a copy."""
    if [len(c) for c in text.chunks] != [len(c) for c in empty.chunks]:
        return pc.if_else(empty, pa.scalar(None, text.type), text)
    out = []
    for t, e in zip(text.chunks, empty.chunks, strict=True):
        valid = pc.invert(e)
        if t.null_count or t.offset or valid.offset or not pa.types.is_large_string(t.type):
            out.append(pc.if_else(e, pa.scalar(None, t.type), t))
            continue
        bits = valid.buffers()[1]
        out.append(pa.Array.from_buffers(t.type, len(t), [bits, *t.buffers()[1:]]))
    return pa.chunked_array(out, text.type)


def _json_keys(header, keep_col):
    """Original headers as JSON keys: a blank one named by position, repeats numbered."""
    keys, seen = [], set()
    for i, h in enumerate(header):
        key = h if h.strip() else f"(column {i + 1})"
        if keep_col[i] and key in seen:
            k = 2
            while f"{key} ({k})" in seen:
                k += 1
            key = f"{key} ({k})"
        seen.add(key)
        keys.append(key)
    return keys


def _map_headers(name: str, entity: Entity, header: list[str], keep_col) -> dict[str, int]:
    """Canonical column → header position; refuses repeats and missing required columns."""
    lookup = {}
    for col in entity.columns:
        for alias in (col.name, *col.zh):
            lookup[normalize_name(alias)] = col
    mapping: dict[str, int] = {}
    for i, h in enumerate(header):
        col = lookup.get(normalize_name(h))
        if col is None:
            continue
        if col.name in mapping:
            first = header[mapping[col.name]].strip()
            raise InputError(
                f"{name}: columns {first} and {h.strip()} both mean {column_label(col)} "
                "— keep only one"
            )
        mapping[col.name] = i
    missing = [c for c in entity.columns if c.required and c.name not in mapping]
    if missing:
        found = ", ".join(
            h.strip() if h.strip() else f"(column {i + 1})"
            for i, h in enumerate(header) if keep_col[i]
        )
        what = "column" if len(missing) == 1 else "columns"
        names = ", ".join(column_label(c) for c in missing)
        raise InputError(f"{name}: missing required {what} {names} — found columns: {found}")
    return mapping


def _json_objects(table: pa.Table):
    """Each row of a text table as a JSON object, exactly as json.dumps(ensure_ascii=False)."""
    parts: list = []
    for i, key in enumerate(table.column_names):
        text = table.column(i).cast(pa.large_string())
        text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
        if pc.any(pc.match_substring_regex(text, r"[\x00-\x1f]")).as_py():
            for char, escaped in _JSON_ESCAPES.items():
                text = pc.replace_substring(text, char, escaped)
        lead = "{" if i == 0 else ", "
        parts += [_large(f"{lead}{json.dumps(key, ensure_ascii=False)}: \""), text, _large('"')]
    if not parts:
        return pa.array(["{}"] * table.num_rows, pa.large_string())
    parts.append(_large("}"))
    return pc.binary_join_element_wise(*parts, _large(""))


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


# --- raw files (import profiles) ---------------------------------------------------------------


@dataclass
class RawFile:
    """A file as parsed, before any header is mapped: for import profiles (etl/profiles)."""

    file: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "xlsx"
    sheet: str | None
    header: list[str]
    body: pa.Table  # text columns f0, f1, … in header order, untrimmed, "" for empty
    row_numbers: np.ndarray  # spreadsheet row number of each body row
    malformed: dict[int, tuple[str, str]] = field(default_factory=dict)


def read_raw(path: Path, sheet: str | tuple[str, ...] | None = None) -> RawFile:
    """Parse a .csv (`,` or `;`) or .xlsx without mapping headers.

    The workbook's first sheet is read unless one of the `sheet` names is among its sheets.
    """
    path = Path(path)
    name, suffix = path.name, path.suffix.lower()
    if suffix == ".csv":
        encoding, header, body, numbers, malformed = _parse_csv(path, delimiter=None)
        return RawFile(name, encoding, None, header, body, numbers, malformed)
    if suffix == ".xls":
        raise InputError(f"{name}: the old Excel format .xls cannot be read — save it as .xlsx")
    if suffix not in (".xlsx", ".xlsm"):
        raise InputError(f"{name}: not a .csv or .xlsx file")

    def pick(sheets):
        if not sheets:
            raise InputError(f"{name}: the workbook has no worksheet")
        names = (sheet,) if isinstance(sheet, str) else (sheet or ())
        wanted = [normalize_name(n) for n in names]
        by_name = {normalize_name(s.title): s for s in sheets}
        return next((by_name[w] for w in wanted if w in by_name), sheets[0]), None

    _, title, header, body, numbers = _read_sheet(path, pick)
    return RawFile(name, "xlsx", title, header, body, numbers, {})
