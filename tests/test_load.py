"""`python -m etl load` on tiny files: exact rows and messages, nothing lost or half-done."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from etl.cli import main
from service_quality.schema import RELATIONS

ROOT = Path(__file__).resolve().parent.parent

TICKETS = """工单号,客户编号,报障时间,报障方式,服务方式,到场时间,解决时间,故障级别,错误占比
T1,C001,2025-09-28 10:00,电话,现场,2025-09-28 11:30,2025-09-28 15:00,一般,12%
T2,C001,2025-10-01 10:00,电话,现场,2025-10-01 11:30,2025-10-01 15:00,严重,
T3,C002,2025-10-09 17:29,邮件,现场,2025-10-09 18:20,,一般,5%
T4,C002,2025-10-09 10:00,电话,现场,2025-10-09 09:00,,一般,
T5,C002,2025-10-09 10:00,电话,远程,,,紧急,
T1,C009,2025-10-10 10:00,电话,远程,,,一般,
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` and return the path."""
    path.write_bytes(text.encode(encoding))
    return path


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    """All rows of a query on a database file, read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def run(*args) -> int:
    """Run the CLI in-process."""
    return main([str(a) for a in args])


@pytest.fixture
def inputs(tmp_path):
    """A folder with a tiny tickets file (four good rows, three bad) and its export moment."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "tickets.csv", TICKETS)
    (folder / "export_info.json").write_text(json.dumps({"extracted_at": "2025-10-20 12:00"}))
    return folder


def test_load_keeps_good_rows_and_rejects_bad_ones(inputs, tmp_path, capsys):
    db = tmp_path / "service.duckdb"
    assert run("load", inputs, "--db", db) == 0
    assert rows(db, "SELECT ticket_id, customer_id, service_mode, reported_severity, error_ratio "
                    "FROM tickets ORDER BY ticket_id") == [
        ("T1", "C001", "onsite", "general", 0.12),
        ("T2", "C001", "onsite", "severe", None),
        ("T3", "C002", "onsite", "general", 0.05),
    ]
    rejected = rows(db, "SELECT row_number, reason FROM rejected_rows ORDER BY row_number")
    assert [r[0] for r in rejected] == [5, 6, 7]
    assert "arrived_at (到场时间) 2025-10-09 09:00:00 is before reported_at" in rejected[0][1]
    assert "reported_severity (故障级别): unknown value '紧急'" in rejected[1][1]
    assert rejected[2][1] == "duplicate ticket_id T1 (first at row 2)"
    raw = json.loads(rows(db, "SELECT raw FROM rejected_rows WHERE row_number = 6")[0][0])
    assert raw["故障级别"] == "紧急" and raw["工单号"] == "T5"
    batch = rows(db, "SELECT entity, rows_read, rows_loaded, rows_rejected, as_of "
                     "FROM load_batches")
    assert [b[:4] for b in batch] == [("tickets", 6, 3, 3)]
    assert str(batch[0][4]) == "2025-10-20 12:00:00"   # judged at the export's moment
    out = capsys.readouterr().out
    assert "judged as of 2025-10-20 12:00 (export_info.json)" in out
    assert "3 rows were rejected" in out


def test_rules_are_computed_on_load(inputs, tmp_path):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    got = rows(db, "SELECT ticket_id, arrival_limit_minutes, arrival_minutes, arrival_status, "
                   "rule_severity, severity_check FROM ticket_sla ORDER BY ticket_id")
    assert got == [
        ("T1", 60.0, 90.0, "breached", "severe", "under_classified"),   # make-up working Sunday
        ("T2", 120.0, 90.0, "met", "unknown", "unverifiable"),          # National Day
        ("T3", 60.0, 51.0, "met", "general", "consistent"),
    ]


def test_relations_have_exactly_the_design_columns(inputs, tmp_path):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    for name, columns in RELATIONS.items():
        got = rows(db, "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                       "ORDER BY ordinal_position", [name])
        assert tuple(c[0] for c in got) == columns


def test_loading_twice_leaves_the_same_data(inputs, tmp_path):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    first = {t: rows(db, f"SELECT * FROM {t} ORDER BY ALL") for t in   # noqa: S608
             ("tickets", "ticket_sla", "rejected_rows")}
    run("load", inputs, "--db", db)
    for table, content in first.items():
        again = rows(db, f"SELECT * FROM {table} ORDER BY ALL")  # noqa: S608
        if table == "rejected_rows":   # the batch id differs, the rows do not
            again, content = [r[1:] for r in again], [r[1:] for r in content]
        assert again == content
    assert rows(db, "SELECT count(DISTINCT batch_id) FROM load_batches") == [(2,)]


def test_a_later_export_replaces_a_ticket(inputs, tmp_path):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    later = tmp_path / "later"
    later.mkdir()
    write(later / "tickets_2025-10.csv", "工单号,客户编号,报障时间,解决时间\n"
                                         "T3,C002,2025-10-09 17:29,2025-10-10 09:00\n")
    assert run("load", later, "--db", db, "--as-of", "2025-10-20 12:00") == 0
    assert rows(db, "SELECT ticket_id, resolved_at IS NOT NULL, service_mode FROM tickets "
                    "ORDER BY ticket_id") == [
        ("T1", True, "onsite"), ("T2", True, "onsite"), ("T3", True, None)]


def test_gbk_file_loads(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "tickets.csv",
          "工单号,客户编号,报障时间,故障级别\nT1,C001,2025-10-09 10:00,严重\n", encoding="gbk")
    db = tmp_path / "s.duckdb"
    assert run("load", folder, "--db", db, "--as-of", "2025-10-20 12:00") == 0
    assert rows(db, "SELECT reported_severity FROM tickets") == [("severe",)]
    assert rows(db, "SELECT encoding FROM load_batches") == [("gb18030",)]


@pytest.mark.parametrize("name, content, message", [
    ("tickets.csv", "工单号,报障时间\nT1,2025-10-09 10:00\n",
     "tickets.csv: missing required column customer_id (客户编号)"),
    ("tickets.csv", b"\xff\xfe\x00\x41\x00", "tickets.csv"),
    ("stuff.csv", "a,b\n1,2\n", "stuff.csv: the file name does not say what it holds"),
    ("tickets.txt", "a,b\n1,2\n", "tickets.txt: not a .csv or .xlsx file"),
])
def test_refusal_leaves_the_database_byte_identical(inputs, tmp_path, capsys, name, content,
                                                    message):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    path = bad / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    capsys.readouterr()
    assert run("load", path, "--db", db) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Nothing was loaded; the database is unchanged." in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "in", "service.duckdb"]


def test_refusal_of_one_file_loads_none_of_the_others(inputs, tmp_path):
    write(inputs / "customers.csv", "客户编号\nC001\n")   # lacks 客户名称
    db = tmp_path / "service.duckdb"
    assert run("load", inputs, "--db", db) == 2
    assert not db.exists()


def test_calendar_fallback_warns_and_a_calendar_file_fixes_it(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "tickets.csv", "工单号,客户编号,报障时间\nT1,C001,2027-01-01 10:00\n")
    db = tmp_path / "s.duckdb"
    assert run("load", folder, "--db", db, "--as-of", "2027-01-05 12:00") == 0
    assert "1 tickets were judged on an estimated calendar" in capsys.readouterr().out
    assert rows(db, "SELECT reported_in_working_time, calendar_estimated FROM ticket_sla") == [
        (True, True)]
    write(folder / "calendar.csv", "日期,类型,备注\n2027-01-01,节假日,元旦\n")
    assert run("load", folder, "--db", db, "--as-of", "2027-01-05 12:00") == 0
    assert "estimated calendar" not in capsys.readouterr().out
    assert rows(db, "SELECT reported_in_working_time, calendar_estimated FROM ticket_sla") == [
        (False, False)]


def test_user_errors_print_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(tmp_path / "missing"),
                           "--db", str(tmp_path / "x.duckdb")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{tmp_path / 'missing'}: no such file or folder" in proc.stderr


def test_bad_as_of_is_refused_with_usage(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(tmp_path), "--as-of", "soon"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "cannot read 'soon'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_database_file_is_refused(inputs, tmp_path, capsys):
    db = tmp_path / "service.duckdb"
    db.write_bytes(b"this is not a database")
    assert run("load", inputs, "--db", db) == 2
    assert "not a database this project can read" in capsys.readouterr().err
    assert db.read_bytes() == b"this is not a database"


def test_relation_types_are_declared(inputs, tmp_path):
    db = tmp_path / "service.duckdb"
    run("load", inputs, "--db", db)
    types = dict(rows(db, "SELECT table_name || '.' || column_name, data_type "
                          "FROM information_schema.columns"))
    assert types["ticket_sla.reported_at"] == "TIMESTAMP"
    assert types["action_status.due_date"] == "DATE"
    assert types["action_status.source_type"] == "VARCHAR"   # empty in every row, still typed
    assert types["survey_facts.has_action"] == "BOOLEAN"


def test_export_moment_with_an_offset_is_china_time(inputs, tmp_path):
    (inputs / "export_info.json").write_text(json.dumps({"extracted_at": "2025-10-20T04:00:00Z"}))
    db = tmp_path / "service.duckdb"
    assert run("load", inputs, "--db", db) == 0
    assert rows(db, "SELECT DISTINCT as_of FROM load_batches")[0][0].isoformat() == (
        "2025-10-20T12:00:00")


def test_load_moments_are_china_time_whatever_the_server_zone(inputs, tmp_path):
    # A server in UTC must still log China time, as as_of is: the Data page shows them together.
    db = tmp_path / "service.duckdb"
    env = {**os.environ, "TZ": "UTC"}
    subprocess.run([sys.executable, "-m", "etl", "load", str(inputs), "--db", str(db)],
                   check=True, capture_output=True, env=env)
    china = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    loaded = datetime.fromisoformat(
        rows(db, "SELECT value FROM load_info WHERE key = 'loaded_at'")[0][0])
    started, finished = rows(db, "SELECT started_at, finished_at FROM load_batches")[0]
    for moment in (loaded, started, finished):
        assert abs((moment - china).total_seconds()) < 600


@pytest.mark.parametrize("error", [duckdb.InterruptException("INTERRUPT Error: Interrupted!"),
                                   RuntimeError("Query interrupted")])
def test_ctrl_c_inside_a_duckdb_query_is_an_interruption(inputs, tmp_path, monkeypatch, capsys,
                                                         error):
    # DuckDB turns SIGINT during a query into its own exceptions, not KeyboardInterrupt: a Ctrl-C
    # in the rules step must still say "interrupted" (exit 130), not "the load failed".
    import etl.cli

    def interrupted(*args, **kwargs):
        raise error

    monkeypatch.setattr(etl.cli, "load", interrupted)
    assert run("load", inputs, "--db", tmp_path / "x.duckdb") == 130
    assert "interrupted: nothing was loaded" in capsys.readouterr().err


def test_another_runtime_error_is_not_taken_for_an_interruption(inputs, tmp_path, monkeypatch):
    import etl.cli

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(etl.cli, "load", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        run("load", inputs, "--db", tmp_path / "x.duckdb")


def test_a_load_keeps_the_database_files_mode_and_owner(inputs, tmp_path):
    """The load writes a new file and renames it over the old one: it must not widen 0600 to
    the umask's 0644 nor hand the file to whoever ran the load (main: 0644, root's)."""
    import stat

    db = tmp_path / "service.duckdb"
    assert run("load", inputs, "--db", db) == 0
    os.chmod(db, 0o600)
    if os.geteuid() == 0:
        os.chown(db, 1234, 2345)
    inode = db.stat().st_ino
    assert run("load", inputs, "--db", db) == 0
    assert db.stat().st_ino != inode, "a new file was swapped in"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert (db.stat().st_uid, db.stat().st_gid) == (1234, 2345)
    os.chmod(db, 0o640)
    assert run("load", inputs, "--db", db) == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
