"""Cached, versioned access to the database for the Streamlit pages."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from service_quality import queries
from service_quality.database import (
    DEFAULT_DB,
    SAMPLE_DIR,
    Database,
    DbVersion,
    db_path,
    db_version,
)
from service_quality.messages import t
from service_quality.settings import load_settings

_build_lock = threading.Lock()


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(version: DbVersion) -> Database:
    # One read-only connection per version of the file: a load swaps in a new file, the version
    # changes and the next rerun attaches to it while older sessions finish on the old one.
    return Database(Path(version.path))


def current_version() -> DbVersion | None:
    """The version of the database file now on disk."""
    return db_version(db_path())


def ensure_database(lang: str = "zh") -> DbVersion | None:
    """Build data/service.duckdb from the bundled sample on a fresh checkout; return its version."""
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
    return db_version(path)


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(version: DbVersion, module: str, name: str, scope: queries.Scope, filters, args):
    # Keyed by the file's version, the query, the caller's scope, the filters and every argument.
    fn = getattr(importlib.import_module(module), name)
    return fn(_open(version), scope, filters, *args)


def query(fn: Callable, scope: queries.Scope, filters=None, *args):
    """Run fn(db, scope, filters, *args), a service_quality.queries function, through the cache."""
    if not fn.__module__.startswith("service_quality.queries"):
        raise ValueError(f"{fn.__module__}.{fn.__name__} is not a query function")
    return _cached(current_version(), fn.__module__, fn.__name__, scope, filters, args)


@st.cache_data(max_entries=8, show_spinner=False)
def _load_info(version: DbVersion) -> dict:
    return queries.load_info(_open(version))


def load_info() -> dict:
    """Facts about the last load, cached by version."""
    return _load_info(current_version())
