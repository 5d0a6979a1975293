"""Limits and thresholds of the agreement from settings.toml (defaults: the agreement's numbers)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
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
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(flat) - known)
    if unknown:
        raise ValueError(f"{path}: unknown setting {', '.join(unknown)}")
    if "working_hours" in flat:
        try:
            flat["working_hours"] = parse_windows(flat["working_hours"])
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
    if flat.get("report_required_for", "all") not in ("all", "severe"):
        raise ValueError(f"{path}: report_required_for must be \"all\" or \"severe\"")
    bad = set(flat.get("handling_target_minutes", {})) - {"general", "severe"}
    if bad:
        msg = f"{path}: handling_target_minutes takes general and severe, not {sorted(bad)}"
        raise ValueError(msg)
    return Settings(**flat)
