"""One input file read and checked before anything is written: for the load and the preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa

from service_quality.schema import DESCRIPTIVE, ENTITIES, ENTITY_ALIASES

from . import readers
from .coerce import SeenKeys, coerce
from .readers import (
    ChunkedReadUnsafe,
    InputError,
    RawTable,
    column_label,
    entity_for,
    normalize_name,
    read_csv_chunks,
    read_table,
)


@dataclass(frozen=True)
class ImportOptions:
    """How to read files that are not in the canonical layout (issue 7: profiles and overrides)."""

    profile: str | None = None  # a built-in profile name or a path to a user's profile TOML
    maps: tuple[tuple[str, str], ...] = ()  # --map canonical=source_column, in order given
    nulls: tuple[str, ...] = ()  # --null TOKEN: extra null markers
    date_order: str | None = None  # "dmy", "mdy" or "ymd"; None = decided by the data or refused
    # --value FIELD:SOURCE=CANONICAL: (field, source value, canonical value), added to value maps
    values: tuple[tuple[str, str, str], ...] = ()


class RowSink(Protocol):
    """Where stage_for_load puts each file's good rows as they are judged (the load's copy)."""

    def begin(self) -> None:
        """A file starts."""

    def write(self, entity: str, table: pa.Table) -> None:
        """Good rows of ENTITY, in file order, typed by the contract."""

    def rollback(self) -> None:
        """Forget what this file wrote (it is read again whole)."""


@dataclass
class StagedFile:
    """One entity table from one input file: as read, the rows that will load, the rejections."""

    path: Path
    table: RawTable
    good: pd.DataFrame | pa.Table  # typed by the contract, the rows that will be loaded
    rejected: pd.DataFrame  # row_number, reason, raw
    # What a person should know about how the file was read (profile used, date order chosen…).
    notes: list[str] = field(default_factory=list)
    # canonical column → source column, for the preview's mapping table
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def entity(self) -> str:
        """The canonical entity these rows are."""
        return self.table.entity


def stage_file(path: Path, entity: str | None = None,
               options: ImportOptions | None = None, arrow: bool = False) -> list[StagedFile]:
    """Read and check one file; one StagedFile per entity it yields. Raises InputError.

    arrow=True: `good` is an Arrow table (what the load hands to DuckDB) instead of a DataFrame.
    """
    if options is None or options == ImportOptions():
        table = read_table(path, entity)
        good, rejected = coerce(table, ENTITIES[table.entity], arrow=arrow)
        return [StagedFile(Path(path), table, good, rejected)]
    return _stage_with_profile(Path(path), entity, options, arrow)


def _stage_with_profile(path: Path, entity: str | None, options: ImportOptions, arrow: bool):
    """A file read through an import profile (or the canonical layout with overrides)."""
    from .profiles import canonical_profile, load_profile
    from .profiles.apply import build, unmapped_note

    if options.profile:
        profile = load_profile(options.profile)
    else:
        entity = entity or entity_for(path)
        if entity is None:
            raise InputError(f"{path.name}: cannot tell which table this file holds — name it "
                             "after one (tickets.csv, 工单.xlsx, …) or give --profile")
        profile = canonical_profile(entity)
    # An export's descriptive columns never cost a record; a canonical file keeps DESIGN §3.
    lenient = {} if profile.canonical else DESCRIPTIVE
    staged = []
    for b in build(path, profile, options.maps, options.nulls, options.date_order,
                   options.values):
        unmapped: dict[str, pd.Series] = {}
        good, rejected = coerce(b.table, ENTITIES[b.entity], arrow=arrow,
                                lenient=lenient.get(b.entity, ()), unmapped=unmapped)
        if len(rejected) and b.sources:
            rejected["reason"] = _name_sources(rejected["reason"], b)
        notes = b.notes + [unmapped_note(b, col, counts, profile)
                           for col, counts in unmapped.items()]
        staged.append(StagedFile(path, b.table, good, rejected, notes, b.mapping))
    return staged


def _name_sources(reasons: pd.Series, built) -> pd.Series:
    """Reasons naming the file's own column too: `reported_at (报障时间) [column Opened]`."""
    entity = ENTITIES[built.entity]
    out = reasons.astype("str")
    for name, header in built.sources.items():
        col = entity.column(name)
        if normalize_name(header) in {normalize_name(n) for n in (name, *col.zh)}:
            continue  # the file already uses our name for it
        label = column_label(col)
        out = out.str.replace(label, f"{label} [column {header}]", regex=False)
    return out.astype(object)


def stage_for_load(path: Path, entity: str | None, options: ImportOptions | None,
                   sink: RowSink) -> list[StagedFile]:
    """stage_file(arrow=True) for the load: the good rows go to SINK, `good` is left None.

    A CSV in the canonical layout larger than readers.CHUNK_BYTES is read and checked a chunk
    at a time, each chunk's rows handed over before the next is read, so the memory needed does
    not grow with the file: the same rows, rejections and messages as a whole-file read (which
    a chunk that meets anything unusual falls back to).
    """
    path = Path(path)
    canonical = options is None or options == ImportOptions()
    sink.begin()
    if canonical and path.suffix.lower() == ".csv":
        name = ENTITY_ALIASES.get(entity, entity) if entity else entity_for(path)
        try:
            large = path.stat().st_size > readers.CHUNK_BYTES
        except OSError:
            large = False  # read_table says why it cannot be opened
        if name in ENTITIES and large:
            try:
                return [_stage_chunks(path, name, sink)]
            except ChunkedReadUnsafe:
                sink.rollback()
                sink.begin()
    files = stage_file(path, entity, options, arrow=True)
    for st in files:
        sink.write(st.entity, st.good)
        st.good = None
    return files


def _stage_chunks(path: Path, entity: str, sink: RowSink) -> StagedFile:
    """One canonical CSV staged a chunk at a time (readers.read_csv_chunks)."""
    seen = SeenKeys()
    rejected = []
    first = None
    try:
        for table in read_csv_chunks(path, entity):
            good, bad = coerce(table, ENTITIES[entity], arrow=True, seen=seen)
            sink.write(entity, good)
            rejected.append(bad)
            table.release_rows()
            if first is None:
                first = table
            del good, table
            # Arrow's allocator keeps freed memory for reuse; the next chunk starts low.
            pa.default_memory_pool().release_unused()
    finally:
        seen.close()
    return StagedFile(path, first, None, pd.concat(rejected, ignore_index=True))

