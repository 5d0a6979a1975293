"""Dates as other systems write them (31/10/2025, 10/31/25 9:15 PM, 03/Oct/25) → ISO text.

The order of day and month is never guessed: it is given (--date-order, the profile) or decided
by a day above 12 somewhere in the file; otherwise the file is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..readers import InputError

_TIME = (
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ap>[AaPp]\.?[Mm]\.?|上午|下午)?)?$"
)
# Year first with - or / is already what the contract reads; only these need rewriting.
_CONTRACT_FORM = r"^\d{4}[-/]"
_YEAR_DOTS = r"^(?P<a>\d{4})\.(?P<b>\d{1,2})\.(?P<c>\d{1,2})" + _TIME
_SHORT = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{4}|\d{2})" + _TIME
_MONTH_NAME = r"^(?P<a>\d{1,2})[/.\- ](?P<b>[A-Za-z]{3,9})\.?[/.\- ,]+(?P<c>\d{4}|\d{2})" + _TIME
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}
# What timestamps() reads, in order; later formats are tried only on what earlier ones missed.
_ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M", "%Y/%m/%d")


class DateText:
    """One column's text, its date-like values parsed once (Arrow's regex engine, no loop)."""

    def __init__(self, values: pd.Series):
        self.values = values
        self.arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        n = len(self.arr)
        maybe = pc.invert(pc.match_substring_regex(self.arr, _CONTRACT_FORM))
        maybe = pc.fill_null(maybe, False).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(maybe)  # the values the contract would not read as they are
        # Each form is looked for only among the values no earlier form matched.
        self.forms: dict[str, tuple[np.ndarray, dict | None]] = {}
        for name, pattern in (("short", _SHORT), ("named", _MONTH_NAME), ("dots", _YEAR_DOTS)):
            sub = self.arr.take(pa.array(rows)) if len(rows) < n else self.arr
            parts = _parts(sub, pattern)
            self.forms[name] = (rows, parts)
            if parts is not None:
                rows = rows[~parts["hit"]]

    def short(self) -> tuple[np.ndarray, np.ndarray]:
        """The two leading numbers (a, b) of day/month dates like 31/10/2025; NaN elsewhere."""
        a, b = np.full(len(self.arr), np.nan), np.full(len(self.arr), np.nan)
        rows, p = self.forms["short"]
        if p is not None:
            a[rows] = p["a"]
            b[rows] = p["b"]
        return a, b

    def to_iso(self, order: str | None) -> pd.Series:
        """The values with every recognised date as `YYYY-MM-DD HH:MM:SS`, others as written."""
        out = self.arr
        for name, kind in (("dots", "ymd"), ("short", order), ("named", "d-mon-y")):
            rows, p = self.forms[name]
            if p is None or kind is None:
                continue
            hits, text = _iso(p, kind)
            if len(hits):
                mask = np.zeros(len(out), bool)
                mask[rows[hits]] = True
                out = pc.replace_with_mask(out, pa.array(mask), pa.array(text, out.type))
        if out is self.arr:
            return self.values
        return out.to_pandas().astype("str").set_axis(self.values.index)


def _parts(arr: pa.Array, pattern: str) -> dict[str, np.ndarray] | None:
    """The pattern's named groups per value: numbers as floats (NaN when absent), month names
    and AM/PM as objects, and "hit"; None when no value matches."""
    if len(arr) == 0:
        return None
    found = pc.extract_regex(arr, pattern)
    hit = found.is_valid().to_numpy(zero_copy_only=False)
    if not hit.any():
        return None
    out: dict[str, np.ndarray] = {"hit": hit}
    for i in range(found.type.num_fields):
        name = found.type.field(i).name
        text = pc.struct_field(found, [i])
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
        if name == "ap" or (name == "b" and pattern == _MONTH_NAME):
            out[name] = text.to_numpy(zero_copy_only=False)
        else:
            out[name] = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    return out


def _iso(p: dict[str, np.ndarray], kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(positions, ISO text) of the valid dates among one form's matches."""
    hit = p["hit"]
    if kind == "d-mon-y":
        names = pd.Series(p["b"][hit], dtype="str").str.lower().str[:3]
        year, month, day = p["c"][hit], names.map(_MONTHS).to_numpy(float), p["a"][hit]
    else:
        pos = {"ymd": "abc", "dmy": "cba", "mdy": "cab"}[kind]  # year, month, day
        year, month, day = (p[k][hit] for k in pos)
    year = np.where(year >= 100, year, year + 2000)
    hour, minute, second = p["H"][hit], p["M"][hit], p["S"][hit]
    first = pd.Series(p["ap"][hit], dtype="str").str.lower().str[0].to_numpy(object)
    am, pm = (first == "a") | (first == "上"), (first == "p") | (first == "下")
    hour = np.where(am & (hour == 12), 0, np.where(pm & (hour < 12), hour + 12, hour))
    date = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}),
                          errors="coerce")
    ok = (date.notna().to_numpy() & ~(hour >= 24) & ~(minute >= 60) & ~(second >= 60))
    clock = pd.to_timedelta(np.nan_to_num(hour) * 3600 + np.nan_to_num(minute) * 60
                            + np.nan_to_num(second), unit="s")
    stamp = pa.array((date + clock)[ok], pa.timestamp("s"))
    text = pc.cast(stamp, pa.large_string()).to_numpy(zero_copy_only=False)  # ISO with a space
    # an impossible date (31/02) stays as written, so the rejection quotes the file's text
    return np.flatnonzero(hit)[ok], text


def decide_order(name: str, columns: dict[str, tuple[DateText, np.ndarray]],
                 given: str | None, given_by: str) -> tuple[str | None, str | None]:
    """(order, note) for a file's short dates; raise InputError when the data cannot tell.

    `columns` maps a source header to (its DateText, the spreadsheet row numbers).
    """
    found: dict[str, tuple[str, int, str] | None] = {"first": None, "second": None, "any": None}
    for header, (dates, rows) in columns.items():
        a, b = dates.short()
        for key, mask in (("first", a > 12), ("second", b > 12), ("any", np.isfinite(a))):
            hit = np.flatnonzero(mask)
            if len(hit) and found[key] is None:
                found[key] = (header, int(rows[hit[0]]), dates.values.iloc[hit[0]])
    if found["any"] is None:
        return given, None
    if given:
        return given, f"dates read as {ORDER_NAMES[given]} ({given_by})"
    first, second = found["first"], found["second"]
    if first and second:
        raise InputError(
            f"{name}: the file mixes day-first and month-first dates — "
            f"{first[2]!r} (column {first[0]}, row {first[1]}) and "
            f"{second[2]!r} (column {second[0]}, row {second[1]}); "
            "fix the file or give --date-order dmy|mdy"
        )
    if first or second:
        order, which = ("dmy", "first") if first else ("mdy", "second")
        header, row, value = first or second
        return order, (f"dates read as {ORDER_NAMES[order]}: decided by the data — {value!r} "
                       f"(column {header}, row {row}) has a {which} number above 12")
    header, row, value = found["any"]
    raise InputError(
        f"{name}: cannot tell whether dates like {value!r} (column {header}, row {row}) are "
        "day/month/year or month/day/year — no day above 12 anywhere in the file; give "
        "--date-order dmy or --date-order mdy (or date_order in the profile)"
    )


def timestamps(iso: pd.Series) -> pd.Series:
    """ISO text (as to_iso and the contract write it) as datetime64; anything else NaT."""
    arr = pa.array(iso, type=pa.large_string(), from_pandas=True)
    out = pa.nulls(len(arr), pa.timestamp("s"))
    for fmt in _ISO_FORMATS:
        missing = pc.and_(pc.is_null(out), pc.is_valid(arr))
        if not pc.any(missing).as_py():
            break
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        out = pc.if_else(missing, parsed, out)
    return pd.Series(out.to_numpy(zero_copy_only=False), index=iso.index,
                     dtype="datetime64[s]").astype("datetime64[ns]")
