"""Column headings of the pages' tables: the pages' one label helper."""

from __future__ import annotations

from service_quality.messages import has

from .frame import Context


def column_label(ctx: Context, name: str, prefix: str = "",
                 keys: dict[str, str] | None = None) -> str:
    """NAME's heading in the UI language: a message named in KEYS, else the page's own
    `{prefix}col_{name}` when the page words it differently, else the shared `col_{name}`."""
    if keys and name in keys:
        return ctx.t(keys[name])
    own = f"{prefix}col_{name}"
    return ctx.t(own) if prefix and has(own) else ctx.t(f"col_{name}")
