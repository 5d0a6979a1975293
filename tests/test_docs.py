"""The documentation names every column, relation and setting the code defines."""

import re
import tomllib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from service_quality.calendar import build_calendar, parse_windows
from service_quality.database import FIXED_DDL
from service_quality.schema import ENTITIES, ENUMS, RELATIONS, STATUSES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def doc(name: str) -> str:
    """The text of docs/NAME."""
    return (DOCS / name).read_text(encoding="utf-8")


def missing(text: str, names) -> list[str]:
    """Names not written as `code` in `text`."""
    return [n for n in names if f"`{n}`" not in text]


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=list(ENTITIES))
def test_input_contract_names_every_column_and_its_chinese_header(entity):
    text = doc("input-contract.md")
    assert f"### {entity.name} — {entity.zh}" in text
    assert missing(text, entity.column_names) == []
    assert [c.zh[0] for c in entity.columns if c.zh[0] not in text] == []


@pytest.mark.parametrize("enum", ENUMS, ids=list(ENUMS))
def test_input_contract_lists_every_enum_spelling(enum):
    text = doc("input-contract.md")
    assert missing(text, ENUMS[enum]) == []
    spellings = [s for spellings in ENUMS[enum].values() for s in spellings]
    assert [s for s in spellings if s not in text] == []


@pytest.mark.parametrize("relation", RELATIONS, ids=list(RELATIONS))
def test_database_doc_describes_every_relation_column(relation):
    text = doc("database.md")
    assert f"### {relation} " in text
    assert missing(text, RELATIONS[relation]) == []


def test_database_doc_describes_the_bookkeeping_tables_and_statuses():
    text = doc("database.md")
    con = duckdb.connect()
    try:
        for name, ddl in FIXED_DDL.items():
            con.execute(ddl)
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()]
            assert f"### {name} " in text
            assert missing(text, columns) == [], name
    finally:
        con.close()
    calendar = build_calendar(date(2025, 1, 1), date(2025, 1, 2), parse_windows(["08:30-17:30"]))
    assert missing(text, calendar.days.columns) == []
    assert missing(text, STATUSES) == []
    assert "met / (met + breached + no_record)" in text


def test_settings_doc_has_a_section_for_every_setting():
    text = doc("settings.md")
    raw = tomllib.loads((ROOT / "settings.toml").read_text(encoding="utf-8"))
    keys = [key for section in raw.values() for key in section]
    assert keys, "settings.toml has no settings"
    assert [k for k in keys if not re.search(rf"^### {k}$", text, re.M)] == []
    assert [s for s in raw if f"## [{s}]" not in text] == []


def test_import_profiles_doc_lists_the_descriptive_and_update_time_columns():
    from etl.profiles import UPDATE_COLUMNS
    from service_quality.schema import DESCRIPTIVE

    text = doc("import-profiles.md")
    for entity, columns in DESCRIPTIVE.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {entity} |"))
        assert missing(row, columns) == [], entity
    assert missing(text, UPDATE_COLUMNS) == []
