"""Showing text that came from data files: always literally, never as Markdown or HTML."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Data text inside a Markdown label (caption, subheader), shown literally."""
    return _MARKDOWN.sub(r"\\\1", text)
