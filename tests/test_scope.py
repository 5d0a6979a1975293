"""Customer scope: every query function, called as a customer, returns nothing of another customer.

The test enumerates the query functions itself (every public function of every module of
service_quality.queries whose first two parameters are `db, scope`) and builds their arguments
from parameter names and defaults. A new function it cannot call makes the test fail until it is
given a rule or an explicit argument table here: nothing is skipped silently.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import io
import pkgutil
import re
from functools import cache

import duckdb
import openpyxl
import pandas as pd
import pytest

import service_quality.queries as queries_pkg
from service_quality.filters import Filters
from service_quality.queries import Scope

# Public functions of the query package that take a db but no scope, with why that is safe.
# Each is still checked to return no customer's id or name at all.
UNSCOPED = {
    "service_quality.queries.load_info": "facts about the last load: as_of, warnings",
}
# Public functions of the query package that are not queries (no db): helpers, not checked.
NOT_QUERIES = {
    "service_quality.queries.run", "service_quality.queries.sql",
    "service_quality.queries.scope_params",
    "service_quality.queries.fault_reports.report_drill_for",
    "service_quality.queries.satisfaction.survey_drill_for",
    "service_quality.queries.severity.drill_for",
    "service_quality.queries.actions.action_drill_for",
    "service_quality.queries.process.transfer_drill",
    "service_quality.queries.process.warranty_drill",
    "service_quality.queries.process.shown_warranty",
}


# Parameters whose choices are a module constant not named PARAM + "S".
IRREGULAR_PLURALS = {"basis": "BASES"}


class CannotCall(Exception):
    """The generic argument provider has no rule for a parameter."""


# ---------------------------------------------------------------------------------------------
# What the database holds, read independently of the code under test


@pytest.fixture(scope="module")
def facts(fixture_db):
    """Customers, ids of every entity per customer, months, rejected rows: plain SQL."""
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        customers = con.execute(
            "SELECT customer_id, name FROM customers ORDER BY customer_id").fetchall()
        owned, tickets = {}, {}
        for cid, tid in con.execute("SELECT customer_id, ticket_id FROM tickets").fetchall():
            tickets.setdefault(cid, []).append(tid)
        for table, key in (("tickets", "ticket_id"), ("complaints", "complaint_id"),
                           ("surveys", "survey_id"), ("actions", "action_id")):
            for cid, eid in con.execute(
                    f"SELECT customer_id, {key} FROM {table}").fetchall():  # noqa: S608 fixed names
                owned.setdefault(cid, set()).add(eid)
        dates = []
        for table, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_name "
                "IN ('tickets', 'ticket_events', 'fault_reports', 'surveys', 'complaints', "
                "'actions') AND data_type IN ('DATE', 'TIMESTAMP')").fetchall():
            # Names from information_schema, of our own tables.
            dates += con.execute(
                f"SELECT min(\"{column}\"), max(\"{column}\") FROM {table}").fetchone()  # noqa: S608
        rejected = con.execute(
            "SELECT file, min(row_number) FROM rejected_rows GROUP BY file ORDER BY file"
        ).fetchall()
        counts = dict(con.execute(
            "SELECT customer_id, count(*) FROM tickets GROUP BY customer_id").fetchall())
        open_tickets = dict(con.execute(
            "SELECT customer_id, count(*) FROM ticket_facts WHERE NOT finished "
            "GROUP BY customer_id").fetchall())
        open_complaints = con.execute(
            "SELECT count(*) FROM complaints WHERE resolved_at IS NULL").fetchone()[0]
    dates = [pd.Timestamp(d) for d in dates if d is not None]
    # The customer with most tickets: its results are the richest, so the test is not vacuous.
    me = max(counts, key=counts.get)
    # A second customer: the one with most unfinished tickets, so the open-item lists have rows.
    second = max((c for c in counts if c != me), key=lambda c: (open_tickets.get(c, 0), counts[c]))
    return {
        "me": me,
        "second": second,
        "open_complaints": open_complaints,
        "names": dict(customers),
        "owned": owned,
        "tickets": {c: sorted(ts) for c, ts in tickets.items()},
        "first_month": min(dates).strftime("%Y-%m"),
        "last_month": max(dates).strftime("%Y-%m"),
        "rejected": rejected,
    }


def others_of(facts, me):
    """The other customers' ids and names, and the ids of their tickets/complaints/surveys/…"""
    ids = [c for c in facts["names"] if c != me]
    names = [facts["names"][c] for c in ids if facts["names"][c]]
    # A customer's own name may contain a shorter name of another; skip those as substrings.
    names = [n for n in names if n not in facts["names"][me]]
    entities = set().union(*(facts["owned"].get(c, set()) for c in ids))
    entities -= facts["owned"].get(me, set())
    pattern = re.compile("|".join(re.escape(s) for s in sorted(ids + names, key=len,
                                                                reverse=True)))
    return ids, pattern, entities


# ---------------------------------------------------------------------------------------------
# Finding another customer's data in whatever a function returns


def leaks(value, me, pattern, entities, where="result") -> list[str]:
    """Places in VALUE (frames, series, dataclasses, containers, text) showing another customer."""
    found = []
    if isinstance(value, pd.DataFrame):
        if "customer_id" in value.columns:
            bad = set(value["customer_id"].dropna().astype(str)) - {me}
            if bad:
                found.append(f"{where}.customer_id holds {sorted(bad)[:5]}")
        for name in value.columns:
            found += leaks(str(name), me, pattern, entities, f"{where} column name")
        found += leaks(value.index.to_series(), me, pattern, entities, f"{where}.index")
        for name in value.columns:
            found += leaks(value[name], me, pattern, entities, f"{where}[{name!r}]")
    elif isinstance(value, pd.Series):
        text = value.dropna().astype(str)
        hits = text[text.str.contains(pattern) | text.isin(entities)] if len(text) else text
        if len(hits):
            found.append(f"{where} shows {list(hits.unique()[:3])}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found += leaks(getattr(value, f.name), me, pattern, entities, f"{where}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            found += leaks(str(k), me, pattern, entities, f"{where} key")
            found += leaks(v, me, pattern, entities, f"{where}[{k!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for n, v in enumerate(value):
            found += leaks(v, me, pattern, entities, f"{where}[{n}]")
    elif isinstance(value, str):
        if pattern.search(value) or value in entities:
            found.append(f"{where} = {value[:80]!r}")
    return found


def has_rows(value) -> bool:
    """Whether VALUE holds something: a non-empty frame, a non-zero count, a text."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return len(value) > 0
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | str):
        return bool(value) and not pd.isna(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(has_rows(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return any(has_rows(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_rows(v) for v in value)
    return False


# ---------------------------------------------------------------------------------------------
# The query functions and their arguments


@cache
def query_modules():
    """Every module of the query package, the package itself first."""
    mods = [queries_pkg]
    for info in pkgutil.iter_modules(queries_pkg.__path__):
        mods.append(importlib.import_module(f"{queries_pkg.__name__}.{info.name}"))
    return tuple(mods)


def public_functions():
    """(qualified name, module, function) of every public function defined in the package."""
    for mod in query_modules():
        for name, obj in vars(mod).items():
            # Unwrapped, so a decorated (e.g. cached) function is enumerated too.
            fn = inspect.unwrap(obj) if callable(obj) and not isinstance(obj, type) else None
            if (inspect.isfunction(fn) and fn.__module__ == mod.__name__
                    and not name.startswith("_")):
                yield f"{mod.__name__}.{name}", mod, obj


def scoped_functions():
    """Query functions: first two parameters (db, scope)."""
    return [(q, m, f) for q, m, f in public_functions()
            if list(inspect.signature(f).parameters)[:2] == ["db", "scope"]]


def _label(q: str) -> str:
    return q.removeprefix("service_quality.queries.")


def _module_choices(mod, param: str) -> list:
    """The values of the module's tuple constants named like the parameter (GROUPS for group)."""
    plural = IRREGULAR_PLURALS.get(param, param.upper() + "S")
    values = []
    for name, value in vars(mod).items():
        if name.isupper() and (name == plural or name.endswith("_" + plural)) \
                and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            values += [v for v in value if v not in values]
    return values


def _dataclass_variants(default, me, other) -> list:
    """A drill's default, and the default asking for another customer's rows (and mine)."""
    out = [default]
    for f in dataclasses.fields(default):
        if f.name in ("customer", "customer_id"):
            out += [dataclasses.replace(default, **{f.name: other}),
                    dataclasses.replace(default, **{f.name: me})]
    return out


def argument_sets(qual, mod, fn, facts, me) -> list[dict]:
    """Keyword arguments for every sensible call of FN after (db, scope); CannotCall if unknown."""
    if _label(qual) in EXPLICIT:
        return EXPLICIT[_label(qual)](facts, me)
    other = next(c for c in facts["names"] if c != me)
    months = Filters(facts["first_month"], facts["last_month"])
    choices: dict[str, list] = {}
    for name, p in list(inspect.signature(fn).parameters.items())[2:]:
        options = _module_choices(mod, name)
        if name == "filters":
            # All months; and filters that ask for another customer, alone or with mine.
            options = [months, dataclasses.replace(months, customers=(other,)),
                       dataclasses.replace(months, customers=(me, other))]
        elif name == "ticket_id":
            options = [facts["tickets"][other][0], facts["tickets"][me][0]]
        elif name in ("customer_id", "customer"):
            options = [me]
        elif name == "stages":
            # several lists at once: every stage, and the customer report's two
            options = [tuple(_module_choices(mod, "stage")), ("due", "overdue")]
        elif isinstance(p.default, bool):
            options = [True, False]
        elif p.default is not inspect.Parameter.empty and dataclasses.is_dataclass(p.default):
            options = _dataclass_variants(p.default, me, other)
        elif options:
            if p.default is None:
                options = [None, *options]
        elif p.default is not inspect.Parameter.empty:
            options = [p.default]
        else:
            raise CannotCall(f"{_label(qual)}: no rule for parameter {name!r}; add one to "
                             "argument_sets or an entry to EXPLICIT in tests/test_scope.py")
        choices[name] = options
    # One call per value of each parameter (others at their first value), not the full product:
    # enough to reach every option while keeping the test quick.
    first = {k: v[0] for k, v in choices.items()}
    sets = [first]
    for k, values in choices.items():
        sets += [{**first, k: v} for v in values[1:]]
    return sets


def _raw_row_args(facts, me):
    return [{"filters": None, "file": f, "row_number": n} for f, n in facts["rejected"]]


def _rejected_rows_args(facts, me):
    return [{"filters": None}, {"filters": None, "search": "customer"}] + [
        {"filters": None, "file": f} for f, _ in facts["rejected"]]


def _customer_report_args(facts, me):
    months = Filters(facts["first_month"], facts["last_month"])
    quarters = sorted({f"{p.year}-Q{p.quarter}" for p in pd.period_range(
        months.start, months.end, freq="M")})
    return [{"filters": None, "customer_id": me, "period": q, "lang": lang}
            for q in quarters[-2:] for lang in ("zh", "en")] + [
        {"filters": None, "customer_id": me, "period": months.end}]


# Functions the generic provider cannot call (arguments that only the data can supply).
EXPLICIT = {
    "data.raw_row": _raw_row_args,
    "data.rejected_rows": _rejected_rows_args,
}


# ---------------------------------------------------------------------------------------------
# The tests


def test_every_query_function_is_known():
    """Every public function is a scoped query, a reviewed unscoped one, or not a query."""
    scoped = {q for q, _, _ in scoped_functions()}
    assert len(scoped) >= 40  # the enumeration really finds the query functions
    strays = []
    for qual, _, fn in public_functions():
        if qual in scoped or qual in UNSCOPED or qual in NOT_QUERIES:
            continue
        strays.append(f"{qual}{inspect.signature(fn)}")
    assert not strays, ("query functions must start with (db, scope, …): " + "; ".join(strays))
    for qual in UNSCOPED.keys() | NOT_QUERIES:
        assert any(q == qual for q, _, _ in public_functions()), f"{qual} no longer exists"
    assert set(EXPLICIT) <= {_label(q) for q in scoped}


def test_every_query_function_can_be_called(facts):
    """The provider has arguments for every query function (a new one must be taught here)."""
    missing = []
    for qual, mod, fn in scoped_functions():
        try:
            assert argument_sets(qual, mod, fn, facts, facts["me"])
        except CannotCall as e:
            missing.append(str(e))
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("who", ["me", "second"])
@pytest.mark.parametrize("qual", [_label(q) for q, _, _ in scoped_functions()])
def test_customer_scope_returns_only_that_customer(db, facts, qual, who):
    """Called as customer C, the function shows no other customer's id, name or records."""
    me = facts[who]
    mod, fn = next((m, f) for q, m, f in scoped_functions() if _label(q) == qual)
    _, pattern, entities = others_of(facts, me)
    problems = []
    for kwargs in argument_sets(f"service_quality.queries.{qual}", mod, fn, facts, me):
        result = fn(db, Scope.customer(me), **kwargs)
        problems += [f"{kwargs}: {p}" for p in leaks(result, me, pattern, entities)]
    assert not problems, f"{qual} leaks another customer's data:\n" + "\n".join(problems[:20])


def test_the_check_finds_a_leak(db, facts):
    """The same walk over an unscoped result does find other customers (the test can fail)."""
    from service_quality.queries import sla, tickets

    me = facts["me"]
    _, pattern, entities = others_of(facts, me)
    months = Filters(facts["first_month"], facts["last_month"])
    assert leaks(sla.sla_by(db, Scope.everyone(), months, "arrival", "customer"),
                 me, pattern, entities)
    assert leaks(tickets.ticket_list(db, Scope.everyone(), months), me, pattern, entities)
    mine = sla.sla_by(db, Scope.customer(me), months, "arrival", "customer")
    assert has_rows(mine) and not leaks(mine, me, pattern, entities)


@pytest.fixture(scope="module")
def only_mine(fixture_db, facts, tmp_path_factory):
    """A copy of the fixture database holding only customer `me`, derived again (same as_of)."""
    import shutil
    from datetime import datetime

    from etl.load import derive
    from service_quality.database import Database
    from service_quality.settings import load_settings

    path = tmp_path_factory.mktemp("only_mine") / "service.duckdb"
    shutil.copyfile(fixture_db, path)
    with duckdb.connect(str(path)) as con:
        as_of = datetime.fromisoformat(
            con.execute("SELECT value FROM load_info WHERE key = 'as_of'").fetchone()[0])
        me = {"me": facts["me"]}
        for table in ("ticket_events", "fault_reports"):
            con.execute(f"DELETE FROM {table} WHERE ticket_id IN "  # noqa: S608 fixed names
                        "(SELECT ticket_id FROM tickets WHERE customer_id <> $me)", me)
        for table in ("tickets", "surveys", "complaints", "actions", "customers"):
            con.execute(f"DELETE FROM {table} WHERE customer_id <> $me", me)  # noqa: S608
        derive(con, load_settings(), as_of)
    d = Database(path)
    yield d
    d.close()


def same(a, b, where="result") -> list[str]:
    """Where A and B differ (frames compared by value), as text."""
    if isinstance(a, pd.DataFrame | pd.Series):
        try:
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                              check_dtype=False)
            else:
                pd.testing.assert_series_equal(a, b, check_dtype=False)
        except AssertionError as e:
            return [f"{where}: {str(e).splitlines()[0:4]}"]
        return []
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return [d for f in dataclasses.fields(a)
                for d in same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")]
    if isinstance(a, dict):
        if set(a) != set(b):
            return [f"{where}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in same(a[k], b[k], f"{where}[{k!r}]")]
    if isinstance(a, list | tuple) and len(a) == len(b):
        return [d for n, (x, y) in enumerate(zip(a, b, strict=True))
                for d in same(x, y, f"{where}[{n}]")]
    if not (a == b or (pd.isna(a) and pd.isna(b)) if not isinstance(a, list | tuple) else a == b):
        return [f"{where}: {a!r} != {b!r}"]
    return []


# Columns allowed to depend on other customers' rows, with why that reveals nothing of them.
KNOWN_DIFFERENCES = {
    # The working calendar spans the whole loaded period (its first day is the earliest date of
    # any customer's data), so its day counts do too; the data page is supervisor-only.
    "data.calendar_coverage": {"first_day", "last_day", "days_*"},
}


def _drop_known(value, columns):
    """VALUE with the named columns (glob patterns) taken out of every frame in it."""
    from fnmatch import fnmatch

    if isinstance(value, pd.DataFrame):
        return value.drop(columns=[c for c in value.columns
                                   if any(fnmatch(str(c), p) for p in columns)])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _drop_known(getattr(value, f.name), columns)
                                             for f in dataclasses.fields(value) if f.init})
    return value


@pytest.mark.parametrize("qual", [_label(q) for q, _, _ in scoped_functions()])
def test_other_customers_change_nothing(db, only_mine, facts, qual):
    """C's results are the same with or without the other customers' rows: no count leaks."""
    me = facts["me"]
    mod, fn = next((m, f) for q, m, f in scoped_functions() if _label(q) == qual)
    problems = []
    for kwargs in argument_sets(f"service_quality.queries.{qual}", mod, fn, facts, me):
        full = fn(db, Scope.customer(me), **kwargs)
        alone = fn(only_mine, Scope.customer(me), **kwargs)
        if qual in KNOWN_DIFFERENCES:
            full = _drop_known(full, KNOWN_DIFFERENCES[qual])
            alone = _drop_known(alone, KNOWN_DIFFERENCES[qual])
        problems += [f"{kwargs}: {p}" for p in same(full, alone)]
    assert not problems, (f"{qual} depends on other customers' rows:\n"
                          + "\n".join(problems[:10]))


def test_customer_results_are_not_all_empty(db, facts):
    """Most query functions do return rows for the customer, so the leak test means something."""
    empty = []
    for qual, mod, fn in scoped_functions():
        results = [fn(db, Scope.customer(me), **kw) for me in (facts["me"], facts["second"])
                   for kw in argument_sets(qual, mod, fn, facts, me)]
        if not any(has_rows(r) for r in results):
            empty.append(_label(qual))
    # The data page's load log and rejected rows are supervisor-only: nothing for a customer.
    allowed = {"data.load_batches", "data.rejected_files", "data.rejected_rows", "data.raw_row",
               "data.calendar_warnings"}
    if facts["open_complaints"] == 0:
        allowed.add("complaints.open_complaints")  # the fixture has no unresolved complaint
    assert set(empty) <= allowed, empty


@pytest.mark.parametrize("qual", [_label(q) for q, _, _ in scoped_functions()])
def test_a_query_without_a_scope_fails(db, facts, qual):
    """scope=None is refused with TypeError before any row is read."""
    mod, fn = next((m, f) for q, m, f in scoped_functions() if _label(q) == qual)
    kwargs = argument_sets(f"service_quality.queries.{qual}", mod, fn, facts, facts["me"])[0]
    with pytest.raises(TypeError):
        fn(db, None, **kwargs)


def test_customer_report_refuses_another_customer(db, facts):
    """Asking for another customer's report with my scope is refused."""
    from service_quality.reports.customer_report import scoped_customer_report as customer_report

    me = facts["me"]
    other = next(c for c in facts["names"] if c != me)
    with pytest.raises(PermissionError):
        customer_report(db, Scope.customer(me), None, other, facts["last_month"])


def test_unscoped_functions_show_no_customer(db, facts):
    """The few functions without a scope return no customer's id, name or records at all."""
    from service_quality.queries import load_info

    everyone = list(facts["names"]) + [n for n in facts["names"].values() if n]
    pattern = re.compile("|".join(re.escape(s) for s in everyone))
    entities = set().union(*facts["owned"].values())
    for result in (load_info(db),):
        assert not leaks(result, "", pattern, entities)


# ---------------------------------------------------------------------------------------------
# Reports and exports


def _workbook_cells(data: bytes) -> list[str]:
    """Every cell of every sheet of an xlsx, and the sheet names, as text."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += [str(v) for v in row if v is not None]
    return cells


def test_customer_report_and_files_show_no_other_customer(db, facts):
    """The customer report, its xlsx and its PDF name only that customer."""
    from pypdf import PdfReader

    from service_quality.reports.customer_report import customer_report, report_pdf, report_xlsx

    me = facts["me"]
    _, pattern, entities = others_of(facts, me)
    quarter = _customer_report_args(facts, me)[0]["period"]
    for period in (facts["last_month"], quarter):
        for lang in ("zh", "en"):
            report = customer_report(db, me, period, lang)
            assert has_rows(report)
            assert not leaks(report, me, pattern, entities)
            cells = _workbook_cells(report_xlsx(report, lang))
            assert any(me in c or facts["names"][me] in c for c in cells)
            assert not leaks(cells, me, pattern, entities)
            if period != quarter:
                continue  # a PDF takes seconds to draw; one period in both languages is enough
            pdf = PdfReader(io.BytesIO(report_pdf(report, lang)))
            # fpdf2's embedded CJK font extracts as UTF-16 code units: drop the NUL bytes.
            text = "\n".join(page.extract_text() or "" for page in pdf.pages).replace("\0", "")
            assert me in text  # the text can be read, so its absence of others means something
            assert not leaks(text, me, pattern, entities)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_management_workbook_for_a_customer_shows_no_other(db, facts, lang):
    """The management workbook built with a customer scope holds only that customer."""
    from service_quality.reports.management_workbook import management_workbook

    me = facts["me"]
    other = next(c for c in facts["names"] if c != me)
    _, pattern, entities = others_of(facts, me)
    months = Filters(facts["first_month"], facts["last_month"])
    for filters in (months, dataclasses.replace(months, customers=(other,))):
        cells = _workbook_cells(management_workbook(db, Scope.customer(me), filters, lang))
        if filters.customers:
            # The title echoes the filters the caller asked for ("筛选：客户: C002"): the caller's
            # own input, not data. Drop that echo; the rest of the cell and sheet must be clean.
            marker = "筛选：" if lang == "zh" else "Filters: "
            echo = [c for c in cells if marker in c]
            assert all(not leaks(c.split(marker)[0], me, pattern, entities) for c in echo)
            assert all(facts["names"][other] not in c for c in echo)  # no id → name lookup
            cells = [c.split(marker)[0] for c in cells]
        problems = leaks(cells, me, pattern, entities)
        assert not problems, problems[:10]
    cells = _workbook_cells(management_workbook(db, Scope.customer(me), months, lang))
    assert any(me in c or facts["names"][me] in c for c in cells)
    # And the check is real: the workbook for everyone does name other customers.
    assert leaks(_workbook_cells(management_workbook(db, Scope.everyone(), months, lang)),
                 me, pattern, entities)


def test_the_comparison_finds_a_count_leak(db, only_mine, facts):
    """The comparison is real: an unscoped count does change without the other customers."""
    from service_quality.queries import overview

    months = Filters(facts["first_month"], facts["last_month"])
    assert same(overview.ticket_volume(db, Scope.everyone(), months),
                overview.ticket_volume(only_mine, Scope.everyone(), months))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_management_workbook_ignores_other_customers(db, only_mine, facts, lang):
    """A customer's management workbook is cell for cell the same without the other customers."""
    from service_quality.reports.management_workbook import management_workbook

    months = Filters(facts["first_month"], facts["last_month"])
    scope = Scope.customer(facts["me"])
    assert (_workbook_cells(management_workbook(db, scope, months, lang))
            == _workbook_cells(management_workbook(only_mine, scope, months, lang)))
