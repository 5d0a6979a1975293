"""What keeps the load's and the app's memory bounded: DuckDB's caps and where it spills."""

import duckdb

from etl.load import MEMORY_LIMIT, _open_copy
from etl.swap import clean_leftovers, discard, spill_path, tmp_path
from service_quality.database import READ_CONFIG, Database


def setting(con, name: str) -> str:
    return con.execute("SELECT current_setting(?)", [name]).fetchall()[0][0]


def mib(text: str) -> float:
    """DuckDB's way of showing a size ("488.2 MiB", "1.0 GiB") in MiB."""
    number, unit = text.split()
    return float(number) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def test_the_app_caps_duckdbs_memory_per_attached_file(fixture_db):
    db = Database(fixture_db)
    try:
        limit = mib(setting(db._con, "memory_limit"))
        spill = setting(db._con, "temp_directory")
    finally:
        db.close()
    assert 400 <= limit <= 512   # without a cap DuckDB takes up to 80 % of the machine's memory
    assert spill == READ_CONFIG["temp_directory"]


def test_a_load_caps_duckdbs_memory_and_spills_beside_its_copy(tmp_path):
    db = tmp_path / "service.duckdb"
    tmp = tmp_path / tmp_path_name(db)
    con = _open_copy(tmp, db)
    try:
        assert mib(setting(con, "memory_limit")) == mib(duckdb_size(MEMORY_LIMIT))
        assert setting(con, "temp_directory") == str(spill_path(tmp))
    finally:
        con.close()
        discard(tmp)
    assert list(tmp_path.iterdir()) == []


def test_the_next_load_removes_a_killed_loads_spill_folder(tmp_path):
    db = tmp_path / "service.duckdb"
    spill = tmp_path / f".{db.name}.999999999.20261201-120000-abcdef.spill.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"x" * 100)
    removed = clean_leftovers(db, lambda msg: None)
    assert removed == [spill] and not spill.exists()


def tmp_path_name(db):
    return tmp_path(db, "20261201-120000-abcdef").name


def duckdb_size(text: str) -> str:
    """MEMORY_LIMIT as DuckDB shows it."""
    con = duckdb.connect(config={"memory_limit": text})
    try:
        return setting(con, "memory_limit")
    finally:
        con.close()
