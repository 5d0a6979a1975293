"""Limits and thresholds of the agreement from settings.toml (defaults: the agreement's numbers)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .calendar import parse_windows

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "settings.toml"
SECTIONS = ("calendar", "ticket", "severity", "complaint", "survey")
# Sections that are not limits of the agreement: read by service_quality.delivery, not here.
DELIVERY_SECTIONS = ("smtp", "digest")


@dataclass(frozen=True)
class Settings:
    """Every configurable number of DESIGN §2 in one object."""

    working_hours: tuple[tuple[int, int], ...] = ((8 * 60 + 30, 17 * 60 + 30),)
    response_limit_minutes: float = 15
    arrival_limit_working_minutes: float = 60
    arrival_limit_non_working_minutes: float = 120
    report_due_hours: float = 72
    report_required_for: str = "all"
    handling_target_minutes: dict[str, float] = field(default_factory=dict)
    reproduction_wait_months: int = 3
    error_ratio_threshold: float = 0.1
    capacity_drop_threshold: float = 0.1
    threshold_inclusive: bool = True
    first_reply_limit_hours: float = 2
    resolution_limit_days: float = 15
    satisfied_min_score: float = 4
    low_score_max: float = 2
    # Per-customer terms ([customers.<id>.<section>]): customer id → the terms it changes, typed.
    customers: dict[str, dict[str, object]] = field(default_factory=dict)

    def terms(self) -> Settings:
        """The default terms alone (no customer's overrides)."""
        return replace(self, customers={})

    def for_customer(self, customer_id: str) -> Settings:
        """The terms that judge CUSTOMER_ID: the defaults with its overrides."""
        return replace(self, **self.customers.get(customer_id, {}), customers={})


def settings_path(path: Path | str | None = None) -> Path:
    """The settings file in force: `path`, else $DASHBOARD_SETTINGS, else settings.toml."""
    return Path(path or os.environ.get("DASHBOARD_SETTINGS") or DEFAULT_SETTINGS)


def load_settings(path: Path | str | None = None) -> Settings:
    """Settings from `path`, $DASHBOARD_SETTINGS or the project's settings.toml."""
    path = settings_path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML ({e})") from None
    # Sections only group the keys for the reader; a key may also stand outside any section.
    flat = {}
    for key, value in raw.items():
        if key in DELIVERY_SECTIONS and isinstance(value, dict):
            continue
        if key in SECTIONS and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    customers = flat.pop(CUSTOMERS, {})
    known = set(Settings.__dataclass_fields__) - {CUSTOMERS}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise ValueError(f"{path}: unknown setting {', '.join(unknown)}")
    for key, value in flat.items():
        _check_term(path, key, key, value)
    return Settings(**_typed_terms(path, flat), customers=_customer_terms(path, customers))


# ---- Per-customer terms ---------------------------------------------------------------------
# Each customer may sign its own terms: [customers.C003.ticket] arrival_limit_working_minutes = 240.
# Unlike the defaults, an override names its section, and any unknown customer key, section or
# setting stops the load: a typo there would silently judge a customer by the wrong agreement.
CUSTOMERS = "customers"
# The agreement's terms by section of settings.toml: what a customer's terms may change.
TERM_SECTIONS: dict[str, tuple[str, ...]] = {
    "calendar": ("working_hours",),
    "ticket": ("response_limit_minutes", "arrival_limit_working_minutes",
               "arrival_limit_non_working_minutes", "report_due_hours", "report_required_for",
               "handling_target_minutes", "reproduction_wait_months"),
    "severity": ("error_ratio_threshold", "capacity_drop_threshold", "threshold_inclusive"),
    "complaint": ("first_reply_limit_hours", "resolution_limit_days"),
    "survey": ("satisfied_min_score", "low_score_max"),
}
TERMS = tuple(key for keys in TERM_SECTIONS.values() for key in keys)
_NUMBERS = {f.name for f in fields(Settings) if f.type in ("float", "int")}


def _section_of(key: str) -> str | None:
    return next((section for section, keys in TERM_SECTIONS.items() if key in keys), None)


def _check_term(path: Path, where: str, key: str, value) -> None:
    """Refuse a term whose value has the wrong kind: a word where a number belongs, …"""
    if key in _NUMBERS and (isinstance(value, bool) or not isinstance(value, int | float)
                            or value < 0):
        raise ValueError(f"{path}: {where} must be a number, 0 or more (not {value!r})")
    if key == "reproduction_wait_months" and not isinstance(value, int):
        raise ValueError(f"{path}: {where} must be a whole number of months (not {value!r})")
    if key == "working_hours" and (not isinstance(value, list)
                                   or not all(isinstance(w, str) for w in value)):
        raise ValueError(f"{path}: {where} must be a list like [\"08:30-17:30\"]")
    if key == "threshold_inclusive" and not isinstance(value, bool):
        raise ValueError(f"{path}: {where} must be true or false (not {value!r})")
    if key == "handling_target_minutes":
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {where} must be a table like {{ severe = 480 }}")
        for level, minutes in value.items():
            _check_term(path, f"{where}.{level}", "response_limit_minutes", minutes)


def _customer_terms(path: Path, raw) -> dict[str, dict[str, object]]:
    """The [customers.<id>.<section>] tables of a settings file, checked and typed."""
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: {CUSTOMERS} must be tables like [customers.C003.ticket]")
    out = {}
    for customer_id, sections in raw.items():
        where = f"{CUSTOMERS}.{customer_id}"
        if not isinstance(sections, dict) or not sections:
            raise ValueError(f"{path}: {where} must hold sections like [{where}.ticket]")
        terms = {}
        for section, values in sections.items():
            place = f"{where}.{section}"
            if section not in TERM_SECTIONS:
                if section in TERMS:
                    raise ValueError(f"{path}: {place}: a customer's setting goes in its "
                                     f"section, [{where}.{_section_of(section)}]")
                raise ValueError(f"{path}: unknown section {place}; a customer's terms take "
                                 f"{', '.join(TERM_SECTIONS)}")
            if not isinstance(values, dict):
                raise ValueError(f"{path}: {place} must be a table of settings")
            for key, value in values.items():
                if key not in TERM_SECTIONS[section]:
                    home = _section_of(key)
                    hint = f" (it belongs in [{where}.{home}])" if home else ""
                    raise ValueError(f"{path}: unknown setting {place}.{key}{hint}")
                _check_term(path, f"{place}.{key}", key, value)
                terms[key] = value
        try:
            out[str(customer_id)] = _typed_terms(path, terms)
        except ValueError as e:
            raise ValueError(str(e).replace(f"{path}: ", f"{path}: {where}: ", 1)) from None
    return out


def _typed_terms(path: Path, terms: dict) -> dict:
    """Terms as written in a file, checked and typed (working hours as minute windows)."""
    terms = dict(terms)
    if "working_hours" in terms:
        try:
            terms["working_hours"] = parse_windows(terms["working_hours"])
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
    if terms.get("report_required_for", "all") not in ("all", "severe"):
        raise ValueError(f"{path}: report_required_for must be \"all\" or \"severe\"")
    bad = set(terms.get("handling_target_minutes", {})) - {"general", "severe"}
    if bad:
        msg = f"{path}: handling_target_minutes takes general and severe, not {sorted(bad)}"
        raise ValueError(msg)
    return terms
