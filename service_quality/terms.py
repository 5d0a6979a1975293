"""The agreement's terms each customer is judged by, as the load stored them (customer_terms).

settings.toml holds the defaults and each customer's own overrides; the load writes one row per
customer into the table customer_terms and judges every ticket, complaint and survey by its
customer's row. The app reads the terms back from that table (queries.terms), never from the
settings file, so a page shows the numbers the data was judged by. This module turns them into
what a page, a workbook or a report shows: a value in words (with its unit) for a label's
{terms.<key>} placeholder, and the plain value for a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

import pandas as pd

from .calendar import parse_windows
from .columns import label
from .messages import t
from .settings import TERMS, Settings

# customer_terms: one row per customer (customer_id NULL: the defaults), its terms as columns.
# Handling targets are one setting (a table by severity) and two columns here.
TERM_COLUMNS: dict[str, str] = {
    "working_hours": "VARCHAR",
    "response_limit_minutes": "DOUBLE",
    "arrival_limit_working_minutes": "DOUBLE",
    "arrival_limit_non_working_minutes": "DOUBLE",
    "report_due_hours": "DOUBLE",
    "report_required_for": "VARCHAR",
    "handling_target_general_minutes": "DOUBLE",
    "handling_target_severe_minutes": "DOUBLE",
    "reproduction_wait_months": "INTEGER",
    "error_ratio_threshold": "DOUBLE",
    "capacity_drop_threshold": "DOUBLE",
    "threshold_inclusive": "BOOLEAN",
    "first_reply_limit_hours": "DOUBLE",
    "resolution_limit_days": "DOUBLE",
    "satisfied_min_score": "DOUBLE",
    "low_score_max": "DOUBLE",
}
CUSTOMER_TERMS_COLUMNS: dict[str, str] = {
    "customer_id": "VARCHAR", "terms_id": "INTEGER", "in_data": "BOOLEAN",
    "overridden": "VARCHAR[]", **TERM_COLUMNS,
}
SEVERITY_LEVELS = ("severe", "general")
# The terms each ticket promise is judged by (the SLA page's metrics).
METRIC_TERMS: dict[str, tuple[str, ...]] = {
    "response": ("response_limit_minutes",),
    "arrival": ("arrival_limit_working_minutes", "arrival_limit_non_working_minutes",
                "working_hours"),
    "confirm": ("working_hours",),
    "report": ("report_due_hours", "report_required_for"),
    "upgrade": (),
    "handling": ("handling_target_minutes", "reproduction_wait_months"),
    "complaint_first_reply": ("first_reply_limit_hours",),
    "complaint_resolution": ("resolution_limit_days",),
}
# The terms the severity rule reads.
SEVERITY_TERMS = ("error_ratio_threshold", "capacity_drop_threshold", "threshold_inclusive")
# A note names up to this many customers on the defaults; more are counted.
DEFAULT_GROUP_NAMES = 3


def _clock(minute: int) -> str:
    return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def windows_text(windows, dash: str = "-") -> str:
    """Working-hour windows as settings.toml writes them: "08:30-12:00, 14:00-17:30"."""
    return ", ".join(f"{_clock(a)}{dash}{_clock(b)}" for a, b in windows)


def term_row(s: Settings) -> dict:
    """The customer_terms columns of one set of terms."""
    row = {key: getattr(s, key) for key in TERM_COLUMNS if hasattr(s, key)}
    row["working_hours"] = windows_text(s.working_hours)
    for level in SEVERITY_LEVELS:
        row[f"handling_target_{level}_minutes"] = (s.handling_target_minutes or {}).get(level)
    return row


def settings_from_row(row) -> Settings:
    """The typed terms of one customer_terms row."""
    plain = {k: float(row[k]) if TERM_COLUMNS[k] == "DOUBLE" else row[k] for k in TERMS
             if k not in ("working_hours", "handling_target_minutes")}
    plain["threshold_inclusive"] = bool(plain["threshold_inclusive"])
    plain["reproduction_wait_months"] = int(plain["reproduction_wait_months"])
    targets = {level: float(row[f"handling_target_{level}_minutes"]) for level in SEVERITY_LEVELS
               if pd.notna(row[f"handling_target_{level}_minutes"])}
    return Settings(working_hours=parse_windows(str(row["working_hours"]).split(", ")),
                    handling_target_minutes=targets, **plain)


# ---- Values in words ----------------------------------------------------------------------------

def _number(value: float) -> str:
    return f"{float(value):g}"


def _unit(kind: str, value: float, lang: str) -> str:
    # English says "1 day" but "2 days"; Chinese needs no plural.
    key = f"unit_{kind}_one" if float(value) == 1 else f"unit_{kind}"
    return t(key, lang, n=_number(value))


def term_words(s: Settings, key: str, lang: str) -> str:
    """One term as a label says it: with its unit ("4小时", "5 days"), "08:30–17:30", "≥", "20%"."""
    value = getattr(s, key)
    if key == "working_hours":
        return windows_text(value, "–")
    if key in ("response_limit_minutes", "arrival_limit_working_minutes",
               "arrival_limit_non_working_minutes"):
        return _unit("minutes", value, lang)
    if key == "report_due_hours":
        # The agreement counts the report in days; a limit of whole days is said so.
        return _unit("days", value / 24, lang) if value % 24 == 0 else _unit("hours", value, lang)
    if key == "first_reply_limit_hours":
        return _unit("hours", value, lang)
    if key == "resolution_limit_days":
        return _unit("days", value, lang)
    if key == "reproduction_wait_months":
        return _unit("months", value, lang)
    if key in ("error_ratio_threshold", "capacity_drop_threshold"):
        return f"{float(value) * 100:g}%"
    if key == "threshold_inclusive":
        return "≥" if value else ">"
    if key == "report_required_for":
        return t(f"terms_report_for_{value}", lang)
    if key == "handling_target_minutes":
        return " · ".join(f"{t(f'severity_{level}', lang)} {_unit('minutes', value[level], lang)}"
                          for level in SEVERITY_LEVELS if level in value) \
            or t("terms_no_target", lang)
    return _number(value)


def setting_text(s: Settings, key: str) -> str:
    """One term as settings.toml writes it (the unit is the setting's): "120", "08:30–17:30"."""
    value = getattr(s, key)
    if key == "working_hours":
        return windows_text(value, "–")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_number(v)}" for k, v in value.items()) or "—"
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


@dataclass(frozen=True)
class CustomerTerms:
    """The terms one customer is judged by, and which of them its own agreement changes."""

    customer_id: str
    name: str
    overridden: tuple[str, ...]
    terms: Settings
    # False for a customer only the settings name: its terms judged nothing.
    in_data: bool = True


@dataclass(frozen=True)
class TermsInForce:
    """The terms of the customers a view shows (in scope and filter), and the defaults."""

    default: Settings
    customers: tuple[CustomerTerms, ...] = ()

    def _sets(self) -> list[Settings]:
        # Only customers with data were judged: a customer the settings alone name changes no
        # number shown.
        return [c.terms for c in self.customers if c.in_data] or [self.default]

    @cached_property
    def _differing(self) -> frozenset[str]:
        # Every label asks: worked out once per view (a frozen dataclass keeps it in __dict__).
        return frozenset(key for key in TERMS
                         if len({setting_text(s, key) for s in self._sets()}) > 1)

    def differs(self, key: str) -> bool:
        """Whether the customers shown are judged by different values of `key`."""
        return key in self._differing

    def value(self, key: str):
        """The one value of `key` for every customer shown; None when they differ."""
        return None if self.differs(key) else getattr(self._sets()[0], key)

    def values(self, key: str) -> list:
        """The distinct values of `key` among the customers shown, smallest first."""
        seen = {setting_text(s, key): getattr(s, key) for s in self._sets()}
        return sorted(seen.values()) if key not in ("handling_target_minutes",
                                                    "working_hours") else list(seen.values())

    def single(self) -> Settings:
        """The terms of every customer shown (the defaults when none has data); ValueError
        when their agreements differ."""
        if self._differing:
            raise ValueError("the customers shown are judged by different terms")
        return self._sets()[0]

    def lines(self, measure: str) -> list[tuple[float, bool]]:
        """The distinct severe lines of a ratio (error_ratio or capacity_drop) among the
        customers shown: (threshold, inclusive)."""
        return sorted({(float(getattr(s, f"{measure}_threshold")), bool(s.threshold_inclusive))
                       for s in self._sets()})

    def words(self, lang: str) -> SimpleNamespace:
        """Every term in words for a label's {terms.<key>}; None where the customers differ."""
        return SimpleNamespace(**{key: None if self.differs(key)
                                  else term_words(self._sets()[0], key, lang) for key in TERMS})

    def note(self, keys, lang: str) -> str | None:
        """"Limits differ by customer: …" for those of `keys` that differ, else None.

        Customers judged alike are listed together, so ten customers on the defaults and one on
        its own terms read as two items.
        """
        keys = [k for k in keys if self.differs(k)]
        if not keys:
            return None
        groups: dict[tuple, list[str]] = {}
        for c in (c for c in self.customers if c.in_data):
            said = tuple(setting_text(c.terms, k) for k in keys)
            groups.setdefault(said, []).append(c.name)
        default = tuple(setting_text(self.default, k) for k in keys)
        items = []
        # Customers with their own terms first, those on the defaults ("the other …") last.
        for said, names in sorted(groups.items(), key=lambda g: g[0] == default):
            # Named as on the Data page, where the same values are listed per customer.
            limits = t("terms_list_sep", lang).join(
                f"{t(f'data_setting_{k}', lang)} {v}" for k, v in zip(keys, said, strict=True))
            # Many customers on the defaults read as a count, not a list of names.
            who = t("terms_default_group", lang, n=len(names)) \
                if said == default and len(names) > DEFAULT_GROUP_NAMES \
                else t("terms_names_sep", lang).join(names)
            items.append(t("terms_note_item", lang, customers=who, limits=limits))
        return t("terms_differ", lang, items=t("terms_items_sep", lang).join(items))


def terms_frame(terms: TermsInForce, lang: str) -> pd.DataFrame:
    """One row per customer shown: id, name, every term as settings.toml writes it.

    Columns are keyed by the setting (data_setting_<key> names them) plus `overridden`, the
    settings the customer's own agreement changes (in the language's labels), and `in_data`
    (false: only the settings name the customer).
    """
    rows = []
    for c in terms.customers:
        rows.append({"customer_id": c.customer_id, "customer_name": c.name,
                     "overridden": t("terms_names_sep", lang).join(
                         t(f"data_setting_{k}", lang) for k in c.overridden),
                     "in_data": c.in_data, **{k: setting_text(c.terms, k) for k in TERMS}})
    columns = ["customer_id", "customer_name", "overridden", "in_data", *TERMS]
    return pd.DataFrame(rows, columns=columns).astype({"in_data": "bool"})


def defaults_frame(terms: TermsInForce, lang: str) -> pd.DataFrame:
    """One row per setting: its name, key, default value, and the customers shown on others."""
    rows = []
    for key in TERMS:
        default = setting_text(terms.default, key)
        others = [f"{c.name} {setting_text(c.terms, key)}" for c in terms.customers
                  if setting_text(c.terms, key) != default]
        rows.append({"setting": t(f"data_setting_{key}", lang), "key": key, "value": default,
                     "customers": t("terms_names_sep", lang).join(others)})
    return pd.DataFrame(rows, columns=["setting", "key", "value", "customers"], dtype="object")


# The terms a customer reads in its report and a manager in the workbook, in words.
SHOWN_TERMS = tuple(k for k in TERMS if k != "threshold_inclusive")


def shown_words(s: Settings, key: str, lang: str) -> str:
    """A term in words for a table; a severe line with its operator ("≥ 20%")."""
    if key in ("error_ratio_threshold", "capacity_drop_threshold"):
        return f"{term_words(s, 'threshold_inclusive', lang)} {term_words(s, key, lang)}"
    return term_words(s, key, lang)


def terms_items(s: Settings, lang: str) -> pd.DataFrame:
    """One customer's terms as rows: item (the term's name) and value (in words)."""
    return pd.DataFrame({"item": [t(f"terms_item_{k}", lang) for k in SHOWN_TERMS],
                         "value": [shown_words(s, k, lang) for k in SHOWN_TERMS]},
                        dtype="object")


def terms_words_frame(terms: TermsInForce, lang: str) -> pd.DataFrame:
    """The terms of each customer shown (with data) in words, one row each, named columns."""
    shown = [c for c in terms.customers if c.in_data]
    return pd.DataFrame(
        {label("customer_id", lang): [c.customer_id for c in shown],
         label("customer_name", lang): [c.name for c in shown],
         **{t(f"terms_item_{k}", lang): [shown_words(c.terms, k, lang) for c in shown]
            for k in SHOWN_TERMS}}, dtype="object")
