"""What a page had drawn when a function ran: for pages that query everything first."""

from __future__ import annotations

import functools

from streamlit.proto.RootContainer_pb2 import RootContainer
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def elements_drawn() -> int:
    """How many elements the running page has put in its main area so far."""
    cursor = get_script_run_ctx().cursors.get(RootContainer.MAIN)
    return 0 if cursor is None else cursor.index


def recording(monkeypatch, module, name: str, calls: list) -> None:
    """Have module.name append (name, its arguments after the database, elements drawn) to
    `calls` each time it runs, then do its work."""
    real = getattr(module, name)

    @functools.wraps(real)
    def wrapper(db, *args, **kwargs):
        calls.append((name, args, elements_drawn()))
        return real(db, *args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
