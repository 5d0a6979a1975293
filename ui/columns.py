"""Column headings of the pages' tables: the pages' one label helper, over the catalogue."""

from __future__ import annotations

from service_quality.columns import label

from .frame import Context


def column_label(ctx: Context, name: str, prefix: str = "",
                 keys: dict[str, str] | None = None) -> str:
    """NAME's heading in the UI language, from the column catalogue (service_quality/columns.toml).

    `prefix` and `keys` are the pages' old per-page wording and no longer used: every column
    has one heading.
    """
    return label(name, ctx.lang, ctx.terms)
