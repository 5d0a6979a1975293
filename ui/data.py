"""Cached, versioned access to the database for the Streamlit pages."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import streamlit as st

from service_quality import queries
from service_quality.charts import escape_figure
from service_quality.database import (
    DEFAULT_DB,
    SAMPLE_DIR,
    SCHEMA_VERSION,
    Database,
    DatabaseUnusable,
    DbVersion,
    StaleVersion,
    db_path,
    db_version,
)
from service_quality.messages import LANGUAGES, t
from service_quality.settings import load_settings

from .auth import _stop, viewer_role
from .text import md_escape

_build_lock = threading.Lock()
# The session-state key of the file version this script run reads (set at the start of a run).
_RUN_VERSION = "_db_version"
_log = logging.getLogger(__name__)


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(version: DbVersion) -> Database:
    # One read-only connection per version of the file: a load swaps in a new file, the version
    # changes and the next run attaches to it while runs under way finish on the old one. Two
    # entries, the new file and the one before: each holds its own DuckDB memory. Not closed
    # when evicted: a run may still be reading; it closes when the last one lets go. A run whose
    # version was evicted and replaced gets StaleVersion (never cached) and starts again.
    return Database(Path(version.path), expect=version)


def current_version() -> DbVersion | None:
    """The version this run reads: the one fixed at its start, else the file now on disk."""
    pinned = st.session_state.get(_RUN_VERSION)
    return pinned if pinned is not None else db_version(db_path())


def _lang() -> str:
    lang = st.query_params.get("lang")
    return lang if lang in LANGUAGES else "zh"


def ensure_database(lang: str = "zh") -> DbVersion | None:
    """Build data/service.duckdb from the bundled sample on a fresh checkout, then fix the
    version this run reads and attach to it; None when there is no database.

    DatabaseUnusable when the file is damaged, not DuckDB or of another schema version.
    """
    path = db_path()
    if db_version(path) is None and path == DEFAULT_DB and SAMPLE_DIR.is_dir():
        with _build_lock:
            if db_version(path) is None:
                from etl.load import load

                with st.status(t("building_db", lang, db=path), expanded=True) as status:
                    summary = load([SAMPLE_DIR], path, load_settings(),
                                   progress=lambda msg: status.write(msg))
                    status.update(label=t(
                        "built_db", lang, rows=sum(f.rows_loaded for f in summary.files),
                        rejected=sum(f.rows_rejected for f in summary.files)), state="complete")
    st.session_state.pop(_RUN_VERSION, None)
    for _ in range(10):
        version = db_version(path)
        if version is None:
            return None
        try:
            _open(version)   # attach now, so the whole run reads this one file
        except StaleVersion:
            continue         # a load swapped the file in between: take the new one
        st.session_state[_RUN_VERSION] = version
        return version
    raise DatabaseUnusable(path, "unreadable", "the file keeps changing")


def unusable_message(e: DatabaseUnusable, lang: str | None = None) -> tuple[str, str]:
    """What to tell the user about an unusable database, and the commands that fix it."""
    lang = lang or _lang()
    db = str(e.path)
    if e.kind == "schema" and e.found is not None and e.found > SCHEMA_VERSION:
        return t("db_newer_schema", lang, db=db, found=e.found, current=SCHEMA_VERSION), ""
    load = (f"python -m etl load {t('db_source_folder', lang)} --db {db}\n"
            f"# {t('db_or_sample', lang)}: python -m etl load data/sample --db {db}")
    if e.kind == "schema":
        text = t("db_old_schema", lang, db=db, found=e.found if e.found is not None else "?",
                 current=SCHEMA_VERSION)
        commands = load
    else:
        text = t("db_damaged", lang, db=db, detail=e.detail or e.kind)
        commands = f"mv {db} {db}.broken\n{load}"
    if Path(db) == DEFAULT_DB:
        text += "\n\n" + t("db_default_rebuild", lang, db=db)
    return text, commands


def show_unusable(e: DatabaseUnusable, entrypoint: bool = False) -> None:
    """Say why the database cannot be read and how to rebuild it, then end the run.

    Paths, DuckDB's words and commands go to a supervisor and to the server's log; anyone
    else (a manager, a customer, a visitor not signed in) is told only to ask the
    administrator.
    """
    text, commands = unusable_message(e)
    if viewer_role() != "supervisor":
        _log.error("the database cannot be used: %s", text)
        st.error(t("db_unavailable", _lang()), icon=":material/database:")
        _stop(entrypoint)
    # The path and DuckDB's words are shown literally: the message is plain text, never Markdown.
    st.error(md_escape(text), icon=":material/database:")
    if commands:
        st.code(commands, language="bash")
    # From dashboard.py: every page registered hidden, so no list of pages that cannot open.
    _stop(entrypoint)


def show_no_database(entrypoint: bool = False) -> None:
    """Say that there is no database (and, to a supervisor, where it was looked for)."""
    if viewer_role() != "supervisor":
        _log.error("no database at %s", db_path())
        st.error(t("db_unavailable", _lang()), icon=":material/database:")
    else:
        st.error(md_escape(t("no_db", _lang(), db=db_path())), icon=":material/database:")
    _stop(entrypoint)


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(version: DbVersion, module: str, name: str, scope: queries.Scope, filters, args):
    # Keyed by the file's version, the query, the caller's scope, the filters and every argument.
    return _call(version, module, name, scope, filters, args)


def _call(version: DbVersion, module: str, name: str, scope: queries.Scope, filters, args):
    return getattr(importlib.import_module(module), name)(_open(version), scope, filters, *args)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_file(version: DbVersion, module: str, name: str, scope: queries.Scope, filters,
                 args) -> bytes:
    # Files (a workbook) are large: fewer of them are kept than query results. Same key.
    return _call(version, module, name, scope, filters, args)


def _domain(fn: Callable) -> tuple[str, str]:
    # By module and name, so the cache key is the function's address, not its object: only the
    # domain layer's public functions, which take (db, scope, …) and apply the scope themselves.
    if not fn.__module__.startswith("service_quality.") or fn.__name__.startswith("_") \
            or getattr(importlib.import_module(fn.__module__), fn.__name__, None) is not fn:
        raise ValueError(f"{fn.__module__}.{fn.__name__} is not a domain function")
    return fn.__module__, fn.__name__


def cached_file(fn: Callable, version: DbVersion, scope: queries.Scope, filters=None,
                *args) -> bytes:
    """fn(db, scope, filters, *args) building a file, cached by VERSION, scope and arguments.

    For a download's callback, which runs off the script thread: the version is the one the
    run that drew the button read.
    """
    module, name = _domain(fn)
    return _cached_file(version, module, name, scope, filters, args)


def query(fn: Callable, scope: queries.Scope, filters=None, *args):
    """Run fn(db, scope, filters, *args), any domain function of (db, scope, …), cached.

    The cache key holds the database version, the function, the caller's scope, the filters
    and every argument: one customer's result is never another's.
    """
    module, name = _domain(fn)
    try:
        return _cached(current_version(), module, name, scope, filters, args)
    except StaleVersion:
        # The run's file was replaced and its connection let go: start the run again on the
        # new file rather than mix two loads on one page.
        st.rerun()
    except DatabaseUnusable as e:
        show_unusable(e)
    except duckdb.IOException as e:
        show_unusable(DatabaseUnusable(db_path(), "unreadable", str(e)))


@st.cache_data(max_entries=8, show_spinner=False)
def _load_info(version: DbVersion) -> dict:
    return queries.load_info(_open(version))


def load_info() -> dict:
    """Facts about the last load, cached by version."""
    try:
        return _load_info(current_version())
    except StaleVersion:
        st.rerun()
    except DatabaseUnusable as e:
        show_unusable(e)


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure(module: str, name: str, args: tuple, kwargs: tuple):
    # Keyed by the builder and the hash of every argument (frames by content): the same data
    # draws the same figure, so a rerun or another session reuses it instead of rebuilding it.
    # Every text in it is escaped once here: plotly would render tags in data as HTML.
    return escape_figure(getattr(importlib.import_module(module), name)(*args, **dict(kwargs)))


def figure(builder: Callable, *args, **kwargs):
    """builder(*args, **kwargs), a service_quality.charts function, built once per distinct input.

    The figure is shared by every session: draw it, never change it (pass what differs as an
    argument of the builder instead).
    """
    if not builder.__module__.startswith("service_quality.charts"):
        raise ValueError(f"{builder.__module__}.{builder.__name__} is not a chart builder")
    return _figure(builder.__module__, builder.__name__, args, tuple(sorted(kwargs.items())))
