"""Showing text that came from data files: always literally, never as Markdown or HTML."""

from __future__ import annotations

import re

import pandas as pd

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Data text inside a Markdown label (caption, subheader), shown literally."""
    return _MARKDOWN.sub(r"\\\1", text)


def why_empty(value, reason: str, help_text: str = "") -> str:
    """A card's help: REASON first when VALUE is missing (the card then reads "—")."""
    missing = value is None or bool(pd.isna(value))
    return f"{reason} {help_text}".strip() if missing else help_text
