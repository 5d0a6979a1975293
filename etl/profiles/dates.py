"""Dates as other systems write them (31/10/2025, 10/31/25 9:15 PM, 03/Oct/25) → ISO text.

The order of day and month is never guessed: it is given (--date-order, the profile) or decided
by a day above 12 somewhere in the file; otherwise the file is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..readers import InputError

_TIME = (
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ap>[AaPp]\.?[Mm]\.?|上午|下午)?)?$"
)
_YEAR_FIRST = r"^(?P<a>\d{4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,2})" + _TIME
_SHORT = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{4}|\d{2})" + _TIME
_MONTH_NAME = r"^(?P<a>\d{1,2})[/.\- ](?P<b>[A-Za-z]{3,9})\.?[/.\- ,]+(?P<c>\d{4}|\d{2})" + _TIME
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}


def short_dates(values: pd.Series) -> pd.DataFrame:
    """The two leading numbers of day/month dates (31/10/2025) as a, b; NaN elsewhere."""
    parts = values.str.extract(_SHORT)
    return parts[["a", "b"]].astype("float64")


def decide_order(name: str, columns: dict[str, tuple[pd.Series, np.ndarray]],
                 given: str | None, given_by: str) -> tuple[str | None, str | None]:
    """(order, note) for a file's short dates; raise InputError when the data cannot tell.

    `columns` maps a source header to (its text, the spreadsheet row numbers).
    """
    first_big, second_big, any_short = None, None, False
    for header, (text, rows) in columns.items():
        parts = short_dates(text)
        a, b = parts["a"].to_numpy(), parts["b"].to_numpy()
        any_short = any_short or bool(np.isfinite(a).any())
        for big, store in ((a > 12, "first"), (b > 12, "second")):
            hit = np.flatnonzero(big)
            if len(hit) and (first_big if store == "first" else second_big) is None:
                found = (header, int(rows[hit[0]]), text.iloc[hit[0]])
                if store == "first":
                    first_big = found
                else:
                    second_big = found
    if given:
        return given, (f"dates read as {ORDER_NAMES[given]} ({given_by})" if any_short else None)
    if not any_short:
        return None, None
    if first_big and second_big:
        raise InputError(
            f"{name}: the file mixes day-first and month-first dates — "
            f"{first_big[2]!r} (column {first_big[0]}, row {first_big[1]}) and "
            f"{second_big[2]!r} (column {second_big[0]}, row {second_big[1]}); "
            "fix the file or give --date-order dmy|mdy"
        )
    if first_big or second_big:
        order = "dmy" if first_big else "mdy"
        h, row, value = first_big or second_big
        which = "first" if first_big else "second"
        return order, (f"dates read as {ORDER_NAMES[order]}: decided by the data — {value!r} "
                       f"(column {h}, row {row}) has a {which} number above 12")
    raise InputError(ambiguous_message(name, first_short(columns)))


def ambiguous_message(name: str, example: tuple[str, int, str]) -> str:
    """The refusal for a file whose short dates could be either day/month or month/day."""
    header, row, value = example
    return (f"{name}: cannot tell whether dates like {value!r} (column {header}, row {row}) are "
            "day/month/year or month/day/year — no day above 12 anywhere in the file; give "
            "--date-order dmy or --date-order mdy (or date_order in the profile)")


def first_short(columns: dict[str, tuple[pd.Series, np.ndarray]]) -> tuple[str, int, str] | None:
    """The first short (day/month) date of the file: column, row, value."""
    for header, (text, rows) in columns.items():
        hit = np.flatnonzero(np.isfinite(short_dates(text)["a"].to_numpy()))
        if len(hit):
            return header, int(rows[hit[0]]), text.iloc[hit[0]]
    return None


def to_iso(values: pd.Series, order: str | None) -> pd.Series:
    """Dates of the forms above as `YYYY-MM-DD[ HH:MM:SS]`; anything else is left as written."""
    out = values.copy()
    for pattern, kind in ((_YEAR_FIRST, "ymd"), (_SHORT, order), (_MONTH_NAME, "d-mon-y")):
        if kind is None:
            continue
        parts = values.str.extract(pattern)
        hit = parts["a"].notna().to_numpy()
        if not hit.any():
            continue
        p = parts[hit]
        if kind == "d-mon-y":
            month = p["b"].str.lower().str[:3].map(_MONTHS).astype("float64")
            day, year = p["a"].astype("float64"), p["c"].astype("float64")
        else:
            nums = {k: p[k].astype("float64") for k in "abc"}
            pos = {"ymd": "abc", "dmy": "cba", "mdy": "cab"}[kind]  # year, month, day
            year, month, day = nums[pos[0]], nums[pos[1]], nums[pos[2]]
        year = year.where(year >= 100, year + 2000)
        hour = p["H"].astype("float64")
        pm = p["ap"].fillna("").str.lower().str[0].isin(["p", "下"])
        am = p["ap"].fillna("").str.lower().str[0].isin(["a", "上"])
        hour = hour.where(~(am & (hour == 12)), 0)
        hour = hour.where(~(pm & (hour < 12)), hour + 12)
        date = pd.to_datetime(
            pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
        )
        ok = date.notna() & (hour.isna() | (hour < 24))
        text = date.dt.strftime("%Y-%m-%d")
        has_time = p["H"].notna()
        hh = hour.fillna(0).astype("int64").astype("str").str.zfill(2)
        clock = hh + ":" + p["M"].fillna("00") + ":" + p["S"].fillna("00")
        text = text.where(~has_time, text + " " + clock)
        # an impossible date (31/02) stays as written, so the rejection quotes the file's text
        index = p.index[ok.to_numpy()]
        out.loc[index] = text[ok].to_numpy()
    return out


def timestamps(iso: pd.Series) -> pd.Series:
    """ISO text (as to_iso writes it) as datetime64; anything else NaT."""
    full = pd.to_datetime(iso, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    return full.fillna(pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce"))
