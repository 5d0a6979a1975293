"""Apply an import profile to one file: canonical text tables, ready for coerce."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from service_quality.schema import DATE, ENTITIES, TIMESTAMP

from ..coerce import expected_values, is_spelling
from ..readers import (
    InputError,
    RawTable,
    _json_keys,
    column_label,
    loose_key,
    loose_keys,
    normalize_name,
    read_raw,
)
from . import BUILTIN, UPDATE_COLUMNS, UPDATED_AT, Profile, Section, Source
from .dates import DateText, decide_order, timestamps


@dataclass
class Built:
    """One canonical table built from a file, with what a person should know about it."""

    entity: str
    table: RawTable
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # canonical → source header or "= value"
    sources: dict[str, str] = field(default_factory=dict)  # canonical → source header


def build(path: Path, profile: Profile, maps=(), nulls=(), date_order=None,
          values=()) -> list[Built]:
    """The canonical tables `profile` makes of the file at `path`; raises InputError.

    maps: --map (canonical, source column) pairs; values: --value (canonical column, source
    value, canonical value) triples, added to the profile's value maps.
    """
    raw = read_raw(Path(path), profile.sheets)
    f = _File(raw, profile.nulls + tuple(nulls))
    maps, updated_map = _update_map(maps, profile)
    named = {s.entity for s in profile.sections}
    for target, source in maps:
        entity = target.rpartition(".")[0]
        if entity and entity not in named:
            raise InputError(f"--map {target}={source}: profile {profile.name} makes no "
                             f"{entity} — only " + ", ".join(sorted(named)))
    mapped = [_with_maps(f.name, s, maps, profile) for s in profile.sections]
    mapped = _with_values(mapped, values, profile)
    sections, skipped = [], []
    for s in mapped:
        if s.keep_if and all(f.index(s.columns[c]) is None for c in s.keep_if):
            # e.g. an export without the satisfaction columns: no surveys, not an error
            skipped.append(f"no {s.entity}: the file has no column "
                           + " / ".join(h for c in s.keep_if for h in s.columns[c].headers))
            continue
        f.require(s, profile)
        sections.append(s)
    given = date_order or profile.date_order
    given_by = "--date-order" if date_order else f"date_order of profile {profile.name}"
    dated = {}
    for s in sections:
        for c in ENTITIES[s.entity].columns:
            i = f.index(s.columns.get(c.name))
            if c.kind in (TIMESTAMP, DATE) and i is not None:
                dated[i] = c
    hist = profile.history
    tickets = next((s for s in sections if s.entity == "tickets"), None)
    key = f.index(tickets.columns.get("ticket_id")) if tickets is not None else None
    # Only an export read through a profile can be a history; a canonical file lists each
    # ticket once.
    upd = None if key is None or profile.canonical else f.update_column(hist, updated_map)
    if upd is not None:
        dated[upd] = None
    texts = {i: DateText(f.cells[i]) for i in dated}
    order, order_note = decide_order(
        f.name, {f.header[i]: (texts[i], f.numbers) for i in dated}, given, given_by
    )
    iso = {i: t.to_iso(order) for i, t in texts.items()}

    head = [f"read with profile {profile.name}" + (f" ({profile.title})" if profile.title else "")]
    if order_note:
        head.append(order_note)
    head += skipped
    positions = np.arange(f.n)
    events = None
    if key is not None and not profile.canonical:
        if upd is not None:
            positions, events, notes = _collapse(f, key, upd, iso[upd], hist)
        else:
            positions, notes = _last_rows(f, key, hist)
        head += notes

    built = []
    for s in sections:
        b = _section_table(f, s, positions, iso)
        b.notes[:0] = head
        built.append(b)
    if events is not None:
        events.notes[:0] = head[:1]
        built.append(events)
    return built


class _File:
    """A file's cells trimmed, null tokens emptied, empty rows dropped, headers looked up."""

    def __init__(self, raw, nulls):
        self.name = raw.file
        self.raw = raw
        self.header = [h.strip() or f"(column {i + 1})" for i, h in enumerate(raw.header)]
        original = [raw.body.column(i) for i in range(len(raw.header))]
        trimmed = [pc.utf8_trim_whitespace(c) for c in original]
        empty = np.column_stack(
            [pc.equal(t, "").to_numpy(zero_copy_only=False) for t in trimmed]
        ) if trimmed else np.ones((raw.body.num_rows, 0), bool)
        keep_col = [bool(h.strip()) or not empty[:, i].all() for i, h in enumerate(raw.header)]
        row_empty = empty[:, keep_col].all(axis=1) if any(keep_col) else np.ones(len(empty), bool)
        row_empty[list(raw.malformed)] = False
        rows = np.flatnonzero(~row_empty)
        self.n = len(rows)
        self.numbers = np.asarray(raw.row_numbers, np.int64)[rows]
        new_pos = np.cumsum(~row_empty) - 1
        self.malformed = {int(new_pos[p]): v for p, v in raw.malformed.items()}
        take = pa.array(rows) if len(rows) < len(row_empty) else None
        tokens = {normalize_name(t) for t in nulls}
        self.cells: dict[int, pd.Series] = {}
        for i, t in enumerate(trimmed):
            if not keep_col[i]:
                continue
            s = (t if take is None else t.take(take)).to_pandas().astype("str")
            blank = s.eq("")
            if tokens:
                blank |= s.str.lower().isin(tokens)
            self.cells[i] = s.mask(blank).reset_index(drop=True)
        keys = _json_keys(raw.header, keep_col)
        self.as_read = pa.table(
            [c if take is None else c.take(take) for i, c in enumerate(original) if keep_col[i]],
            names=[k for i, k in enumerate(keys) if keep_col[i]],
        )
        self.lookup: dict[str, int] = {}
        for i in self.cells:
            self.lookup.setdefault(normalize_name(raw.header[i]), i)

    def find(self, headers) -> int | None:
        """Position of the first of `headers` present in the file."""
        for h in headers:
            i = self.lookup.get(normalize_name(h))
            if i is not None:
                return i
        return None

    def update_column(self, hist, given: str | None) -> int | None:
        """Position of the update-time column: --map updated_at, the profile's [history]
        names, else the usual names of an update time (UPDATE_COLUMNS), loosely compared."""
        if given is not None:
            i = self.find((given,))
            if i is None:
                raise InputError(f"--map {UPDATED_AT}={given}: {self.name} has no column "
                                 f"{given!r} — found columns: "
                                 + ", ".join(self.header[i] for i in self.cells))
            return i
        names = hist.updated if hist else ()
        i = self.find(names)
        if i is not None:
            return i
        loose = {}
        for i in self.cells:
            loose.setdefault(loose_key(self.raw.header[i]), i)
        return next((loose[k] for k in map(loose_key, names + UPDATE_COLUMNS) if k in loose),
                    None)

    def index(self, source: Source | None) -> int | None:
        """Position of a Source's column, None for a constant or a column not in the file."""
        if source is None or source.const is not None:
            return None
        return self.find(source.headers)

    def require(self, section: Section, profile: Profile) -> None:
        """Refuse the file when a required canonical column has no source in it."""
        for c in ENTITIES[section.entity].columns:
            src = section.columns.get(c.name)
            if c.required and src is not None and src.const is None and self.index(src) is None:
                wanted = " or ".join(repr(h) for h in src.headers)
                found = ", ".join(self.header[i] for i in self.cells)
                raise InputError(
                    f"{self.name}: profile {profile.name} needs column {wanted} for "
                    f"{section.entity}.{column_label(c)} — found columns: {found}. "
                    f"If the file calls it otherwise, give --map {c.name}=COLUMN"
                )


def _with_maps(name: str, section: Section, maps, profile: Profile) -> Section:
    """The section with --map canonical=source overrides applied."""
    columns = dict(section.columns)
    known = {c.name for c in ENTITIES[section.entity].columns}
    for target, source in maps:
        entity, _, col = target.rpartition(".")
        if entity and entity != section.entity:
            continue
        if col not in known:
            if entity or not any(col in {c.name for c in ENTITIES[s.entity].columns}
                                 for s in profile.sections):
                raise InputError(
                    f"--map {target}={source}: no column {col!r} in "
                    + ", ".join(s.entity for s in profile.sections)
                )
            continue
        columns[col] = Source((source,))
    return Section(section.entity, columns, section.values, section.keep_if)


def value_option(target: str, source: str, canonical: str) -> str:
    """A --value option as the command line takes it."""
    return f'--value "{target}:{source}={canonical}"'


def _with_values(sections: list[Section], values, profile: Profile) -> list[Section]:
    """The sections with --value FIELD:SOURCE=CANONICAL added to their value maps."""
    tables = [{c: dict(v) for c, v in s.values.items()} for s in sections]
    for target, source, canonical in values:
        entity, _, col = target.rpartition(".")
        option = value_option(target, source, canonical)
        hits = [i for i, s in enumerate(sections)
                if (not entity or s.entity == entity) and col in s.columns]
        if not hits:
            where = entity or ", ".join(s.entity for s in sections)
            raise InputError(f"{option}: profile {profile.name} reads no column {col!r} "
                             f"in {where} — give --map {col}=COLUMN too if the file has it")
        for i in hits:
            column = ENTITIES[sections[i].entity].column(col)
            if canonical and not is_spelling(column, canonical):
                raise InputError(f"{option}: {canonical!r} is not a value of "
                                 f"{column_label(column)} — expected one of "
                                 f"{expected_values(column)}, or nothing for empty")
            if sections[i].columns[col].const is None:
                tables[i].setdefault(col, {})[loose_key(source)] = canonical
    return [Section(s.entity, s.columns, t, s.keep_if)
            for s, t in zip(sections, tables, strict=True)]


def unmapped_note(built: Built, column: str, counts: pd.Series, profile: Profile) -> str:
    """What a note says of values a descriptive column loaded as empty, and how to map them."""
    col = ENTITIES[built.entity].column(column)
    header = built.sources.get(column)
    label = column_label(col) + (f" [column {header}]" if header else "")
    shown = ", ".join(f"{v!r} ×{n}" for v, n in counts.head(10).items())
    if len(counts) > 10:
        shown += f" and {len(counts) - 10} more"
    same = sum(column in s.columns for s in profile.sections)
    target = column if built.entity == "tickets" or same < 2 else f"{built.entity}.{column}"
    first = str(counts.index[0])
    where = (profile.path.name if profile.path is not None and profile.name not in BUILTIN
             else f"a copy of etl/profiles/{profile.name}.toml")
    choices = expected_values(col, plain=True).rsplit(", ", 1)
    return (f"{label}: values not in the profile's map, loaded as empty: {shown} — map one "
            f"with {value_option(target, first, '…')} (… = {' or '.join(choices)}; nothing "
            f"for empty) or the line \"{first}\" = \"…\" under "
            f"[{built.entity}.values.{column}] in {where}")


def _update_map(maps, profile: Profile):
    """(the other --map pairs, the column given by --map updated_at=COLUMN or None)."""
    rest, given = [], None
    for target, source in maps:
        if target not in (UPDATED_AT, f"tickets.{UPDATED_AT}"):
            rest.append((target, source))
            continue
        if profile.canonical:
            raise InputError(
                f"--map {target}={source}: a tickets file in the canonical layout lists each "
                "ticket once (a repeated ticket_id is a rejected row); read a history export "
                "(one row per update) with its --profile"
            )
        if not any(s.entity == "tickets" for s in profile.sections):
            raise InputError(f"--map {target}={source}: profile {profile.name} makes no tickets")
        given = source
    return tuple(rest), given


def _groups(f: _File, key: int) -> pd.Series:
    """Each row's ticket number; a row without one stands alone (it is rejected later)."""
    return f.cells[key].fillna(pd.Series(np.arange(f.n), dtype="str").radd("\0row"))


def _last_rows(f: _File, key: int, hist):
    """Without an update time: the last row of each ticket in file order, and notes."""
    group = _groups(f, key)
    last = ~group.duplicated(keep="last").to_numpy()
    n, kept = f.n, int(last.sum())
    if kept == n:
        if hist is not None and hist.waiting and f.find(hist.status) is not None:
            return np.arange(n), [f"waiting time not read: {_no_update_column(hist)}"]
        return np.arange(n), []
    names = _no_update_column(hist)
    return np.flatnonzero(last), [
        f"{n} rows are updates of {kept} tickets, but {names}: each ticket is loaded from its "
        f"last row in the file ({n - kept} earlier rows folded in); if a column holds the time "
        f"of each update, give --map {UPDATED_AT}=COLUMN"
    ]


def _no_update_column(hist) -> str:
    own = f"{', '.join(hist.updated)}, " if hist is not None else ""
    return (f"the file has no update-time column ({own}or a usual name such as updated_at, "
            "last_update, 更新时间)")


def _collapse(f: _File, key: int, upd: int, at_iso: pd.Series, hist):
    """Latest row of each ticket; pause/resume events from waiting states; notes."""
    n = f.n
    at = timestamps(at_iso)
    keys = f.cells[key]
    frame = pd.DataFrame({"g": _groups(f, key), "at": at, "pos": np.arange(n)})
    # Equal update times keep the file's order: the later row is the later update.
    ordered = frame.sort_values(["g", "at", "pos"], na_position="first", kind="stable")
    latest = np.sort(ordered.drop_duplicates("g", keep="last")["pos"].to_numpy())
    notes = []
    if len(latest) < n:
        notes.append(f"{n} rows are updates of {len(latest)} tickets: each ticket is loaded "
                     f"from its latest update (by column {f.header[upd]}); "
                     f"{n - len(latest)} earlier rows folded in")
    unplaced = int(at.isna().sum())
    if unplaced:
        notes.append(f"{unplaced} rows have no readable {f.header[upd]}: ordered first")
    status = f.find(hist.status) if hist is not None else None
    if status is None or not hist.waiting:
        return latest, None, notes
    waiting = pa.array(sorted({loose_key(w) for w in hist.waiting}), pa.large_string())
    state = f.cells[status]
    w = pc.is_in(loose_keys(pa.array(state, pa.large_string(), from_pandas=True)), waiting)
    w = pc.fill_null(w, False).to_numpy(zero_copy_only=False)[ordered["pos"].to_numpy()]
    g = ordered["g"].to_numpy()
    same = np.r_[False, g[1:] == g[:-1]]
    prev = np.r_[False, w[:-1]] & same
    placed = ordered["at"].notna().to_numpy() & keys.notna().to_numpy()[ordered["pos"].to_numpy()]
    pause = w & ~prev & placed
    resume = ~w & prev & placed
    pick = np.flatnonzero(pause | resume)
    if not len(pick):
        return latest, None, notes
    pos = ordered["pos"].to_numpy()[pick]
    kind = np.where(pause[pick], "pause", "resume")
    ev = pd.DataFrame({"g": g[pick], "at": ordered["at"].to_numpy()[pick], "kind": kind})
    nxt = ev.groupby("g")["at"].shift(-1)
    closed = (ev["kind"] == "pause") & nxt.notna()
    minutes = ((nxt - ev["at"]).dt.total_seconds() / 60)[closed].sum()
    still = int(((ev["kind"] == "pause") & nxt.isna()).sum())
    pause_note = (
        f"time in waiting states ({', '.join(hist.waiting)}) as pause/resume events, from the "
        f"status (column {f.header[status]}) at each update (column {f.header[upd]}): "
        f"{int(pause[pick].sum())} pause(s), {minutes:.0f} minutes paused in total"
        + (f"; still waiting at their latest update: {still} ticket(s)" if still else "")
    )
    frame = pd.DataFrame({
        "ticket_id": keys.iloc[pos].to_numpy(),
        "at": at_iso.iloc[pos].to_numpy(),
        "event": kind,
        "note": ("status: " + state.iloc[pos].fillna("")).to_numpy(),
    }).astype("str")
    table = RawTable(f.name, "ticket_events", f.raw.encoding, f.raw.sheet, frame,
                     f.numbers[pos], [], f.as_read.take(pa.array(pos)), {})
    mapping = {"ticket_id": f.header[key], "at": f.header[upd], "event": f.header[status]}
    events = Built("ticket_events", table, [pause_note], mapping, dict(mapping))
    return latest, events, notes


def _section_table(f: _File, s: Section, positions: np.ndarray, iso) -> Built:
    """One section's canonical text frame over the given rows of the file."""
    entity = ENTITIES[s.entity]
    n = len(positions)
    take = pa.array(positions, pa.int64())
    frame, mapping, sources, absent = {}, {}, {}, []
    for c in entity.columns:
        src = s.columns.get(c.name)
        i = f.index(src)
        if src is not None and src.const is not None:
            values = pa.repeat(pa.scalar(src.const, pa.large_string()), n)
            mapping[c.name] = f"= {src.const}"
        elif i is not None:
            column = iso[i] if i in iso else f.cells[i]
            values = pa.array(column, pa.large_string(), from_pandas=True).take(take)
            mapping[c.name] = sources[c.name] = f.header[i]
        else:
            if src is not None:
                absent.append(f"{c.name} ({' / '.join(src.headers)})")
            values = pa.nulls(n, pa.large_string())
        if c.name in s.values:
            values = _map_values(values, s.values[c.name])
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
        frame[c.name] = values.to_pandas().astype("str")
    df = pd.DataFrame(frame, index=pd.RangeIndex(n))
    notes = []
    if absent:
        notes.append("columns of the profile not in the file, left empty: " + ", ".join(absent))
    if s.keep_if:
        keep = df[list(s.keep_if)].notna().any(axis=1).to_numpy()
        if not keep.all():
            notes.append(f"{int((~keep).sum())} rows have no {' / '.join(s.keep_if)}: "
                         f"no {s.entity} row made of them")
        df = df[keep].reset_index(drop=True)
        positions = positions[keep]
    # positions are in file order, so a malformed row's new place is found by bisection
    at = {p: int(np.searchsorted(positions, p)) for p in f.malformed}
    malformed = {k: f.malformed[p] for p, k in at.items()
                 if k < len(positions) and positions[k] == p}
    table = RawTable(f.name, s.entity, f.raw.encoding, f.raw.sheet, df, f.numbers[positions],
                     [], f.as_read.take(pa.array(positions, pa.int64())), malformed)
    return Built(s.entity, table, notes, mapping, sources)


def _map_values(values: pa.Array, table: dict[str, str]) -> pa.Array:
    """Source values → canonical by the profile's map; "*" catches any other non-empty value.

    Compared as loose_key: "Self service" finds the map's "self-service".
    """
    key = loose_keys(values)
    sources = [k for k in table if k != "*"]
    found = pc.index_in(key, value_set=pa.array(sources, pa.large_string()))
    mapped = pa.array([table[k] for k in sources], pa.large_string()).take(found)
    other = table.get("*")
    if other is not None:
        fallback = pc.if_else(pc.is_valid(values), pa.scalar(other, pa.large_string()), values)
        return pc.coalesce(mapped, fallback)
    return pc.coalesce(mapped, values)
