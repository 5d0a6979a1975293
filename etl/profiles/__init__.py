"""Import profiles: how another system's export maps onto the canonical tables (TOML files)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from service_quality.schema import ENTITIES

from ..readers import InputError, loose_key, normalize_name, read_raw

BUILTIN: tuple[str, ...] = ("servicenow", "jira", "zammad", "glpi")
DATE_ORDERS = ("dmy", "mdy", "ymd")
_DIR = Path(__file__).parent
_TOP_KEYS = {"name", "title", "docs", "detect", "nulls", "date_order", "history", "sheet"}
_SECTION_KEYS = {"columns", "values", "keep_if", "score_scale"}
# What exports call the time of each row's update, besides a profile's own [history] names;
# compared as loose_key, so "Updated At", "updated_at" and "UPDATED-AT" are one name. In order:
# the first present is used. "updated_at" is also the name --map gives such a column.
UPDATE_COLUMNS: tuple[str, ...] = (
    "sys_updated_on", "sys_updated_at", "updated_at", "Updated", "Updated on", "last_update",
    "Last updated", "Last modified", "Modified", "Date modified", "更新时间", "最后更新时间",
    "最近更新时间", "修改时间", "最后修改时间",
)
UPDATED_AT = "updated_at"


class ProfileError(InputError):
    """A profile file that cannot be used; str(e) names the file and the key."""


@dataclass(frozen=True)
class Source:
    """Where one canonical column comes from: the first of `headers` in the file, or a constant."""

    headers: tuple[str, ...] = ()
    const: str | None = None


@dataclass(frozen=True)
class History:
    """Several rows per ticket (one per update): the latest wins, waiting states become pauses."""

    updated: tuple[str, ...]
    status: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One canonical entity built from the file."""

    entity: str
    columns: dict[str, Source]
    # canonical column → source value as loose_key → canonical value ("" = empty; "*" = any other)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    # rows where all these canonical columns are empty make no row of this entity (not an error)
    keep_if: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """A parsed profile file."""

    name: str
    title: str
    path: Path | None
    sections: tuple[Section, ...]
    docs: tuple[str, ...] = ()
    detect: tuple[tuple[str, ...], ...] = ()
    nulls: tuple[str, ...] = ()
    date_order: str | None = None
    history: History | None = None
    sheets: tuple[str, ...] = ()  # workbook sheet to read when present (else the first)
    # The contract's own layout (a canonical file read with --map/--null): a repeated key there
    # is a rejected row (DESIGN §3), never a history of updates.
    canonical: bool = False


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name, or a user's profile TOML by path; raises ProfileError."""
    text = str(name_or_path)
    if text in BUILTIN:
        path = _DIR / f"{text}.toml"
    else:
        path = Path(text)
        if not path.is_file():
            raise ProfileError(
                f"{text}: no such profile — give one of {', '.join(BUILTIN)} "
                "or the path of a profile .toml file"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path.name}: not a valid TOML profile — {e}") from None
    return _parse(path, data)


def canonical_profile(entity: str) -> Profile:
    """The canonical layout of one entity as a profile, so --map/--null work without a profile."""
    e = ENTITIES[entity]
    cols = {c.name: Source((c.name, *c.zh)) for c in e.columns}
    return Profile("canonical", f"canonical {entity} file", None, (Section(entity, cols),),
                   sheets=(e.name, e.zh), canonical=True)


def detect_profile(header: list[str]) -> str | None:
    """The built-in profile whose identifying columns are all among `header`, if any."""
    have = {normalize_name(h) for h in header}
    for name in BUILTIN:
        for group in load_profile(name).detect:
            if all(normalize_name(h) in have for h in group):
                return name
    return None


def read_header(path: Path) -> list[str]:
    """The header row of a .csv or .xlsx file (first sheet), as written."""
    return [h.strip() for h in read_raw(Path(path)).header]


# --- parsing -------------------------------------------------------------------------------------


def _parse(path: Path, data: dict) -> Profile:
    where = path.name

    def fail(key: str, problem: str):
        raise ProfileError(f"{where}: {key}: {problem}")

    unknown = [k for k in data if k not in _TOP_KEYS and k not in ENTITIES]
    if unknown:
        fail(unknown[0], "unknown key — expected name, title, docs, detect, nulls, date_order, "
             "sheet, history or an entity section ([tickets], [surveys], …)")
    order = data.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        fail("date_order", f"{order!r} — expected one of {', '.join(DATE_ORDERS)}")
    sections = []
    for entity in (k for k in data if k in ENTITIES):
        sections.append(_section(entity, data[entity], fail))
    if not sections:
        fail("sections", "no entity section — add e.g. [tickets.columns]")
    history = None
    if "history" in data:
        h = data["history"]
        if not isinstance(h, dict) or "updated" not in h:
            fail("history", "expected a table with updated = \"column\" (and status, waiting)")
        bad = set(h) - {"updated", "status", "waiting"}
        if bad:
            fail(f"history.{sorted(bad)[0]}", "unknown key — expected updated, status, waiting")
        history = History(_names(h["updated"], "history.updated", fail),
                          _names(h.get("status", []), "history.status", fail),
                          _names(h.get("waiting", []), "history.waiting", fail))
        if not any(s.entity == "tickets" and "ticket_id" in s.columns for s in sections):
            fail("history", "needs a [tickets.columns] section with ticket_id")
    detect = data.get("detect", [])
    if not isinstance(detect, list):
        fail("detect", "expected a list of lists of column names")
    return Profile(
        name=str(data.get("name", path.stem)),
        title=str(data.get("title", "")),
        path=path,
        sections=tuple(sections),
        docs=_names(data.get("docs", []), "docs", fail),
        detect=tuple(_names(g, "detect", fail) for g in detect),
        nulls=_names(data.get("nulls", []), "nulls", fail),
        date_order=order,
        history=history,
        sheets=_names(data.get("sheet", []), "sheet", fail),
    )


def _section(entity: str, body, fail) -> Section:
    if not isinstance(body, dict):
        fail(entity, "expected a table")
    bad = set(body) - _SECTION_KEYS
    if bad:
        fail(f"{entity}.{sorted(bad)[0]}", "unknown key — expected columns, values, keep_if, "
             "score_scale")
    known = {c.name for c in ENTITIES[entity].columns}
    columns: dict[str, Source] = {}
    for col, spec in body.get("columns", {}).items():
        key = f"{entity}.columns.{col}"
        if col not in known:
            fail(key, f"{entity} has no column {col!r}")
        if isinstance(spec, dict):
            if set(spec) != {"const"}:
                fail(key, "expected a column name, a list of names or {const = \"value\"}")
            columns[col] = Source(const=str(spec["const"]))
        else:
            columns[col] = Source(_names(spec, key, fail))
    missing = [c.name for c in ENTITIES[entity].columns if c.required and c.name not in columns]
    if missing:
        fail(f"{entity}.columns", "required column(s) not mapped: " + ", ".join(missing))
    values = {}
    for col, table in body.get("values", {}).items():
        key = f"{entity}.values.{col}"
        if col not in columns:
            fail(key, "a value map for a column the section does not map")
        if not isinstance(table, dict):
            fail(key, "expected a table of \"source value\" = \"canonical value\"")
        values[col] = {}
        seen: dict[str, str] = {}
        for k, v in table.items():
            folded = k if k == "*" else loose_key(str(k))
            if folded in values[col] and values[col][folded] != str(v):
                fail(key, f"{seen[folded]!r} and {k!r} are one value (case, spaces, hyphens "
                          "and underscores are not compared) but map to different values")
            seen.setdefault(folded, str(k))
            values[col][folded] = str(v)
    if "score_scale" in body:
        scale = body["score_scale"]
        if entity != "surveys" or scale not in (5, 10, 100):
            fail(f"{entity}.score_scale", "only in [surveys], and one of 5, 10, 100")
        columns.setdefault("score_scale", Source(const=str(scale)))
    keep_if = _names(body.get("keep_if", []), f"{entity}.keep_if", fail)
    for col in keep_if:
        if col not in columns:
            fail(f"{entity}.keep_if", f"{col!r} is not a column of the section")
    return Section(entity, columns, values, keep_if)


def _names(value, key: str, fail) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    fail(key, "expected a column name or a list of names")
    return ()
