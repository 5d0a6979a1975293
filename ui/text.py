"""Showing text that came from data files: always literally, never as Markdown or HTML."""

from __future__ import annotations

import pandas as pd

from service_quality.text import chart_text, chart_value, md_escape

__all__ = ["chart_text", "chart_value", "md_escape", "pct", "why_empty"]


def why_empty(value, reason: str, help_text: str = "") -> str:
    """A card's help: REASON first when VALUE is missing (the card then reads "—")."""
    missing = value is None or bool(pd.isna(value))
    return f"{reason} {help_text}".strip() if missing else help_text


def pct(value) -> str:
    """A rate as the pages show it: one decimal percent, "—" when there is nothing to divide."""
    return "—" if value is None or bool(pd.isna(value)) else f"{value:.1%}"
