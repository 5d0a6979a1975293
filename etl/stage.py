"""One input file read and checked before anything is written: for the load and the preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from service_quality.schema import ENTITIES

from .coerce import coerce
from .readers import RawTable, read_table


@dataclass(frozen=True)
class ImportOptions:
    """How to read files that are not in the canonical layout (issue 7: profiles and overrides)."""

    profile: str | None = None  # a built-in profile name or a path to a user's profile TOML
    maps: tuple[tuple[str, str], ...] = ()  # --map canonical=source_column, in order given
    nulls: tuple[str, ...] = ()  # --null TOKEN: extra null markers
    date_order: str | None = None  # "dmy", "mdy" or "ymd"; None = decided by the data or refused


@dataclass
class StagedFile:
    """One entity table from one input file: as read, the rows that will load, the rejections."""

    path: Path
    table: RawTable
    good: pd.DataFrame  # typed by the contract, the rows that will be loaded
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
               options: ImportOptions | None = None) -> list[StagedFile]:
    """Read and check one file; one StagedFile per entity it yields. Raises InputError."""
    table = read_table(path, entity)
    good, rejected = coerce(table, ENTITIES[table.entity])
    return [StagedFile(Path(path), table, good, rejected)]
