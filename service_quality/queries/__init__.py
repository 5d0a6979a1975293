"""Named queries; every one takes the caller's customer scope and applies it in SQL.

One module per page (overview, sla, …). A query function's signature is
`fn(db, scope, filters, *args) -> DataFrame`; SQL text lives in service_quality/sql/*.sql and
takes $parameters only. Base files (_tickets.sql, _surveys.sql, …) define the filtered CTE a
page query starts from; they are joined as fixed text, never with data.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from ..database import Database
from ..filters import Filters

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# A Database holds one version of the file, whose load facts never change: read them once
# (a customer report asked for as_of five times).
_LOAD_INFO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Scope:
    """Which customers' rows a caller may see: None means every customer."""

    customers: tuple[str, ...] | None

    @classmethod
    def everyone(cls) -> Scope:
        """The scope of a supervisor or manager."""
        return cls(None)

    @classmethod
    def customer(cls, customer_id: str) -> Scope:
        """The scope of one customer's users."""
        return cls((customer_id,))

    def params(self) -> dict:
        """The $customers parameter every scoped query takes."""
        return {"customers": list(self.customers) if self.customers is not None else None}


def scope_params(scope: Scope) -> dict:
    """The scope's SQL parameters; a call without a Scope is refused."""
    # A query without a scope is a bug that could leak another customer's rows: fail loudly.
    if not isinstance(scope, Scope):
        raise TypeError("a scope (queries.Scope) is required for every query")
    return scope.params()


@cache
def sql(name: str) -> str:
    """The text of sql/NAME.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(
    db: Database,
    name: str,
    scope: Scope,
    filters: Filters | None = None,
    base: str | None = None,
    **extra,
) -> pd.DataFrame:
    """Run sql/NAME.sql (after the base CTE file, if any) with scope, filter and extra params."""
    text = (sql(base) + "\n" + sql(name)) if base else sql(name)
    params = {**scope_params(scope), **(filters.params() if filters else {}), **extra}
    if "$t_lo" in text and base:
        params.update(_id_range(db, base, params))
    if "$customers" not in text:
        raise ValueError(f"{name}.sql does not apply the customer scope ($customers)")
    missing = set(_PARAM.findall(text)) - set(params)
    if missing:
        raise ValueError(f"{name}.sql needs parameters {sorted(missing)}")
    return _query(db, text, params)


def _query(db: Database, text: str, params: dict) -> pd.DataFrame:
    """TEXT with the PARAMS it names: DuckDB refuses parameters a statement does not use."""
    used = set(_PARAM.findall(text))
    return db.query(text, {k: v for k, v in params.items() if k in used})


def _id_range(db: Database, base: str, params: dict) -> dict:
    """$t_lo and $t_hi: the least and greatest ticket id of the base CTE `t`.

    A query that reads fault_reports or tickets for the tickets of `t` also asks for ids in this
    range, a constant DuckDB checks against each row group's min and max: ids follow time in
    most exports, so a month's tickets skip most of the file's row groups (10 M tickets: a
    month's rejections 0.05 s instead of 0.2 s). The ids in `t` stay the condition; the range
    only narrows what is read.
    """
    text = sql(base) + "\nSELECT min(ticket_id) AS lo, max(ticket_id) AS hi FROM t"
    lo, hi = _query(db, text, params).iloc[0]
    return {"t_lo": None if pd.isna(lo) else lo, "t_hi": None if pd.isna(hi) else hi}


def load_info(db: Database) -> dict:
    """Facts about the last load (as_of, its source, calendar warnings); no customer data."""
    info = _LOAD_INFO.get(db)
    if info is None:
        info = dict(db.query(sql("load_info")).itertuples(index=False))
        info["calendar_warnings"] = json.loads(info.get("calendar_warnings") or "[]")
        _LOAD_INFO[db] = info
    return {**info, "calendar_warnings": list(info["calendar_warnings"])}

