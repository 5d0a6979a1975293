"""Showing text that came from data files: always literally, never as Markdown or HTML."""

from __future__ import annotations

from service_quality.text import chart_text, chart_value, md_escape

__all__ = ["chart_text", "chart_value", "md_escape"]
