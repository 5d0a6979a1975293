"""The message catalogue: every label the app shows, in Chinese (default) and English.

One catalogue, kept in one TOML file per page (messages/*.toml) so each page's labels sit
together: a table per key with `zh` and `en`. A key defined twice is an error.

A label that states a term of the agreement takes it as a placeholder, {terms.<setting>} (e.g.
"投诉{terms.first_reply_limit_hours}内回复"), filled from the terms the data was judged by
(service_quality.terms.TermsInForce). When the customers shown are judged by different values,
the label's twin `<key>_varies` is used instead: it names the promise without a number.
"""

from __future__ import annotations

import re
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


_TERM = re.compile(r"\{terms\.([a-z_]+)\}")


def term_placeholders(text: str) -> list[str]:
    """The settings a label states ({terms.<setting>})."""
    return _TERM.findall(text)


def t(key: str, lang: str = "zh", terms=None, **values) -> str:
    """The label `key` in `lang`, with {placeholders} filled.

    A label stating the agreement's terms needs `terms` (a TermsInForce); ValueError without.
    """
    texts = catalogue()[key]
    text = texts.get(lang) or texts["zh"]
    wanted = term_placeholders(text)
    if wanted:
        if terms is None:
            raise ValueError(f"message {key!r} states the agreement's terms: pass terms=")
        words = terms.words(lang)
        if any(getattr(words, name) is None for name in wanted):
            return t(f"{key}_varies", lang, terms=terms, **values)
        values = {**values, "terms": words}
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether the catalogue has `key`."""
    return key in catalogue()
