"""The filters every page shares, their URL form, and the SQL parameters they become."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

# Rule severity groups: a fault is general, severe or unknown (nothing recorded, §2.3); a ticket
# that is not a fault has no rule severity and is its own group.
SEVERITIES = ("general", "severe", "unknown", "not_fault")
SERVICE_MODES = ("onsite", "remote", "phone", "email")
LIST_FIELDS = ("customers", "severities", "service_modes", "teams")


def month_start(month: str) -> pd.Timestamp:
    """The first moment of a "YYYY-MM" month."""
    return pd.Period(month, "M").start_time


def shift_month(month: str, n: int) -> str:
    """The month `n` months after `month` ("YYYY-MM")."""
    return str(pd.Period(month, "M") + n)


def months_between(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive."""
    return [str(p) for p in pd.period_range(start, end, freq="M")]


@dataclass(frozen=True)
class Filters:
    """Period (whole months, both ends included) and the optional narrowing lists."""

    start: str
    end: str
    customers: tuple[str, ...] = field(default=())
    severities: tuple[str, ...] = field(default=())
    service_modes: tuple[str, ...] = field(default=())
    teams: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if pd.Period(self.start, "M") > pd.Period(self.end, "M"):
            raise ValueError(f"period starts {self.start} after it ends {self.end}")

    @property
    def months(self) -> list[str]:
        """Every month of the period."""
        return months_between(self.start, self.end)

    def trend(self, months: int = 12) -> Filters:
        """The period widened to at least `months` months ending with it, for monthly trends."""
        if len(self.months) >= months:
            return self
        return replace(self, start=shift_month(self.end, -(months - 1)))

    def previous(self) -> Filters:
        """The same filters over the period of equal length just before this one."""
        n = len(self.months)
        return replace(self, start=shift_month(self.start, -n), end=shift_month(self.start, -1))

    def params(self) -> dict:
        """SQL parameters: $start/$end bounds and a list (or NULL for "all") per narrowing."""
        out = {"start": month_start(self.start), "end": month_start(shift_month(self.end, 1))}
        for name in LIST_FIELDS:
            values = getattr(self, name)
            out[f"f_{name}"] = list(values) if values else None
        return out

    def to_query(self) -> dict[str, str]:
        """The URL query parameters for this view (empty lists left out)."""
        q = {"from": self.start, "to": self.end}
        for name in LIST_FIELDS:
            if getattr(self, name):
                q[name] = ",".join(getattr(self, name))
        return q

    @classmethod
    def from_query(cls, query: dict[str, str], default: Filters) -> Filters:
        """Filters from URL parameters; anything unreadable falls back to the default."""
        def months(key, fallback):
            try:
                return str(pd.Period(query.get(key) or fallback, "M"))
            except ValueError:
                return fallback

        lists = {n: tuple(v for v in (query.get(n) or "").split(",") if v) for n in LIST_FIELDS}
        try:
            return cls(months("from", default.start), months("to", default.end), **lists)
        except ValueError:
            return replace(default, **lists)


def default_filters(as_of: pd.Timestamp, months: int = 1) -> Filters:
    """The last `months` full months before as_of (the first screen: the last full month)."""
    last = pd.Timestamp(as_of).to_period("M") - 1
    return Filters(str(last - (months - 1)), str(last))
