"""A large CSV is read a chunk at a time: the same database, rejections and messages as whole."""

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from etl import readers, stage
from etl.coerce import _column_times, _excel_serials, _regex_times
from etl.load import LoadRefused, load
from service_quality.settings import load_settings

TICKET_HEADER = ("工单号,客户编号,报障时间,报障方式,服务方式,到场时间,解决时间,故障级别,错误占比,"
                 "地点\n")
EVENT_HEADER = "工单号,时间,事件,备注\n"
# Columns a load fills with its own id and moments: not part of what must be alike.
VOLATILE = {"batch_id", "started_at", "finished_at"}
READ_CSV_CHUNKS = stage.read_csv_chunks


def ticket_rows() -> list[str]:
    """Good rows with every kind of bad row among them, many times over: duplicates of rows far
    back (in an earlier chunk), of a rejected row, ragged rows, blank and space-only lines,
    quoted values with commas, quotes and line breaks, and dates the ISO cast refuses."""
    rows = []
    for i in range(400):
        day = 1 + i % 28
        rows.append(f"T{i:04d},C{i % 7:03d},2025-10-{day:02d} 09:{i % 60:02d},电话,现场,"
                    f"2025-10-{day:02d} 10:00,2025-10-{day:02d} 15:00,一般,{i % 20}%,北京{i}号楼")
        if i % 37 == 5:
            rows.append(f"T{i // 2:04d},C001,2025-10-01 10:00,电话,远程,,,一般,,重复")  # dup
        if i % 41 == 7:
            rows.append(f"T{i:04d}X,C001,2025-13-45 10:00,电话,远程,,,一般,,坏日期")
            rows.append(f"T{i:04d}X,C001,2025-10-02 10:00,电话,远程,,,一般,,重复坏行")
        if i % 53 == 11:
            rows.append(f"T{i:04d}R,C001,2025-10-01 10:00,电话,远程,,,一般,,多,一列")  # ragged
            rows.append("")
            rows.append("   ")
        if i % 43 == 3:
            rows.append(f'T{i:04d}Q,C002,2025/10/3 8:05,电话,现场,,,严重,"1/10","楼, ""东""\n二层"')
        if i % 47 == 9:
            rows.append(f"T{i:04d}Z,C003,2025-10-01T10:00:00+08:00,电话,远程,,,紧急,,未知级别")
    return rows


def event_rows() -> list[str]:
    """Events keyed by (ticket, moment, event), a repeat far from its first."""
    rows = [f"T{i % 90:04d},2025-10-{1 + i % 28:02d} {i % 24:02d}:00,note,第{i}条"
            for i in range(300)]
    rows.insert(250, rows[3])
    return rows


def write_inputs(folder: Path, encoding: str) -> Path:
    folder.mkdir()
    text = "\r\n\r\n" + TICKET_HEADER + "\r\n".join(ticket_rows()) + "\r\n\r\n"
    (folder / "tickets.csv").write_bytes(text.encode(encoding))
    events = EVENT_HEADER + "\n".join(event_rows()) + "\n"
    (folder / "ticket_events.csv").write_bytes(events.encode(encoding))
    (folder / "export_info.json").write_text(json.dumps({"extracted_at": "2025-11-01 09:00"}))
    return folder


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, in stored order, without the columns that name the load itself."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "ORDER BY table_name").fetchall()]
        for table in tables:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "ORDER BY column_index", [table]).fetchall() if r[0] not in VOLATILE]
            rows = con.execute("SELECT {} FROM {} WHERE {}".format(  # noqa: S608 - own names
                ", ".join(f'"{c}"' for c in columns), table,
                "key <> 'loaded_at'" if table == "load_info" else "true")).fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def load_with(monkeypatch, source: Path, db: Path, chunk: int | None):
    """Load SOURCE into DB, a CSV larger than CHUNK bytes read in chunks of that size."""
    monkeypatch.setattr(readers, "CHUNK_BYTES", chunk or 1 << 40)
    if chunk:
        monkeypatch.setattr(readers, "_DECODE_BLOCK", chunk)
    calls = []

    def counted(*args, **kwargs):
        for table in READ_CSV_CHUNKS(*args, **kwargs):
            calls.append(len(table.row_numbers))
            yield table
    monkeypatch.setattr(stage, "read_csv_chunks", counted)
    summary = load([source], db, load_settings())
    return summary, calls


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_a_chunked_read_gives_the_same_database_as_a_whole_read(monkeypatch, tmp_path,
                                                                 encoding):
    source = write_inputs(tmp_path / "in", encoding)
    whole, whole_calls = load_with(monkeypatch, source, tmp_path / "whole.duckdb", None)
    chunked, calls = load_with(monkeypatch, source, tmp_path / "chunked.duckdb", 700)
    assert whole_calls == []
    assert len(calls) > 20, "the tickets were read in many chunks"
    assert snapshot(tmp_path / "whole.duckdb") == snapshot(tmp_path / "chunked.duckdb")
    for a, b in zip(whole.files, chunked.files, strict=True):
        assert (a.rows_read, a.rows_loaded, a.rows_rejected, a.encoding, a.sha256, a.warnings,
                a.notes) == (b.rows_read, b.rows_loaded, b.rows_rejected, b.encoding,
                             b.sha256, b.warnings, b.notes)
    # The bad rows did cross the chunks (~7 rows each): repeats of rows many chunks before,
    # of a rejected row, ragged rows; quoted values with a line break loaded whole.
    con = duckdb.connect(str(tmp_path / "chunked.duckdb"), read_only=True)
    rejected = con.execute("SELECT row_number, reason FROM rejected_rows").fetchall()
    sites = [r[0] for r in con.execute("SELECT site FROM tickets WHERE ticket_id LIKE '%Q'")
             .fetchall()]
    con.close()
    firsts = [(row, int(reason.split("first at row ")[1].rstrip(")")))
              for row, reason in rejected if "first at row" in reason]
    assert any(row - first > 100 for row, first in firsts)
    assert any(reason.startswith("row has 11 values") for _, reason in rejected)
    assert sites and set(sites) == {'楼, "东"\n二层'}


def test_a_quote_inside_an_unquoted_value_is_read_whole(monkeypatch, tmp_path):
    # Where the parser and a count of quotes disagree about where records end, the chunked
    # read gives way to the whole-file read.
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [f"T{i},C1,2025-10-01 08:00,电话,远程,,,一般,,a{i}" for i in range(200)]
    rows[50] = 'T50,C1,2025-10-01 08:00,电话,远程,,,一般,,5"号"楼'
    rows[120] = 'T120,C1,2025-10-01 08:00,电话,远程,,,一般,,"楼\n层"'
    (folder / "tickets.csv").write_text(TICKET_HEADER + "\n".join(rows) + "\n")
    load_with(monkeypatch, folder, tmp_path / "whole.duckdb", None)
    _, calls = load_with(monkeypatch, folder, tmp_path / "chunked.duckdb", 500)
    assert 0 < sum(calls) < 50, "chunks were read until the odd quote, then the file whole"
    assert snapshot(tmp_path / "whole.duckdb") == snapshot(tmp_path / "chunked.duckdb")


def test_a_file_read_whole_after_chunks_replaces_an_earlier_load_as_a_whole_read_does(
        monkeypatch, tmp_path):
    # The chunks written before the odd quote are replaced by the whole read, which also
    # replaces the earlier load's rows of the same tickets and keeps the others.
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    old = [f"T{i},C2,2025-09-01 08:00,电话,远程,,,一般,,旧{i}" for i in range(0, 300, 2)]
    (before / "tickets.csv").write_text(TICKET_HEADER + "\n".join(old) + "\n")
    rows = [f"T{i},C1,2025-10-01 08:00,电话,远程,,,一般,,a{i}" for i in range(200)]
    rows[150] = 'T150,C1,2025-10-01 08:00,电话,远程,,,一般,,5"号"楼'
    (after / "tickets.csv").write_text(TICKET_HEADER + "\n".join(rows) + "\n")
    for name, chunk in (("whole", None), ("chunked", 500)):
        db = tmp_path / f"{name}.duckdb"
        load_with(monkeypatch, before, db, None)
        _, calls = load_with(monkeypatch, after, db, chunk)
        assert (sum(calls) > 50) == bool(chunk)
    assert snapshot(tmp_path / "whole.duckdb") == snapshot(tmp_path / "chunked.duckdb")
    con = duckdb.connect(str(tmp_path / "chunked.duckdb"), read_only=True)
    sites = dict(con.execute("SELECT ticket_id, site FROM tickets").fetchall())
    con.close()
    assert len(sites) == 200 + 50 and sites["T10"] == "a10" and sites["T250"] == "旧250"


@pytest.mark.parametrize("tail, encoding", [
    (b"T999,C1,2025-10-01 08:00,\xff\xfe,x\n", "gb18030"),    # not GB18030 near the end
    (b'T999,C1,"2025-10-01 08:00,x\n', "utf-8"),               # a quote never closed
    (b"T999,C1,2025-10-01 08:00,\xff,x\n", "utf-8-sig"),       # not UTF-8 after a BOM
])
def test_a_refused_file_says_the_same_read_in_chunks(monkeypatch, tmp_path, tail, encoding):
    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(f"T{i},C1,2025-10-01 08:00,北京,x\n" for i in range(300))
    data = ("工单号,客户编号,报障时间,地点,备注\n" + body).encode(encoding)
    (folder / "tickets.csv").write_bytes(data + tail)
    messages = []
    for chunk in (None, 300):
        with pytest.raises(LoadRefused) as e:
            load_with(monkeypatch, folder, tmp_path / f"db{chunk}.duckdb", chunk)
        messages.append(str(e.value))
        assert not (tmp_path / f"db{chunk}.duckdb").exists()
    assert messages[0] == messages[1]


def test_a_missing_column_is_said_after_reading_in_chunks(monkeypatch, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(f"T{i},2025-10-01 08:00\n" for i in range(300))
    (folder / "tickets.csv").write_text("工单号,报障时间\n" + body)
    messages = []
    for chunk in (None, 300):
        with pytest.raises(LoadRefused) as e:
            load_with(monkeypatch, folder, tmp_path / f"db{chunk}.duckdb", chunk)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    assert "missing required column customer_id" in messages[0]


def test_iso_moments_beside_an_impossible_one_read_as_the_careful_way_reads_them():
    # One impossible ISO date (2025-13-45) no longer sends its whole chunk through the regex:
    # the real ISO moments take the cast, which must read each as the regex does.
    rng = np.random.default_rng(3)
    forms = ["%04d-%02d-%02d", "%04d-%02d-%02d %02d:%02d", "%04d-%02d-%02dT%02d:%02d:%02d",
             "%04d-%02d-%02d %02d:%02d:%02d.123"]
    values = []
    for _ in range(5000):
        form = forms[rng.integers(len(forms))]
        parts = (int(rng.choice([1677, 1678, 2024, 2261, 2262])), int(rng.integers(0, 14)),
                 int(rng.integers(0, 33)), int(rng.integers(0, 26)), int(rng.integers(0, 62)),
                 int(rng.integers(0, 62)))
        values.append(form % parts[:form.count("%")])
    values += ["2025/1/2 3:04", None, "45000.5", "2025-10-01T10:00:00+08:00"]
    text = pa.chunked_array([pa.array(values, pa.large_string())])
    ns, unread = _column_times(text)
    whole = text.combine_chunks()
    want, ok = _regex_times(whole)
    serial_ns, serial_ok = _excel_serials(whole)
    want = np.where(~ok & serial_ok, serial_ns, want)
    ok |= serial_ok
    present = text.is_valid().to_numpy(zero_copy_only=False)
    assert np.array_equal(ns, np.where(ok, want, np.iinfo(np.int64).min))
    assert np.array_equal(unread, present & ~ok)
    assert unread.sum() > 100 and (~unread & present).sum() > 100
