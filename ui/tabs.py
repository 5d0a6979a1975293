"""Tabs that draw only the open one: the others wait for their click (each click reruns)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import streamlit as st


def open_tabs(labels: Sequence[str], names: Sequence[str],
              key: str) -> Iterator[tuple[str, object]]:
    """The open tab's name and container (the first on a first run); closed tabs are skipped,
    so their data is neither fetched nor drawn."""
    for tab, name in zip(st.tabs(list(labels), key=key, on_change="rerun"), names, strict=True):
        if tab.open is not False:
            yield name, tab
