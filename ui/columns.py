"""Column headings of the pages' tables: the pages' one label helper, over the catalogue."""

from __future__ import annotations

from service_quality.columns import label

from .frame import Context


def column_label(ctx: Context, name: str) -> str:
    """NAME's heading in the UI language, from the column catalogue (columns.toml)."""
    return label(name, ctx.lang, ctx.terms)
