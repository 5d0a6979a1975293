"""The management workbook's download button (管理报表): built when clicked, cached by version."""

from __future__ import annotations

import streamlit as st

from service_quality.database import DbVersion
from service_quality.filters import Filters
from service_quality.queries import Scope
from service_quality.reports.management_workbook import management_workbook

from .auth import audit_export
from .data import cached_file, current_version
from .frame import Context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(version: DbVersion, scope: Scope, filters: Filters, lang: str) -> bytes:
    # Through the data layer's cache: keyed by the file's version, scope, filters and language.
    return cached_file(management_workbook, version, scope, filters, lang)


def workbook(ctx: Context) -> bytes:
    """The management workbook of ctx's period, scope, filters and language (cached)."""
    return _workbook(current_version(), ctx.scope, ctx.filters, ctx.lang)


def file_name(ctx: Context) -> str:
    """管理报表_<from>_<to>.xlsx / management_<from>_<to>.xlsx."""
    return ctx.t("management_workbook_file", start=ctx.filters.start, end=ctx.filters.end)


def management_download(ctx: Context, key: str = "management_workbook_download") -> None:
    """A download button for the management workbook; the workbook is built on the click."""
    version = current_version()
    scope, filters, lang, user, name = ctx.scope, ctx.filters, ctx.lang, ctx.user, file_name(ctx)

    def build() -> bytes:
        # Runs on the click, off the script thread: everything it needs is captured here.
        audit_export(user, name, scope)
        return _workbook(version, scope, filters, lang)

    st.download_button(ctx.t("management_workbook_download"), data=build, file_name=name,
                       mime=XLSX, key=key, help=ctx.t("management_workbook_download_help"),
                       on_click="ignore", icon=":material/download:")
