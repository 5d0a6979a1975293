"""Type a file's text columns by the contract; split good rows from rejected ones with reasons."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from service_quality.schema import (
    BOOL,
    BOOL_VALUES,
    DATE,
    DTYPES,
    ENUMS,
    FLOAT,
    INT,
    RATIO,
    SCORE,
    STR,
    TIMESTAMP,
    Column,
    Entity,
)

from .readers import RawTable, column_label, loose_key, loose_keys

SCORE_SCALES = (5, 10, 100)
# What an empty cell means where the contract gives it a meaning (DESIGN §3).
DEFAULTS = {("tickets", "category"): "fault", ("fault_reports", "version"): "1"}

_NAT = np.iinfo(np.int64).min  # numpy's NaT as int64
_SECOND = 1_000_000_000
_DAY = 86_400 * _SECOND
# Excel's day 0 (its 1900 calendar counts a 29 February that never was, hence not 1899-12-31).
_EXCEL_EPOCH = int(np.datetime64("1899-12-30", "ns").astype(np.int64))
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
# datetime64[ns] ends in April 2262; a later date cannot be stored, so it is not read either.
_YEAR_MIN, _YEAR_MAX = 1678, 2261
_LOCAL_TZ = "Asia/Shanghai"

# The ISO forms Arrow's strict cast reads (date, minutes, seconds, 1–9 decimals); other forms
# (e.g. "2025-10-01 10") go through the regex so every file accepts the same forms.
_ISO_RE = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$"
_TIME_RE = (
    r"^(?P<y>\d{4})(?:"
    r"-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})(?P<s1>T|\s+)?"
    r"|/(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?P<s2>\s+)?"
    r"|年\s*(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日(?P<s3>\s*))"
    r"(?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?)?)?"
    r"(?:\s*(?P<z>Z|[+-]\d{2}:?\d{2}))?$"
)
_SERIAL_RE = r"^\d+(?:\.\d+)?$"
_NUMBER_RE = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_RATIO_RE = (
    r"^(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<pct>[%％])?"
    r"|(?P<a>\d+(?:\.\d+)?)\s*/\s*(?P<b>\d+(?:\.\d+)?))$"
)


def coerce(
    table: RawTable, entity: Entity, default_score_scale: int = 5, arrow: bool = False,
    lenient: Collection[str] = (), unmapped: dict[str, pd.Series] | None = None,
    seen: SeenKeys | None = None,
) -> tuple[pd.DataFrame | pa.Table, pd.DataFrame]:
    """(good, rejected): typed rows without a problem + row_number; row_number, reason, raw.

    arrow=True gives the good rows as an Arrow table (text stays Arrow, no Python objects), for
    the load, which hands it to DuckDB as is. In the `lenient` enum columns (an export's
    descriptive columns, schema.DESCRIPTIVE) a value that is none of the spellings loads as
    empty instead of rejecting its row; `unmapped`, when given, receives for each such column
    the count of each of those values, most frequent first. `seen`: the keys of the file's
    earlier chunks (a chunked read), which this chunk's rows must not repeat; this chunk's are
    added to it.
    """
    if default_score_scale not in SCORE_SCALES:
        raise ValueError(f"default_score_scale must be one of {SCORE_SCALES}")
    n = len(table.frame)
    slot = {c.name: i for i, c in enumerate(entity.columns)}
    problems = _Problems(len(entity.columns) + 1)
    values: dict[str, np.ndarray] = {}
    texts: dict[str, pa.ChunkedArray] = {}

    # Score columns go last: each is read on its row's score_scale, which must be read first.
    order = sorted(entity.columns, key=lambda c: c.kind == SCORE)
    for col in order:
        text = _arrow_text(table.frame[col.name]) if col.name in table.frame else _nulls(n)
        default = DEFAULTS.get((entity.name, col.name))
        if default is not None:
            text = pc.fill_null(text, default)
        texts[col.name] = text
        missing = text.is_null().to_numpy(zero_copy_only=False)
        if col.required and missing.any():
            pos = np.flatnonzero(missing)
            problems.add(slot[col.name], pos, np.full(len(pos), f"{column_label(col)}: missing",
                                                      dtype=object))
        if col.kind == SCORE:
            scale = np.full(n, float(default_score_scale))
            if "score_scale" in values:
                # a row's own scale when given; NaN (no judgement) when that scale is unreadable
                given = ~texts["score_scale"].is_null().to_numpy(zero_copy_only=False)
                scale[given] = values["score_scale"][given]
            parsed, bad, why = _scores(text.to_pandas(), col, scale)
        else:
            parsed, bad, why = _parse(col, text)
            if len(bad) and col.enum is not None and col.name in lenient:
                if unmapped is not None:
                    unmapped[col.name] = _counts(text.take(pa.array(bad)))
                unknown = np.zeros(n, dtype=bool)
                unknown[bad] = True
                parsed = pc.if_else(pa.array(unknown), pa.scalar(None, parsed.type), parsed)
                bad = bad[:0]
        values[col.name] = parsed
        if len(bad):
            problems.add(slot[col.name], bad, why)

    for a, b in entity.not_before:
        col_a, col_b = entity.column(a), entity.column(b)
        va, vb = values[a], values[b]
        pos = np.flatnonzero((va != _NAT) & (vb != _NAT) & (va < vb))
        if len(pos):
            why = (f"{column_label(col_a)} " + _format_times(va[pos], col_a.kind)
                   + f" is before {column_label(col_b)} " + _format_times(vb[pos], col_b.kind))
            problems.add(slot[a], pos, why)

    malformed = np.array(sorted(table.malformed), dtype=np.int64)
    dup_pos, dup_why = _duplicates(entity, values, problems, slot, malformed, table.row_numbers,
                                   seen)
    if len(dup_pos):
        problems.add(len(entity.columns), dup_pos, dup_why)

    reasons = problems.joined(n)
    if len(malformed):
        # A row that did not split into the header's columns has no trustworthy values to judge.
        reasons[malformed] = [table.malformed[p][0] for p in malformed.tolist()]
    bad_rows = np.flatnonzero(pd.notna(reasons))
    good_rows = np.flatnonzero(pd.isna(reasons))
    numbers = np.asarray(table.row_numbers, dtype=np.int64)

    if arrow:
        keep = pa.array(pd.isna(reasons))
        good = pa.table({c.name: _typed_arrow(values[c.name], keep, good_rows, c)
                         for c in entity.columns} | {"row_number": numbers[good_rows]})
    else:
        good = pd.DataFrame(
            {c.name: _typed(_take(values[c.name], good_rows), c) for c in entity.columns},
            index=pd.RangeIndex(len(good_rows)),
        )
        good["row_number"] = numbers[good_rows]
    rejected = pd.DataFrame({
        "row_number": numbers[bad_rows],
        "reason": pd.Series(reasons[bad_rows], dtype=object),
        "raw": pd.Series(table.raw_at(bad_rows), dtype=object),
    })
    return good, rejected


def _counts(text: pa.ChunkedArray) -> pd.Series:
    """How often each value occurs: most frequent first, ties in text order."""
    counts = text.to_pandas().value_counts(sort=False).sort_index()
    return counts.sort_values(ascending=False, kind="stable").rename(None)


class _Problems:
    """Reasons per row, collected per column slot and joined in slot (column) order."""

    def __init__(self, slots: int):
        self.slots: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(slots)]

    def add(self, slot: int, positions: np.ndarray, reasons: np.ndarray) -> None:
        self.slots[slot].append((np.asarray(positions), np.asarray(reasons, dtype=object)))

    def rows_in(self, slot: int) -> np.ndarray:
        """Positions with a problem in this slot."""
        found = [p for p, _ in self.slots[slot]]
        return np.unique(np.concatenate(found)) if found else np.array([], dtype=np.int64)

    def joined(self, n: int) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        for entries in self.slots:
            for pos, why in entries:
                current = out[pos]
                has = pd.notna(current)
                new = why.copy()
                new[has] = current[has] + "; " + why[has]
                out[pos] = new
        return out


def _parse(col: Column, text: pa.ChunkedArray):
    """(values, bad positions, reasons) of one column; values are NaT/NaN/None where missing."""
    if col.kind in (TIMESTAMP, DATE):
        return _timestamps(text, col)
    if col.enum is not None:
        return _by_unique(text.to_pandas(), col, _enum, arrow=True)
    if col.kind == STR:
        # Kept as Arrow text: Python objects for every cell would cost more than the parse.
        return text, np.array([], dtype=np.int64), np.array([], dtype=object)
    series = text.to_pandas()
    if col.kind == BOOL:
        return _by_unique(series, col, _bools)
    if col.kind == RATIO:
        return _by_unique(series, col, _ratios)
    if col.kind in (INT, FLOAT):
        return _by_unique(series, col, _numbers)
    raise ValueError(f"{col.name}: unknown kind {col.kind!r}")


def _by_unique(series: pd.Series, col: Column, parse, arrow: bool = False):
    """Parse each distinct text once (exports repeat a few spellings), then spread by row.

    arrow=True: text values come back as Arrow text, spread by Arrow (an object per row, turned
    into Arrow later, held the GIL the other file's reader needs)."""
    codes, uniques = pd.factorize(series)
    texts = np.asarray(uniques, dtype=object)
    values, reasons = parse(pa.array(texts, pa.string()), texts, col)
    # code -1 (a missing value) picks these appended entries: missing, no reason
    values = np.append(values, None if values.dtype == object else np.nan)
    reasons = np.append(reasons, None)
    bad = np.flatnonzero(pd.notna(reasons)[codes])
    if arrow and values.dtype == object:
        at = np.where(codes < 0, len(values) - 1, codes)
        spread = pa.array(values, pa.large_string()).take(pa.array(at))
        return pa.chunked_array([spread]), bad, reasons[codes[bad]]
    return values[codes], bad, reasons[codes[bad]]


def _bools(u: pa.Array, texts: np.ndarray, col: Column):
    values = _lookup(u, texts, _spellings(col))
    values = np.where(pd.isna(values), np.nan, values).astype(np.float64)
    label = column_label(col)
    reasons = np.where(np.isnan(values),
                       f"{label}: unknown value '" + texts + "' — expected 是/否 or true/false",
                       None)
    return values, reasons


def _enum(u: pa.Array, texts: np.ndarray, col: Column):
    values = _lookup(u, texts, _spellings(col))
    expected = expected_values(col)
    label = column_label(col)
    reasons = np.where(pd.isna(values),
                       f"{label}: unknown value '" + texts + f"' — expected one of {expected}",
                       None)
    return values, reasons


def _spellings(column: Column) -> dict:
    """Every accepted spelling of an enum or flag column → its canonical value."""
    if column.kind == BOOL:
        return {s: v for v, names in BOOL_VALUES.items() for s in names}
    members = ENUMS[column.enum]
    spellings = {canonical: canonical for canonical in members}
    spellings.update({s: canonical for canonical, names in members.items() for s in names})
    return spellings


def is_spelling(column: Column, text: str) -> bool:
    """Whether `text` is a value the column accepts (any text for a free-text column)."""
    if column.enum is None and column.kind != BOOL:
        return True
    return loose_key(text) in {loose_key(str(s)) for s in _spellings(column)}


def expected_values(column: Column, plain: bool = False) -> str:
    """The values a column accepts, as messages list them: 一般/general, 严重/severe."""
    if column.kind == BOOL:
        return "true, false" if plain else "是/否 or true/false"
    members = ENUMS[column.enum]
    if plain:
        return ", ".join(members)
    return ", ".join(f"{names[0]}/{canonical}" if names else canonical
                     for canonical, names in members.items())


def _lookup(u: pa.Array, texts: np.ndarray, spellings: dict) -> np.ndarray:
    """Canonical value of each distinct text by its spelling, None when unknown.

    Spellings compare without case, spaces, hyphens and underscores (loose_key): "On Site",
    "on-site" and "ON_SITE" are one spelling.
    """
    keys = {loose_key(str(s)): v for s, v in spellings.items()}
    key_list = list(keys)
    found = pc.index_in(loose_keys(u), value_set=pa.array(key_list, pa.string()))
    found = found.to_numpy(zero_copy_only=False)
    out = np.full(len(texts), None, dtype=object)
    hit = ~np.isnan(found) if found.dtype.kind == "f" else np.ones(len(found), bool)
    canon = np.array([keys[k] for k in key_list], dtype=object)
    out[hit] = canon[found[hit].astype(np.int64)]
    return out


def _numbers(u: pa.Array, texts: np.ndarray, col: Column):
    label = column_label(col)
    values = _to_float(u, _NUMBER_RE)
    reasons = np.full(len(texts), None, dtype=object)
    unread = np.isnan(values)
    reasons[unread] = f"{label}: cannot read '" + texts[unread] + "' as a number"
    negative = ~unread & (values < 0)
    reasons[negative] = f"{label}: " + texts[negative] + " is negative"
    if col.kind == INT:
        fraction = ~unread & ~negative & (values != np.floor(values))
        reasons[fraction] = f"{label}: " + texts[fraction] + " is not a whole number"
    if col.name == "score_scale":
        other = pd.isna(reasons) & ~np.isin(values, SCORE_SCALES)
        reasons[other] = (f"{label}: " + texts[other]
                          + " is not a score scale — expected 5, 10 or 100")
    values = np.where(pd.isna(reasons), values, np.nan)
    return values, reasons


def _to_float(u: pa.Array, pattern: str) -> np.ndarray:
    """Float of each text matching `pattern`, NaN otherwise (so 'nan' and 'inf' are not numbers)."""
    ok = pc.fill_null(pc.match_substring_regex(u, pattern), False)
    numbers = pc.cast(pc.if_else(ok, u, pa.scalar(None, u.type)), pa.float64())
    out = numbers.to_numpy(zero_copy_only=False).astype(np.float64)
    out[~np.isfinite(out)] = np.nan
    return out


def _ratios(u: pa.Array, texts: np.ndarray, col: Column):
    label = column_label(col)
    parts = pc.extract_regex(u, _RATIO_RE)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)

    def number(name):
        field = parts.field(name)
        field = pc.if_else(pc.equal(field, ""), pa.scalar(None, field.type), field)
        return pc.cast(field, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)

    num, a, b = number("num"), number("a"), number("b")
    percent = pc.not_equal(parts.field("pct"), "").to_numpy(zero_copy_only=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(~np.isnan(num), np.where(percent, num / 100, num), a / b)
    values = np.where(matched & np.isfinite(values), values, np.nan)
    reasons = np.full(len(texts), None, dtype=object)
    unread = np.isnan(values)
    reasons[unread] = (f"{label}: cannot read '" + texts[unread]
                       + "' as a ratio — write 8%, 0.08 or 1/10")
    outside = ~unread & ((values < 0) | (values > 1))
    plain = outside & ~np.isnan(num) & ~percent & (values > 1) & (values <= 100)
    reasons[outside] = f"{label}: " + texts[outside] + " is outside 0–1"
    reasons[plain] = reasons[plain] + "; write " + texts[plain] + "% for a percentage"
    values = np.where(pd.isna(reasons), values, np.nan)
    return values, reasons


def _scores(series: pd.Series, col: Column, scale: np.ndarray):
    """Scores read on each row's scale and mapped linearly onto 1–5.

    1–5 is kept; 1–10 maps 1→1 and 10→5 (1 + (s−1)·4/9); 0–100 maps 0→1 and 100→5 (1 + s·4/100).
    A row whose score_scale is itself unreadable (NaN here) is rejected for that, not judged here.
    """
    label = column_label(col)
    codes, uniques = pd.factorize(series)
    texts = np.append(np.asarray(uniques, dtype=object), None)  # code -1 (missing) → None
    parsed = np.append(_to_float(pa.array(texts[:-1], pa.string()), _NUMBER_RE), np.nan)
    present = codes >= 0
    s = parsed[codes]
    row_text = texts[codes]
    reasons = np.full(len(s), None, dtype=object)
    unread = present & np.isnan(s)
    reasons[unread] = f"{label}: cannot read '" + row_text[unread] + "' as a score"
    out = np.full(len(s), np.nan)
    for size, low, mapped in (
        (5, 1, lambda v: v),
        (10, 1, lambda v: 1 + (v - 1) * 4 / 9),
        (100, 0, lambda v: 1 + v * 4 / 100),
    ):
        on = present & ~unread & (scale == size)
        inside = on & (s >= low) & (s <= size)
        out[inside] = mapped(s[inside])
        outside = on & ~inside
        reasons[outside] = (f"{label}: " + row_text[outside]
                            + f" is outside the {low}–{size} scale")
    bad = np.flatnonzero(pd.notna(reasons))
    return out, bad, reasons[bad]


def _timestamps(text: pa.ChunkedArray, col: Column):
    """Nanoseconds since 1970 (local, naive) of each accepted spelling; NaT where unreadable."""
    out, unread = _column_times(text)
    if col.kind == DATE:
        # A date column takes the date part of whatever time was written.
        out = np.where(out == _NAT, _NAT, (out // _DAY) * _DAY)
    bad = np.flatnonzero(unread)
    what = "a date — expected e.g. 2025-10-09" if col.kind == DATE else (
        "a date and time — expected e.g. 2025-10-09 14:30")
    shown = np.asarray(text.take(pa.array(bad)).to_numpy(zero_copy_only=False), dtype=object)
    return out, bad, f"{column_label(col)}: cannot read '" + shown + f"' as {what}"


def _column_times(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(ns, unreadable) of a column: the usual layouts read from their bytes (_fixed_times),
    the rest the careful way (_other_times)."""
    present = text.is_valid().to_numpy(zero_copy_only=False)
    ns, ok = _fixed_times(text)
    rest = present & ~ok
    if rest.all():
        return _other_times(text)
    if rest.any():
        r_ns, r_unread = _other_times(text.filter(pa.array(rest)))
        ns[rest], ok[rest] = r_ns, ~r_unread
    return np.where(ok, ns, _NAT), present & ~ok


# The fixed layouts nearly every export writes, read from their bytes (_fixed_times): ISO
# with minutes or seconds, with a zone or none, and Excel's YYYY/M/D H:MM with one or two
# digits. Letters are the digits of year, month, day, hour, minute, second and of the zone's
# hours and minutes; "T" is a space or a T, "_" a space, "±" a sign.
_LAYOUTS = ("YYYY-MM-DD", "YYYY-MM-DDThh:mm", "YYYY-MM-DDThh:mm:ss",
            *(f"YYYY-MM-DDThh:mm{s}{z}" for s in ("", ":ss") for z in ("Z", "±HH:NN", "±HHNN")),
            *(f"YYYY/{m}/{d}{t}" for m in ("M", "MM") for d in ("D", "DD")
              for t in ("", *(f"_{h}:mm{s}" for h in ("h", "hh") for s in ("", ":ss")))))
_FIELD_LETTERS = "YMDhmsHN"
# A zoned moment is read here from 1992 on, when China's clocks last changed (DST ended in
# September 1991): local time is then UTC + 8 h. Earlier ones go the careful way.
_ZONED_FROM = int(np.datetime64("1992-01-01", "ns").astype(np.int64))
_CHINA_OFFSET = 8 * 3600 * _SECOND


class _Layout(NamedTuple):
    """One of _LAYOUTS as _fixed_times reads it."""

    separators: dict[int, tuple[int, ...]]   # position: the bytes allowed there
    positions: np.ndarray                    # where the digits are
    fields: list[list[tuple[int, int]]]      # per _FIELD_LETTERS: (digit, weight), or none
    sign: int | None                         # where the zone's sign is
    zoned: bool


def _layout(template: str) -> _Layout:
    """A template of _LAYOUTS, ready to read."""
    allowed = {"T": b" T", "_": b" ", "±": b"+-"}
    separators = {i: tuple(allowed.get(c, c.encode())) for i, c in enumerate(template)
                  if c not in _FIELD_LETTERS}
    positions = [i for i, c in enumerate(template) if c in _FIELD_LETTERS]
    fields = []
    for letter in _FIELD_LETTERS:
        mine = [positions.index(i) for i, c in enumerate(template) if c == letter]
        fields.append([(k, 10 ** (len(mine) - 1 - n)) for n, k in enumerate(mine)])
    sign = template.index("±") if "±" in template else None
    return _Layout(separators, np.array(positions), fields, sign,
                   sign is not None or template.endswith("Z"))


_BY_WIDTH: dict[int, list] = {}
for _template in _LAYOUTS:
    _BY_WIDTH.setdefault(len(_template), []).append(_layout(_template))
_WORD_BYTES = 32   # four 8-byte words hold the longest layout
# Days from 1970 to the first of each month of _YEAR_MIN.._YEAR_MAX, and each month's days.
_MONTHS = np.arange((_YEAR_MAX - _YEAR_MIN + 1) * 12 + 1) + (_YEAR_MIN - 1970) * 12
_MONTH_START = _MONTHS.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
_MONTH_DAYS = np.diff(_MONTH_START)


def _fixed_times(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(ns, read) of the values spelled in one of _LAYOUTS that are real moments in the years
    datetime64[ns] holds, computed from their bytes with numpy: the regexes and Arrow's cast
    cost a third of reading a tickets file. Every other value is left unread (read False);
    what is read is what _other_times reads."""
    n = len(text)
    ns, read = np.full(n, _NAT, dtype=np.int64), np.zeros(n, dtype=bool)
    if n and (pa.types.is_large_string(text.type) or pa.types.is_string(text.type)):
        # One array: Arrow's CSV blocks of a few thousand rows would each pay every step.
        _fixed_times_chunk(text.combine_chunks(), ns, read)
    return ns, read


def _fixed_times_chunk(chunk: pa.Array, ns: np.ndarray, read: np.ndarray) -> None:
    """_fixed_times of one string array, written into NS and READ."""
    _, offsets, data = chunk.buffers()
    if data is None:
        return
    n = len(chunk)
    kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    ends = np.frombuffer(offsets, kind)[chunk.offset:chunk.offset + n + 1].astype(np.int64)
    length = np.diff(ends)
    if chunk.null_count:
        length[~chunk.is_valid().to_numpy(zero_copy_only=False)] = 0
    # The values' bytes, padded so that whole 8-byte words can be read from any value's start.
    data = np.frombuffer(data, np.uint8)[ends[0]:ends[-1]]
    padded = np.zeros(len(data) + _WORD_BYTES, np.uint8)
    padded[:len(data)] = data
    starts = ends[:-1] - ends[0]
    words = np.ndarray((len(data) + _WORD_BYTES - 7,), np.uint64, padded, strides=(1,))
    for width, layouts in _BY_WIDTH.items():
        rows = np.flatnonzero(length == width)
        if not len(rows):
            continue
        # Each value's bytes read a word at a time, not a byte at a time.
        block = words[starts[rows][:, None] + np.arange(0, width, 8)].view(np.uint8)[:, :width]
        for separators, positions, fields, sign, zoned in layouts:
            digits = block[:, positions] - np.uint8(48)   # a non-digit wraps above 9
            good = (digits < 10).all(axis=1)
            for i, allowed in separators.items():
                good &= np.isin(block[:, i], allowed) if len(allowed) > 1 \
                    else block[:, i] == allowed[0]
            if not good.any():
                continue
            # One row per digit, so that each field adds contiguous rows.
            digits = np.array(digits[good].T, dtype=np.int32, order="C")
            y, m, d, hour, minute, second, zone_h, zone_m = (
                sum((digits[k] * w for k, w in field), np.zeros(digits.shape[1], np.int32))
                for field in fields)
            real = (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & (m >= 1) & (m <= 12) & (d >= 1)
            month = np.where(real, (y - _YEAR_MIN) * 12 + (m - 1), 0)
            real &= (d <= _MONTH_DAYS[month]) & (hour < 24) & (minute < 60) & (second < 60)
            moment = ((_MONTH_START[month] + d - 1) * 86_400
                      + (hour * 3600 + minute * 60 + second)) * _SECOND
            if zoned:
                west = block[good, sign] == ord("-") if sign is not None else False
                offset = np.where(west, -1, 1) * (zone_h * 60 + zone_m).astype(np.int64)
                moment = moment - offset * 60 * _SECOND
                real &= (zone_h <= 14) & (zone_m < 60) & (moment >= _ZONED_FROM)
                moment = moment + _CHINA_OFFSET
            at = rows[np.flatnonzero(good)[real]]
            ns[at] = moment[real]
            read[at] = True
            # A value has one layout: the rest of this width try the next.
            keep = ~good
            rows, block = rows[keep], block[keep]


def _other_times(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(ns, unreadable) of a column; plain ISO text takes Arrow's strict cast, the rest a regex."""
    present = text.is_valid().to_numpy(zero_copy_only=False)
    ns = np.full(len(text), _NAT, dtype=np.int64)
    ok = np.zeros(len(text), dtype=bool)
    if not present.any():
        return ns, ok
    iso = pc.fill_null(pc.match_substring_regex(text, _ISO_RE), False)
    picked = iso.to_numpy(zero_copy_only=False)
    rest = present
    if picked.any():
        iso_text = text.filter(iso)
        try:
            ns[picked] = iso_text.cast(pa.timestamp("ns")).cast(pa.int64()).to_numpy()
            ok[picked] = True
            rest = present & ~picked
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # Some value is not a real ISO moment (2025-13-45): it, and any other the regex
            # would refuse, is read the careful way; the rest are real moments, which the cast
            # reads as the regex does.
            real = _real_iso(iso_text)
            at = np.flatnonzero(picked)[real]
            try:
                ns[at] = (iso_text.filter(pa.array(real)).cast(pa.timestamp("ns"))
                          .cast(pa.int64()).to_numpy())
                ok[at] = True
                rest = present.copy()
                rest[at] = False
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # read the whole column the careful way
    if rest.any():
        # Only the rows in other spellings pay for the regex with its many captures, in one call.
        part = (text if rest.all() else text.filter(pa.array(rest))).combine_chunks()
        r_ns, r_ok = _regex_times(part)
        serial = ~r_ok
        if serial.any():
            s_ns, s_ok = _excel_serials(part)
            r_ns = np.where(serial & s_ok, s_ns, r_ns)
            r_ok = r_ok | (serial & s_ok)
        ns[rest] = r_ns
        ok[rest] = r_ok
    return np.where(ok, ns, _NAT), present & ~ok


def _real_iso(text: pa.ChunkedArray) -> np.ndarray:
    """Which texts matching _ISO_RE are moments _regex_times reads: a real date and time of day,
    in the years datetime64[ns] holds."""

    def number(start: int, stop: int) -> np.ndarray:
        part = pc.utf8_slice_codeunits(text, start, stop)
        part = pc.if_else(pc.equal(part, ""), "0", part)
        return pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False)

    y, m, d = number(0, 4), number(5, 7), number(8, 10)
    ok = (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & (m >= 1) & (m <= 12) & (d >= 1)
    month = np.where(ok, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
    days = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    return ok & (d <= days) & (number(11, 13) < 24) & (number(14, 16) < 60) & (number(17, 19) < 60)


def _regex_times(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    parts = pc.extract_regex(chunk, _TIME_RE)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)

    def field(name) -> pa.Array:
        return parts.field(name)

    def number(name) -> np.ndarray:
        f = field(name)
        f = pc.if_else(pc.equal(f, ""), pa.scalar(None, f.type), f)
        return pc.cast(f, pa.int64()).fill_null(-1).to_numpy(zero_copy_only=False)

    def given(name) -> np.ndarray:
        return pc.not_equal(field(name), "").to_numpy(zero_copy_only=False)

    y = number("y")
    m = np.maximum.reduce([number("m1"), number("m2"), number("m3")])
    d = np.maximum.reduce([number("d1"), number("d2"), number("d3")])
    hour, minute, second = number("H"), number("M"), number("S")
    has_time = hour >= 0
    # Date and time need a separator ("2025-10-0110:00" is a typo, not a time); 年月日 needs none.
    form1, form2 = number("m1") >= 0, number("m2") >= 0
    sep_ok = np.where(form1, given("s1") == has_time, np.where(form2, given("s2") == has_time,
                                                               True))
    ok = (matched & sep_ok & (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & (m >= 1) & (m <= 12)
          & (d >= 1) & (hour < 24) & (minute < 60) & (second < 60))
    month = np.where(ok, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
    first_day = month.astype("datetime64[D]")
    days_in_month = ((month + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok &= d <= days_in_month
    day = (first_day + np.where(ok, d - 1, 0)).astype("datetime64[ns]").astype(np.int64)
    clock = (np.maximum(hour, 0) * 3600 + np.maximum(minute, 0) * 60 + np.maximum(second, 0))
    fraction = pc.cast(pc.utf8_rpad(field("f"), 9, "0"), pa.int64())
    ns = day + clock * _SECOND + fraction.to_numpy(zero_copy_only=False)

    zone = field("z")
    zoned = pc.not_equal(zone, "").to_numpy(zero_copy_only=False) & ok
    ok &= ~(zoned & ~has_time)
    if zoned.any():
        digits = pc.replace_substring(zone, ":", "")
        sign = np.where(pc.starts_with(digits, "-").to_numpy(zero_copy_only=False), -1, 1)
        hh = _int_slice(digits, 1, 3)
        mm = _int_slice(digits, 3, 5)
        ok &= ~zoned | ((hh <= 14) & (mm < 60))
        minutes = np.where(pc.equal(zone, "Z").to_numpy(zero_copy_only=False), 0,
                           sign * (hh * 60 + mm))
        utc = ns[zoned] - minutes[zoned] * 60 * _SECOND
        local = (pd.DatetimeIndex(utc.astype("datetime64[ns]")).tz_localize("UTC")
                 .tz_convert(_LOCAL_TZ).tz_localize(None))
        ns[zoned] = local.asi8
    return ns, ok


def _int_slice(text: pa.Array, start: int, stop: int) -> np.ndarray:
    part = pc.utf8_slice_codeunits(text, start, stop)
    part = pc.if_else(pc.match_substring_regex(part, r"^\d+$"), part, "0")
    return pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False)


def _excel_serials(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Excel serial day numbers (1 = 1900-01-01), rounded to the second."""
    days = _to_float(chunk, _SERIAL_RE)
    seconds = np.rint(np.nan_to_num(days) * 86_400)
    ok = (days >= 1) & (days <= _EXCEL_MAX_SERIAL)
    ns_float = _EXCEL_EPOCH + seconds * _SECOND
    ok &= ns_float < float(np.datetime64(f"{_YEAR_MAX + 1}-01-01", "ns").astype(np.int64))
    ns = _EXCEL_EPOCH + np.where(ok, seconds, 0).astype(np.int64) * _SECOND
    return ns, ok


def _format_times(ns: np.ndarray, kind: str) -> np.ndarray:
    unit = "D" if kind == DATE else "s"
    text = np.datetime_as_string(ns.astype("datetime64[ns]"), unit=unit)
    return np.char.replace(text, "T", " ").astype(object)


def _duplicates(entity, values, problems, slot, malformed, row_numbers, seen=None):
    """Later rows repeating an earlier row's key (in this chunk or, with SEEN, in an earlier
    one): (positions, reasons)."""
    key = list(entity.key)
    n = len(row_numbers)
    eligible = np.ones(n, dtype=bool)
    eligible[malformed] = False
    for k in key:
        v = values[k]
        eligible[problems.rows_in(slot[k])] = False
        if isinstance(v, pa.ChunkedArray):
            eligible &= v.is_valid().to_numpy(zero_copy_only=False)
        else:
            eligible &= (v != _NAT) if v.dtype == np.int64 else pd.notna(v)
    pos = np.flatnonzero(eligible)
    none = np.array([], dtype=np.int64), np.array([], dtype=object)
    if seen is not None:
        if not len(pos):
            return none
        dup_at, first_row = seen.check_and_add(
            {k: _arrow_key(values[k], pos) for k in key}, np.asarray(row_numbers)[pos])
        if not len(dup_at):
            return none
        return _duplicate_reasons(entity, values, key, pos[dup_at], first_row)
    if len(pos) < 2:
        return none
    keys = pd.DataFrame({k: _take(values[k], pos) for k in key})
    dup = keys.duplicated(keep="first").to_numpy()
    if not dup.any():
        return none
    group = keys.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    first = np.full(group.max() + 1, len(pos))
    np.minimum.at(first, group, np.arange(len(pos)))
    first_row = np.asarray(row_numbers)[pos[first[group[dup]]]]
    return _duplicate_reasons(entity, values, key, pos[dup], first_row)


def _duplicate_reasons(entity, values, key, positions, first_row):
    shown = None
    for k in key:
        part = f"{k} " + _key_text(_take(values[k], positions), entity.column(k))
        shown = part if shown is None else shown + ", " + part
    why = "duplicate " + shown + " (first at row " + first_row.astype(str).astype(object) + ")"
    return positions, why


def _arrow_key(v: np.ndarray | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """A key column's values at these positions as Arrow, compared as == compares them."""
    if isinstance(v, pa.ChunkedArray):
        return v.take(pa.array(positions)).combine_chunks()
    v = v[positions]
    if v.dtype == object:
        return pa.array(v, pa.string())
    if v.dtype.kind == "f":
        v = v + 0.0  # -0.0 is 0.0
    return pa.array(v)


class SeenKeys:
    """The keys of a file's earlier chunks, with the row each first appeared on, in an
    in-memory DuckDB table: every chunk is checked against all of them exactly, by hash join.
    """

    def __init__(self):
        self._con = duckdb.connect(config={"threads": 2})
        self._columns: list[str] = []

    def check_and_add(self, keys: dict[str, pa.Array], rows: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, first rows) of the rows whose key came before: on an earlier chunk's
        row, or earlier in this one (the first in file order). The new keys are added."""
        con = self._con
        names = [f"k{i}" for i in range(len(keys))]
        chunk = pa.table(dict(zip(names, keys.values(), strict=True))
                         | {"i": np.arange(len(rows)), "row_number": rows})
        con.register("chunk", chunk)
        try:
            if not self._columns:
                con.execute(_SEEN_CREATE[len(names)])
                self._columns = names
            for statement in _SEEN_STEPS[len(names)]:
                con.execute(statement)
            found = con.execute(_SEEN_FOUND[len(names)]).fetchnumpy()
        finally:
            con.unregister("chunk")
        return found["i"].astype(np.int64), found["first_row"].astype(np.int64)

    def close(self) -> None:
        """Let go of the keys."""
        self._con.close()


def _seen_sql(n: int) -> tuple[str, list[str], str]:
    # Identifiers k0, k1, … are generated here, never taken from data.
    ks = [f"k{i}" for i in range(n)]
    cols = ", ".join(ks)

    def on(a, b):
        return " AND ".join(f"{a}.{k} = {b}.{k}" for k in ks)
    create = f"CREATE TABLE seen AS SELECT {cols}, row_number FROM chunk LIMIT 0"  # noqa: S608
    steps = [
        # each key of the chunk once: its first row here, how often, its row in earlier chunks
        "CREATE OR REPLACE TEMP TABLE step AS "  # noqa: S608
        f"SELECT f.*, s.row_number AS earlier FROM (SELECT {cols}, min(row_number) AS first_here,"
        f" count(*) AS n FROM chunk GROUP BY ALL) AS f LEFT JOIN seen AS s ON {on('f', 's')}",
        f"INSERT INTO seen SELECT {cols}, first_here FROM step WHERE earlier IS NULL",  # noqa: S608
    ]
    found = (
        "SELECT c.i, coalesce(g.earlier, g.first_here) AS first_row FROM chunk AS c "  # noqa: S608
        "JOIN (SELECT * FROM step WHERE earlier IS NOT NULL OR n > 1) AS g "
        f"ON {on('c', 'g')} WHERE g.earlier IS NOT NULL OR c.row_number > g.first_here ORDER BY c.i"
    )
    return create, steps, found


_SEEN_CREATE, _SEEN_STEPS, _SEEN_FOUND = ({n: _seen_sql(n)[i] for n in range(1, 4)}
                                          for i in range(3))


def _key_text(v: np.ndarray, col: Column) -> np.ndarray:
    if col.kind in (TIMESTAMP, DATE):
        return _format_times(v, col.kind)
    if col.kind in (INT, FLOAT, RATIO, SCORE):
        return pd.Series(v).astype("str").str.removesuffix(".0").to_numpy(dtype=object)
    return v.astype(object)


def _take(v: np.ndarray | pa.ChunkedArray, positions: np.ndarray) -> np.ndarray:
    """The values at these positions; Arrow text becomes an object array (None where missing)."""
    if isinstance(v, pa.ChunkedArray):
        return np.asarray(v.take(pa.array(positions)).to_numpy(zero_copy_only=False),
                          dtype=object)
    return v[positions]


def _typed_arrow(v: np.ndarray | pa.ChunkedArray, keep: pa.Array, rows: np.ndarray, col: Column):
    """A column of good rows as Arrow, in the SQL type of its kind (text stays Arrow text)."""
    if isinstance(v, pa.ChunkedArray):
        return v.filter(keep)
    v = v[rows]
    # A mask, not from_pandas=True: that looks at every value for NaT/NaN in Python's thread
    # (15× slower, holding the GIL the other file's reader needs).
    if col.kind in (TIMESTAMP, DATE):
        ns = v.view(np.int64)
        return pa.array(ns, pa.int64(), mask=ns == _NAT).view(pa.timestamp("ns"))
    if col.kind == STR:
        return pa.array(v, pa.large_string(), from_pandas=True)
    v = np.asarray(v, dtype=np.float64)
    values = pa.array(v, pa.float64(), mask=np.isnan(v))
    if col.kind == BOOL:
        return values.cast(pa.bool_())
    if col.kind == INT:
        return values.cast(pa.int64())
    return values


def _typed(v: np.ndarray, col: Column):
    """A column of good rows in the contract dtype (service_quality.schema.DTYPES)."""
    dtype = DTYPES[col.kind]
    if col.kind in (TIMESTAMP, DATE):
        return pd.Series(v.astype("datetime64[ns]"), dtype=dtype)
    if col.kind == STR:
        return pd.Series(v, dtype=object)
    return pd.Series(np.asarray(v, dtype=np.float64)).astype(dtype)


def _arrow_text(series: pd.Series) -> pa.ChunkedArray:
    """A text column as an Arrow string array without copying when it is already Arrow-backed."""
    arr = pa.array(series.astype("str"), from_pandas=True)
    return pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr


def _nulls(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(n, pa.large_string())])
