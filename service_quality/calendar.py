"""The China working calendar (DESIGN §2.1): working days, working-hour windows, deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from chinese_calendar import constants as official

MINUTES_PER_DAY = 24 * 60
# The name of a calendar-file holiday that has no note and no official name (shown as 节假日).
GENERIC_HOLIDAY = "Holiday"
_OFFICIAL_YEARS = range(min(official.holidays).year, max(official.holidays).year + 1)


def parse_windows(specs: list[str]) -> tuple[tuple[int, int], ...]:
    """Turn ["08:30-12:00", "14:00-17:30"] into sorted (start, end) minutes of the day."""
    windows = []
    for spec in specs:
        try:
            parts = (p.strip().split(":") for p in spec.split("-"))
            start, end = (int(h) * 60 + int(m) for h, m in parts)
        except ValueError:
            msg = f"working hours: cannot read {spec!r}; write it as HH:MM-HH:MM"
            raise ValueError(msg) from None
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"working hours: {spec!r} must start before it ends, within one day")
        windows.append((start, end))
    windows.sort()
    if any(a[1] > b[0] for a, b in zip(windows, windows[1:], strict=False)):
        raise ValueError(f"working hours: windows {specs} overlap")
    if not windows:
        raise ValueError("working hours: at least one window is needed")
    return tuple(windows)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days over a continuous range of dates plus the working-hour windows."""

    days: pd.DataFrame  # one row per date: date, is_workday, estimated, source, holiday, note
    windows: tuple[tuple[int, int], ...]

    @property
    def first_day(self) -> np.datetime64:
        """The first date the calendar covers."""
        return self.days["date"].values[0].astype("datetime64[D]")

    @property
    def estimated_years(self) -> list[int]:
        """Years in range that fell back to Monday–Friday."""
        est = self.days.loc[self.days["estimated"], "date"]
        return sorted(pd.DatetimeIndex(est).year.unique().tolist())

    def _day_index(self, ts: pd.Series) -> np.ndarray:
        """Index into `days` of each timestamp's date (-1 for NaT or out of range)."""
        values = pd.to_datetime(ts).values.astype("datetime64[D]")
        idx = (values - self.first_day).astype("int64")
        bad = pd.isna(ts).to_numpy() | (idx < 0) | (idx >= len(self.days))
        return np.where(bad, -1, idx)

    def _lookup(self, column: str, ts: pd.Series, missing) -> np.ndarray:
        idx = self._day_index(ts)
        values = self.days[column].to_numpy()
        return np.where(idx >= 0, values[np.maximum(idx, 0)], missing)

    def is_workday(self, ts: pd.Series) -> np.ndarray:
        """Whether each timestamp falls on a working day."""
        return self._lookup("is_workday", ts, False).astype(bool)

    def is_estimated(self, ts: pd.Series) -> np.ndarray:
        """Whether each timestamp's day came from the Monday–Friday fallback."""
        return self._lookup("estimated", ts, False).astype(bool)

    def in_working_time(self, ts: pd.Series) -> np.ndarray:
        """Whether each moment lies on a working day inside a window (start in, end out)."""
        minute = _minute_of_day(ts)
        inside = np.zeros(len(ts), dtype=bool)
        for start, end in self.windows:
            inside |= (minute >= start) & (minute < end)
        return inside & self.is_workday(ts)

    def working_day_ends(self) -> np.ndarray:
        """End of working hours of every working day, ascending (datetime64[m])."""
        work = self.days.loc[self.days["is_workday"], "date"].values.astype("datetime64[m]")
        return work + np.timedelta64(self.windows[-1][1], "m")

    def confirm_deadline(self, ts: pd.Series) -> pd.Series:
        """End of working hours of the day reported, or of the next working day after it."""
        # The first end of working hours strictly after the moment: a moment before today's end on a
        # working day gets today's end, anything later (or on a day off) the next working day's.
        ends = self.working_day_ends()
        values = pd.to_datetime(ts).values.astype("datetime64[m]")
        pos = np.searchsorted(ends, values, side="right")
        ok = ~pd.isna(ts).to_numpy() & (pos < len(ends))
        out = np.where(ok, ends[np.minimum(pos, len(ends) - 1)], np.datetime64("NaT"))
        return pd.Series(out.astype("datetime64[ns]"), index=ts.index)

    def any_estimated_between(self, start: pd.Series, end: pd.Series) -> np.ndarray:
        """Whether any day from start's date to end's date (inclusive) is estimated."""
        cum = np.concatenate([[0], np.cumsum(self.days["estimated"].to_numpy(dtype="int64"))])
        a, b = self._day_index(start), self._day_index(end)
        b = np.where(b < 0, a, b)
        return (a >= 0) & (cum[b + 1] - cum[np.maximum(a, 0)] > 0)

    def working_minutes_between(self, start: pd.Series, end: pd.Series) -> np.ndarray:
        """Working minutes from start to end, from cumulative working minutes per day."""
        return self._cumulative_minutes(end) - self._cumulative_minutes(start)

    def _cumulative_minutes(self, ts: pd.Series) -> np.ndarray:
        per_day = self.days["is_workday"].to_numpy() * sum(e - s for s, e in self.windows)
        before = np.concatenate([[0], np.cumsum(per_day)])
        idx = self._day_index(ts)
        minute = _minute_of_day(ts)
        today = np.zeros(len(ts))
        for start, end in self.windows:
            today += np.clip(minute - start, 0, end - start)
        today = np.where(self.is_workday(ts), today, 0)
        return np.where(idx >= 0, before[np.maximum(idx, 0)] + today, np.nan)


def _minute_of_day(ts: pd.Series) -> np.ndarray:
    values = pd.to_datetime(ts).values
    day = values.astype("datetime64[D]")
    return ((values - day) / np.timedelta64(1, "m")).astype("float64")


def build_calendar(
    start: date,
    end: date,
    windows: tuple[tuple[int, int], ...],
    overrides: pd.DataFrame | None = None,
) -> WorkCalendar:
    """Calendar for start..end: the official calendar, overridden day by day by a calendar file."""
    dates = pd.date_range(start, end, freq="D")
    weekday = dates.day_of_week < 5
    official_holidays = pd.DatetimeIndex(list(official.holidays))
    official_workdays = pd.DatetimeIndex(list(official.workdays))
    covered = dates.year.isin(list(_OFFICIAL_YEARS))
    is_workday = np.where(
        dates.isin(official_workdays), True, weekday & ~dates.isin(official_holidays)
    )
    names = pd.Series(official.holidays, dtype="object")
    names.index = pd.to_datetime(names.index)
    holiday = names.reindex(dates).astype("object").reset_index(drop=True)
    source = np.where(covered, "chinesecalendar", "fallback")
    note = pd.Series([None] * len(dates), dtype="object")
    if overrides is not None and len(overrides):
        # A calendar file that lists days of a year covers that year: the days it does not list are
        # ordinary Monday–Friday days, as in the State Council's published schedule.
        o = overrides.assign(date=pd.to_datetime(overrides["date"]))
        o = o.drop_duplicates("date", keep="last")
        covered = covered | dates.year.isin(o["date"].dt.year.unique().tolist())
        pos = dates.get_indexer(o["date"])
        o = o[pos >= 0]
        pos = pos[pos >= 0]
        is_workday[pos] = (o["kind"] == "workday").to_numpy()
        source[pos] = "file"
        text = o["note"] if "note" in o else pd.Series(None, index=o.index, dtype="object")
        text = text.astype("object")
        text = text.where(text.notna() & text.astype(str).str.strip().ne(""), None)
        note.iloc[pos] = text.to_numpy()
        # A listed holiday is a holiday whatever its note: named by the note, else by the
        # official calendar's name for that day, else generically.
        name = text.fillna(pd.Series(holiday.iloc[pos].to_numpy(), index=o.index))
        name = name.fillna(GENERIC_HOLIDAY)
        holiday.iloc[pos] = np.where(o["kind"] == "holiday", name, None)
        source = np.where((source == "fallback") & covered, "file", source)
    estimated = ~covered
    days = pd.DataFrame({
        "date": dates.date,
        "is_workday": is_workday.astype(bool),
        "estimated": estimated,
        "source": source,
        "holiday": holiday.where(~is_workday, None).to_numpy(),
        "note": note.to_numpy(),
    })
    days["date"] = pd.to_datetime(days["date"])
    return WorkCalendar(days=days, windows=windows)
