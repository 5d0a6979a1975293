"""The message catalogue: every label the app shows, in Chinese (default) and English.

One catalogue, kept in one TOML file per page (messages/*.toml) so each page's labels sit
together: a table per key with `zh` and `en`. A key defined twice is an error.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
HERE = Path(__file__).resolve().parent


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every key → {"zh": …, "en": …}, from all the TOML files."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(HERE.glob("*.toml")):
        for key, texts in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message {key!r} is defined twice (again in {path.name})")
            merged[key] = texts
    return merged


def t(key: str, lang: str = "zh", **values) -> str:
    """The label `key` in `lang`, with {placeholders} filled."""
    texts = catalogue()[key]
    text = texts.get(lang) or texts["zh"]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether the catalogue has `key`."""
    return key in catalogue()
