"""The column catalogue: each column's heading (zh, en), codes, red flags and format.

One table per column name in columns.toml, used by the pages (ui.columns.column_label), the
Excel builders and the customer report's PDF, so a column reads the same everywhere and Excel
flags cells by the column's name, never by the words in it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .messages import has, t, term_placeholders

PATH = Path(__file__).resolve().parent / "columns.toml"
FIELDS = {"zh", "en", "zh_varies", "en_varies", "codes", "red", "red_when", "format"}
FORMATS = {"percent", "date"}
SIGNS = {"below_zero", "above_zero"}


@dataclass(frozen=True)
class Column:
    """One column of the catalogue."""

    name: str
    zh: str
    en: str
    zh_varies: str | None = None
    en_varies: str | None = None
    codes: str | None = None          # message prefix naming its codes (status_ → status_met)
    red: tuple[str, ...] = ()         # codes Excel fills red
    red_when: str | None = None       # below_zero / above_zero: numbers Excel fills red
    format: str | None = None         # percent / date


@cache
def catalogue() -> dict[str, Column]:
    """Every column name → its Column, checked: both languages, known fields and formats."""
    found = {}
    for name, spec in tomllib.loads(PATH.read_text(encoding="utf-8")).items():
        unknown = set(spec) - FIELDS
        if unknown or not spec.get("zh") or not spec.get("en"):
            raise ValueError(f"columns.toml [{name}]: needs zh and en; unknown {sorted(unknown)}")
        if spec.get("format", "percent") not in FORMATS \
                or spec.get("red_when", "below_zero") not in SIGNS:
            raise ValueError(f"columns.toml [{name}]: bad format or red_when")
        if term_placeholders(spec["zh"] + spec["en"]) and "zh_varies" not in spec:
            raise ValueError(f"columns.toml [{name}]: states terms but has no zh_varies")
        found[name] = Column(name, **{**spec, "red": tuple(spec.get("red", ()))})
    return found


def column(name: str) -> Column | None:
    """The catalogue's column NAME, or None."""
    return catalogue().get(name)


def _text(col: Column, lang: str, varies: bool) -> str:
    if varies:
        return getattr(col, f"{lang}_varies") or col.zh_varies
    return getattr(col, lang, None) or col.zh


def label(name: str, lang: str = "zh", terms=None) -> str:
    """NAME's heading in LANG, the agreement's terms filled from TERMS; the name if unknown.

    A heading stating the terms needs `terms` (a TermsInForce); ValueError without.
    """
    col = column(name)
    if col is None:
        return name
    text = _text(col, lang, False)
    wanted = term_placeholders(text)
    if not wanted:
        return text
    if terms is None:
        raise ValueError(f"column {name!r} states the agreement's terms: pass terms=")
    words = terms.words(lang)
    if any(getattr(words, w) is None for w in wanted):
        return _text(col, lang, True)
    return text.format(terms=words)


def labels(names: Iterable[str], lang: str = "zh", terms=None) -> dict[str, str]:
    """Each name → its heading (see label)."""
    return {n: label(n, lang, terms) for n in names}


def code_word(name: str, code, lang: str = "zh", terms=None, prefix: str | None = None):
    """A code of column NAME in words (prefix: its codes' messages); others unchanged."""
    prefix = prefix or (column(name).codes if column(name) else None)
    if not prefix or not isinstance(code, str) or not has(prefix + code):
        return code
    return t(prefix + code, lang, terms=terms)


def in_words(frame: pd.DataFrame, lang: str = "zh", terms=None,
             prefixes: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of FRAME with every code column's codes in words (PREFIXES override the
    catalogue's); vectorised over the distinct codes, numbers untouched."""
    out = frame.copy(deep=False)
    for name in frame.columns:
        prefix = (prefixes or {}).get(name) or (column(name).codes if column(name) else None)
        if not prefix:
            continue
        # One lookup per distinct code, then one dict map over the column (no call per cell).
        mapping = {c: code_word(name, c, lang, terms, prefix) for c in out[name].dropna().unique()}
        out[name] = out[name].astype("object").map(mapping)
    return out


def red_words(name: str, lang: str = "zh", terms=None) -> tuple[str, ...]:
    """The shown words of column NAME's red codes."""
    col = column(name)
    return tuple(code_word(name, c, lang, terms) for c in col.red) if col else ()


def red_flags(names: Iterable[str], lang: str = "zh", terms=None) -> dict[str, tuple[str, ...]]:
    """Excel's value flags by column name: each column with red codes → their shown words."""
    return {n: words for n in names if (words := red_words(n, lang, terms))}


def signed(names: Iterable[str], sign: str) -> list[str]:
    """The NAMES whose numbers Excel fills red `below_zero` or `above_zero`."""
    return [n for n in names if (c := column(n)) is not None and c.red_when == sign]


def percent(names: Iterable[str]) -> list[str]:
    """The NAMES holding 0–1 rates (0.0% in Excel)."""
    return [n for n in names if (c := column(n)) is not None and c.format == "percent"]


def heading_names(lang: str = "zh", terms=None) -> dict[str, str]:
    """Each heading in LANG → its column name: a drawn table's headings back to their columns."""
    out = {}
    for name, col in catalogue().items():
        if col.zh_varies:
            out[_text(col, lang, True)] = name
        if terms is not None or not col.zh_varies:
            out[label(name, lang, terms)] = name
    return out
