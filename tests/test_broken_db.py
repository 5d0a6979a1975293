"""Broken and older database files: the app explains and names the fix; the load migrates."""

import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load
from service_quality import migrations
from service_quality.database import SCHEMA_VERSION, Database, DatabaseUnusable, StaleVersion
from service_quality.settings import load_settings
from tests.support.browser import need_browser, serve, shot, wait_idle

ROOT = Path(__file__).resolve().parent.parent


def _cut(db: Path, keep: int) -> None:
    data = db.read_bytes()
    db.write_bytes(data[:keep if keep > 0 else len(data) + keep])


# ticket_sla as files of schema 7 and older have it: a table (now a view of ticket_facts).
TABLE_SLA = ("CREATE TABLE sla_kept AS SELECT * FROM ticket_sla", "DROP VIEW ticket_sla",
             "ALTER TABLE sla_kept RENAME TO ticket_sla")


def _set_version(db: Path, version: str | None, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for statement in statements:
            con.execute(statement)
        if version is None:
            con.execute("DELETE FROM load_info WHERE key = 'schema_version'")
        else:
            con.execute("UPDATE load_info SET value = ? WHERE key = 'schema_version'", [version])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _foreign(db: Path) -> None:
    db.unlink()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE notes AS SELECT 1 AS n")
    con.close()


# name → how to break a copy of the fixture database, and what the app must say.
BREAKAGES = {
    "cut_short": (lambda db: _cut(db, -300_000), "无法读取数据库文件"),
    "cut_in_half": (lambda db: _cut(db, db.stat().st_size // 2), "无法读取数据库文件"),
    "header_only": (lambda db: _cut(db, 5000), "无法读取数据库文件"),
    "not_duckdb": (lambda db: db.write_text("工单号,报障时间\nT1,2025-10-09\n"),
                   "无法读取数据库文件"),
    "empty": (lambda db: db.write_bytes(b""), "无法读取数据库文件"),
    "foreign_duckdb": (_foreign, "not a database this project wrote"),
    "older_schema": (lambda db: _set_version(db, "0"), "由本项目的旧版本建立（结构版本 0"),
    "no_version": (lambda db: _set_version(db, None), "由本项目的旧版本建立（结构版本 0"),
    "newer_schema": (lambda db: _set_version(db, str(SCHEMA_VERSION + 1)), "更新版本"),
}


@pytest.fixture
def copy_db(fixture_db, tmp_path) -> Path:
    """A private copy of the fixture database, to break."""
    db = tmp_path / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    return db


@pytest.mark.parametrize("kind", BREAKAGES)
def test_the_app_explains_a_broken_database_without_a_traceback(kind, copy_db, monkeypatch):
    breaker, expected = BREAKAGES[kind]
    breaker(copy_db)
    monkeypatch.setenv("DASHBOARD_DB", str(copy_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and expected in errors[0].replace("\\", ""), errors
    assert not at.metric   # nothing of a page was drawn from the file
    if kind != "newer_schema":
        commands = at.code[0].value
        assert f"python -m etl load 导出文件夹 --db {copy_db}" in commands
        assert f"python -m etl load data/sample --db {copy_db}" in commands
        assert (f"mv {copy_db} {copy_db}.broken" in commands) == ("schema" not in kind
                                                                   and kind != "no_version")


def test_the_message_is_english_with_lang_en(copy_db, monkeypatch):
    _cut(copy_db, -300_000)
    monkeypatch.setenv("DASHBOARD_DB", str(copy_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert "cannot be read" in at.error[0].value
    assert "EXPORT_FOLDER" in at.code[0].value


@pytest.mark.parametrize("kind", ["cut_short", "not_duckdb", "empty", "foreign_duckdb",
                                  "newer_schema"])
def test_the_load_refuses_a_broken_database_and_leaves_it(kind, copy_db, sample_dir):
    BREAKAGES[kind][0](copy_db)
    before = copy_db.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(sample_dir), "--db",
                           str(copy_db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"error: {copy_db}: " in proc.stderr
    assert "Nothing was loaded; the database is unchanged." in proc.stderr
    if kind == "newer_schema":
        assert "newer version of this project" in proc.stderr
    elif kind == "foreign_duckdb":
        assert "not one this project wrote" in proc.stderr
    else:
        assert "not a database this project can read" in proc.stderr
        assert f"mv {copy_db} {copy_db}.broken" in proc.stderr
    assert copy_db.read_bytes() == before
    assert sorted(p.name for p in copy_db.parent.iterdir()) == [copy_db.name]


def _make_older(db: Path) -> None:
    """Rewrite DB as an earlier project version would have left it: a column and a table
    missing, a derived table of the old layout, schema version 0."""
    _set_version(db, "0", *TABLE_SLA,
                 "ALTER TABLE tickets DROP COLUMN device",
                 "ALTER TABLE surveys DROP COLUMN comment",
                 "DROP TABLE calendar",
                 "DROP TABLE ticket_facts",
                 "ALTER TABLE ticket_sla DROP COLUMN arrival_status")


def _one(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def test_an_older_database_is_rebuilt_by_name_on_load(copy_db, sample_dir, monkeypatch):
    _make_older(copy_db)
    tickets = _one(copy_db, "SELECT count(*) FROM tickets")
    batches = _one(copy_db, "SELECT count(*) FROM load_batches")
    with pytest.raises(DatabaseUnusable) as refused:
        Database(copy_db)
    assert (refused.value.kind, refused.value.found) == ("schema", 0)

    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(sample_dir), "--db",
                           str(copy_db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"migrated from schema 0 to {SCHEMA_VERSION}" in proc.stderr
    # The input rows were kept, the missing columns are back and filled by this load, the
    # derived tables are recomputed and the file is now of this version.
    assert _one(copy_db, "SELECT count(*) FROM tickets") == tickets
    assert _one(copy_db, "SELECT count(*) FROM tickets WHERE device IS NOT NULL") > 0
    assert _one(copy_db, "SELECT count(*) FROM load_batches") > batches
    assert _one(copy_db, "SELECT count(*) FROM ticket_facts") == tickets
    assert _one(copy_db, "SELECT count(arrival_status) FROM ticket_sla") == tickets
    assert _one(copy_db, "SELECT value FROM load_info WHERE key = 'schema_version'") == str(
        SCHEMA_VERSION)
    monkeypatch.setenv("DASHBOARD_DB", str(copy_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.metric


def test_registered_migration_steps_are_applied(copy_db, sample_dir, monkeypatch):
    _make_older(copy_db)
    monkeypatch.setitem(migrations.MIGRATIONS, 0, [
        "ALTER TABLE tickets ADD COLUMN device VARCHAR",
        "UPDATE tickets SET device = 'from the migration'",
        "ALTER TABLE surveys ADD COLUMN comment VARCHAR",
        "CREATE TABLE calendar (date DATE, kind VARCHAR, note VARCHAR)",
    ])
    # Versions 1 and 2 changed derived tables only (no steps); 3 → 4 adds report_emails.
    messages = []
    load([sample_dir / "customers.xlsx"], copy_db, load_settings(), progress=messages.append)
    assert f"migrated from schema 0 to {SCHEMA_VERSION} by its migration steps" in messages
    # The steps ran (the rows this load did not touch keep the migration's value).
    assert _one(copy_db, "SELECT count(*) FROM tickets WHERE device = 'from the migration'") > 0


def test_a_version_3_file_is_migrated_by_the_next_load(copy_db, sample_dir):
    """Issue 11 changed derived tables only: a file of version 3 (no recurrence_due_at) is
    migrated by its registered step, and any load recomputes the derived tables."""
    _set_version(copy_db, "3", *TABLE_SLA, "ALTER TABLE ticket_sla DROP COLUMN recurrence_due_at",
                 "UPDATE ticket_monthly SET severity = 'unknown' WHERE severity = 'not_fault'")
    with pytest.raises(DatabaseUnusable) as refused:
        Database(copy_db)
    assert refused.value.found == 3
    messages = []
    load([sample_dir / "customers.xlsx"], copy_db, load_settings(), progress=messages.append)
    assert f"migrated from schema 3 to {SCHEMA_VERSION} by its migration steps" in messages
    assert _one(copy_db, "SELECT count(recurrence_due_at) FROM ticket_sla") > 0
    assert _one(copy_db, "SELECT count(*) FROM ticket_monthly WHERE severity = 'not_fault'") > 0
    Database(copy_db).close()


def test_schema_4_gains_report_emails_by_its_step(copy_db, sample_dir):
    _set_version(copy_db, "4", "ALTER TABLE customers DROP COLUMN report_emails")
    customers = _one(copy_db, "SELECT count(*) FROM customers")
    messages = []
    load([sample_dir / "engineers.xlsx"], copy_db, load_settings(), progress=messages.append)
    assert f"migrated from schema 4 to {SCHEMA_VERSION} by its migration steps" in messages
    # The rows are kept; the new column is there, empty until the customers file is loaded.
    assert _one(copy_db, "SELECT count(*) FROM customers") == customers
    assert _one(copy_db, "SELECT count(report_emails) FROM customers") == 0
    load([sample_dir / "customers.xlsx"], copy_db, load_settings())
    assert _one(copy_db, "SELECT report_emails FROM customers WHERE customer_id = 'C001'") \
        == "xinxike@example.com; zhiliang.c001@example.com"


def test_a_version_5_file_is_migrated_by_the_next_load(copy_db, sample_dir):
    """Issue 13 added derived tables and columns only (customer_terms, the limits beside the
    statuses): a version-5 file, with its copy of the settings in load_info, is migrated by its
    registered step and the load writes the terms table and drops the copy."""
    _set_version(copy_db, "5", *TABLE_SLA, "DROP TABLE customer_terms",
                 "ALTER TABLE ticket_sla DROP COLUMN response_limit_minutes",
                 "ALTER TABLE complaint_sla DROP COLUMN first_reply_limit_hours",
                 "INSERT INTO load_info VALUES ('settings', '{\"report_due_hours\": 72}')")
    with pytest.raises(DatabaseUnusable) as refused:
        Database(copy_db)
    assert refused.value.found == 5
    messages = []
    load([sample_dir / "customers.xlsx"], copy_db, load_settings(), progress=messages.append)
    assert f"migrated from schema 5 to {SCHEMA_VERSION} by its migration steps" in messages
    assert _one(copy_db, "SELECT count(*) FROM customer_terms WHERE in_data") > 1
    assert _one(copy_db, "SELECT min(response_limit_minutes) FROM ticket_sla") == 15
    assert _one(copy_db, "SELECT count(*) FROM load_info WHERE key = 'settings'") == 0
    Database(copy_db).close()


def test_the_app_reads_the_file_again_after_a_rebuild(copy_db, sample_dir, monkeypatch):
    """After the message, the printed command really fixes it and the next run shows pages."""
    _cut(copy_db, -300_000)
    monkeypatch.setenv("DASHBOARD_DB", str(copy_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert at.error and not at.exception
    os.replace(copy_db, copy_db.with_name(copy_db.name + ".broken"))
    load([sample_dir], copy_db, load_settings())
    at.run()
    assert not at.exception and not at.error
    assert at.metric


@pytest.mark.browser
def test_a_truncated_database_in_chromium_shows_the_message_and_the_command(
        fixture_db, tmp_path, browser):
    need_browser()
    db = tmp_path / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    _cut(db, -300_000)
    for url in serve(ROOT, db):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.get_by_text("无法读取数据库文件").wait_for(timeout=60_000)
        wait_idle(page)
        shot(page, "broken_db_message")
        body = page.locator("body").inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        assert "Traceback" not in body
        assert page.locator("[data-testid='stAlertContentError']").count() == 1
        assert f"mv {db} {db}.broken" in page.locator("[data-testid='stCode']").inner_text()
        page.close()


def _as_of(d: Database) -> str:
    return d.query("SELECT value FROM load_info WHERE key = 'as_of'").iloc[0, 0]


def test_each_connection_keeps_the_file_it_opened(copy_db, sample_dir):
    old = Database(copy_db)
    load([sample_dir], copy_db, load_settings(), as_of=datetime(2031, 1, 1, 9, 0))
    # While the old connection lives, a new one still reaches the new file (one DuckDB
    # instance per path would hand back the old file), and the old one keeps its own.
    new = Database(copy_db)
    try:
        assert _as_of(new) == "2031-01-01 09:00:00"
        assert _as_of(old) != "2031-01-01 09:00:00"
        assert new.version != old.version
        with pytest.raises(StaleVersion):
            Database(copy_db, expect=old.version)
    finally:
        old.close()
        new.close()


def test_an_open_session_shows_the_next_load_on_its_next_run(copy_db, sample_dir, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(copy_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception and "2031-01-01" not in at.caption[0].value
    load([sample_dir], copy_db, load_settings(), as_of=datetime(2031, 1, 1, 9, 0))
    at.run()
    assert not at.exception and not at.error
    assert "2031-01-01 09:00" in at.caption[0].value


def test_a_connection_opened_during_swaps_reports_the_file_it_holds(copy_db, sample_dir,
                                                                    tmp_path):
    """Files renamed over the path while connections open: each Database's version is the file
    it actually reads (stat before and after the attach), never a neighbour's."""
    other = tmp_path / "other" / "service.duckdb"
    other.parent.mkdir()
    shutil.copyfile(copy_db, other)
    load([sample_dir], other, load_settings(), as_of=datetime(2031, 1, 1, 9, 0))
    sources = {}
    for path in (copy_db, other):
        d = Database(path)
        sources[path] = (path.read_bytes(), _as_of(d))
        d.close()
    st = copy_db.stat()
    contents = {(st.st_ino, st.st_mtime_ns, st.st_size): sources[copy_db][1]}
    stop = threading.Event()
    # One swap per attempt to open, made while that open runs: opens and swaps interleave the
    # same way however fast the machine (a swap every 20 ms outran every open on a slow one).
    opening = threading.Event()
    swaps = []

    def swap():
        while not stop.is_set():
            if not opening.wait(timeout=0.1):
                continue
            opening.clear()
            n = len(swaps)
            data, as_of = sources[(copy_db, other)[n % 2]]
            tmp = copy_db.with_name(f".swap{n}.tmp")
            tmp.write_bytes(data)
            st = tmp.stat()
            contents[(st.st_ino, st.st_mtime_ns, st.st_size)] = as_of
            os.replace(tmp, copy_db)
            swaps.append(n)

    swapper = threading.Thread(target=swap)
    swapper.start()
    opened = 0
    try:
        deadline = time.monotonic() + 300   # generous: only a hang runs into it
        while (opened < 20 or len(swaps) < 20) and time.monotonic() < deadline:
            opening.set()
            try:
                d = Database(copy_db)
            except StaleVersion:
                continue   # the file kept changing for ten tries in a row
            v = d.version
            assert _as_of(d) == contents[(v.inode, v.mtime_ns, v.size)]
            d.close()
            opened += 1
    finally:
        stop.set()
        swapper.join()
    assert opened >= 20 and len(swaps) >= 20, (opened, len(swaps))
