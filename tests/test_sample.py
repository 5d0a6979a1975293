"""The sample generator: files, encodings, determinism, proportions, the planted bad rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from etl.sample import (
    BAD_ROW_REASONS,
    CSV_ENCODING,
    HOSTILE_COMMENTS,
    WEAK_ENGINEER,
    XLSX_ENTITIES,
    build_sample,
    write_sample,
)
from service_quality.schema import BOOL_VALUES, ENTITIES, ENUMS

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "data" / "sample"
N, SEED = 800, 11
FILES = [f"{e}.csv" for e in CSV_ENCODING] + [f"{e}.xlsx" for e in XLSX_ENTITIES]
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out, tickets=N, seed=SEED)


@pytest.fixture(scope="module")
def committed_frames() -> dict[str, pd.DataFrame]:
    return {e: read_entity(COMMITTED, e) for e in list(CSV_ENCODING) + list(XLSX_ENTITIES)}


# --- reading the files back as a loader would --------------------------------------------------
def read_entity(folder: Path, entity: str) -> pd.DataFrame:
    """One file as written, canonical column names, text or openpyxl values."""
    names = ENTITIES[entity].column_names
    if entity in CSV_ENCODING:
        frame = pd.read_csv(folder / f"{entity}.csv", encoding=CSV_ENCODING[entity], dtype=str,
                            keep_default_na=False)
        assert list(frame.columns) == [c.zh[0] for c in ENTITIES[entity].columns]
        frame.columns = names
        return frame
    ws = load_workbook(folder / f"{entity}.xlsx", read_only=True)[ENTITIES[entity].zh]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [c.zh[0] for c in ENTITIES[entity].columns]
    # Write-only sheets record no dimension, so read-only rows stop at their last value.
    padded = [list(r) + [None] * (len(names) - len(r)) for r in rows[1:]]
    return pd.DataFrame(padded, columns=names, dtype=object)


def parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """China time of each value in the forms the sample writes, and which ones do not parse."""
    text = values.map(lambda v: v if isinstance(v, str) else None)
    blank = values.isna() | values.eq("")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for pattern, fmt in ((r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "%Y-%m-%d %H:%M:%S"),
                         (r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$", "%Y/%m/%d %H:%M")):
        rows = text.str.match(pattern, na=False)
        out[rows] = pd.to_datetime(text[rows], format=fmt, errors="coerce")
    rows = text.str.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|\+08:00)$", na=False)
    aware = pd.to_datetime(text[rows], format="ISO8601", utc=True, errors="coerce")
    out[rows] = aware.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    # Excel cells: real datetimes, or a bare serial day number.
    cells = values.map(lambda v: v if isinstance(v, dt.datetime) else (
        _EXCEL_EPOCH + dt.timedelta(days=v) if isinstance(v, float) else None))
    out = out.fillna(pd.to_datetime(cells))
    return out, ~blank & out.isna()


def invalid_rows(frame: pd.DataFrame, entity: str) -> dict[int, str]:
    """Line (header = 1) → why DESIGN §3 rejects it."""
    e = ENTITIES[entity]
    bad: dict[int, str] = {}

    def flag(mask, why):
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            bad.setdefault(int(i) + 2, why)

    blank = frame.isna() | frame.eq("")
    times = {}
    scale = pd.to_numeric(frame.get("score_scale", pd.Series(dtype=str)), errors="coerce")
    scale = scale.reindex(frame.index).fillna(5)
    for col in e.columns:
        v, empty = frame[col.name], blank[col.name]
        if col.required:
            flag(empty, f"{col.name} required")
        if col.kind in ("timestamp", "date"):
            times[col.name], unparseable = parse_times(v)
            flag(unparseable, f"{col.name} unparseable")
        elif col.enum:
            allowed = {a.lower() for aliases in ENUMS[col.enum].values() for a in aliases}
            flag(~empty & ~v.astype(str).str.lower().isin(allowed), f"{col.name} unknown")
        elif col.kind == "bool":
            allowed = {a for aliases in BOOL_VALUES.values() for a in aliases}
            flag(~empty & ~v.isin(allowed), f"{col.name} not a boolean")
        elif col.kind == "ratio":
            ok = v.astype(str).str.fullmatch(r"\d+(\.\d+)?%|0(\.\d+)?|1")
            flag(~empty & ~ok, f"{col.name} not a ratio")
        elif col.kind in ("int", "float"):
            flag(~empty & pd.to_numeric(v, errors="coerce").isna(), f"{col.name} not a number")
        elif col.kind == "score":
            score = pd.to_numeric(v, errors="coerce")
            flag(~empty & ~score.between(1, scale), f"{col.name} out of range")
    for later, earlier in e.not_before:
        flag(times[later] < times[earlier], f"{later} before {earlier}")
    keys = frame[list(e.key)].copy()
    for k in e.key:
        if k in times:
            keys[k] = times[k]
    flag(keys.duplicated(), "duplicate key")
    return bad


# --- files, headers, encodings --------------------------------------------------------------------
def test_writes_every_file_with_chinese_headers(small):
    out, counts = small
    assert sorted(counts) == sorted(FILES)
    for name in FILES:
        entity = name.split(".")[0]
        frame = read_entity(out, entity)  # asserts the headers
        assert len(frame) == counts[name] > 0
    info = json.loads((out / "export_info.json").read_text(encoding="utf-8"))
    assert info == {"extracted_at": "2026-11-01 09:00", "source": "etl sample", "seed": SEED,
                    "tickets": N}
    assert counts["tickets.csv"] == N + (build_sample(N, SEED).bad_rows.kind
                                         == "duplicate_key").sum()


def test_encodings(small):
    out, _ = small
    for name in ("tickets.csv", "ticket_events.csv"):
        raw = (out / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert raw.decode("gbk").startswith("工单号,")
    for name in ("surveys.csv", "fault_reports.csv"):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
    for entity in XLSX_ENTITIES:
        wb = load_workbook(out / f"{entity}.xlsx")
        assert wb.sheetnames == [ENTITIES[entity].zh]


def test_same_seed_same_bytes(small, tmp_path):
    out, counts = small
    assert write_sample(tmp_path, tickets=N, seed=SEED) == counts
    for name in FILES + ["export_info.json"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    other = tmp_path / "other"
    write_sample(other, tickets=N, seed=SEED + 1)
    assert (other / "tickets.csv").read_bytes() != (out / "tickets.csv").read_bytes()


def test_xlsx_has_real_datetimes_and_a_few_serials(small):
    out, _ = small
    ws = load_workbook(out / "complaints.xlsx")["投诉"]
    received = [row[2] for row in ws.iter_rows(min_row=2)]
    dates = [c for c in received if c.is_date]
    serials = [c for c in received if isinstance(c.value, float)]
    assert dates and serials and len(serials) < len(dates)
    assert all("yy" in c.number_format for c in dates)
    assert all(abs(c.value * 1440 - round(c.value * 1440)) < 1e-6 for c in serials)  # minutes
    due = [row[2] for row in load_workbook(out / "actions.xlsx")["改进措施"].iter_rows(min_row=2)]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in due)


# --- bad rows -------------------------------------------------------------------------------------
def test_exactly_the_planted_rows_are_invalid(small):
    out, _ = small
    expected = build_sample(N, SEED).bad_rows
    assert set(expected.kind) == set(BAD_ROW_REASONS)  # each kind at least once, even at small N
    for name in FILES:
        entity = name.split(".")[0]
        found = invalid_rows(read_entity(out, entity), entity)
        planted = expected[expected.file == name]
        assert sorted(found) == sorted(planted.line), (name, found)
    rate = (expected.file == "tickets.csv").sum() / N
    assert 0.002 <= rate <= 0.01


def test_bad_rows_point_at_the_right_rows(small):
    out, _ = small
    expected = build_sample(N, SEED).bad_rows
    tickets = read_entity(out, "tickets")
    for row in expected[expected.file == "tickets.csv"].itertuples():
        line = tickets.iloc[row.row_number - 1]
        assert line.ticket_id == row.key
        if row.kind == "duplicate_key":
            assert line.equals(tickets.iloc[row.row_number - 2])
        if row.kind == "unknown_severity":
            assert line.reported_severity == "紧急"
        if row.kind == "missing_customer":
            assert line.customer_id == ""
    surveys = read_entity(out, "surveys")
    for row in expected[expected.file == "surveys.csv"].itertuples():
        assert surveys.survey_id.iloc[row.row_number - 1] == row.key
        assert surveys.score.iloc[row.row_number - 1] == "6"


def test_references_point_at_loadable_rows(small):
    out, _ = small
    expected = build_sample(N, SEED).bad_rows
    tickets = read_entity(out, "tickets")
    rejected = set(expected[(expected.file == "tickets.csv")
                            & (expected.kind != "duplicate_key")].key)
    good = set(tickets.ticket_id) - rejected
    for entity in ("ticket_events", "fault_reports", "surveys"):
        assert set(read_entity(out, entity).ticket_id) <= good, entity
    linked = read_entity(out, "complaints").ticket_id.dropna()
    assert set(linked) <= good
    surveys = set(read_entity(out, "surveys").survey_id)
    actions = read_entity(out, "actions")
    assert set(actions.source_id[actions.source_type == "满意度调查"]) <= surveys


def test_no_text_starts_like_a_formula_except_the_hostile_comments(small):
    out, _ = small
    seen = set()
    for name in FILES:
        frame = read_entity(out, name.split(".")[0])
        for col in frame.columns:
            text = frame[col][frame[col].map(lambda v: isinstance(v, str))]
            risky = text[text.str.match(r"[=+\-@]")]
            if col == "comment":
                seen |= set(text[text.isin(HOSTILE_COMMENTS)])
                risky = risky[~risky.isin(HOSTILE_COMMENTS)]
            assert risky.empty, (name, col, risky.head().tolist())
    assert seen == set(HOSTILE_COMMENTS)


# --- proportions ----------------------------------------------------------------------------------
def test_rough_proportions(small):
    out, counts = small
    assert 0.45 * N <= counts["surveys.csv"] <= 0.75 * N
    assert 0.007 * N <= counts["complaints.xlsx"] <= 0.03 * N
    tickets = read_entity(out, "tickets")
    assert 0.38 <= tickets.service_mode.eq("现场").mean() <= 0.52
    assert tickets.channel.value_counts().index[0] == "电话"
    assert tickets.category.value_counts().index[0] == "故障"
    events = read_entity(out, "ticket_events")
    assert 0.05 <= events.ticket_id.nunique() / N <= 0.16
    assert counts["customers.xlsx"] in range(10, 13)
    assert 23 <= counts["engineers.xlsx"] <= 27


def test_duty_roster_covers_statutory_holidays_but_two(small):
    out, _ = small
    roster = read_entity(out, "duty_roster")
    days = pd.date_range("2024-11-01", "2026-10-31").date
    statutory = {d for d in days if chinese_calendar.is_holiday(d)
                 and chinese_calendar.get_holiday_detail(d)[1] is not None}
    covered = {v.date() for v in roster.date}
    assert covered <= statutory and len(statutory - covered) == 2
    assert roster.groupby("date").size().between(1, 2).all()
    assert roster.phone.str.fullmatch(r"1\d{10}").all()


# --- the committed sample -------------------------------------------------------------------------
def test_committed_sample_is_a_fresh_default_write(tmp_path):
    write_sample(tmp_path)
    assert sorted(p.name for p in COMMITTED.iterdir()) == sorted(FILES + ["export_info.json"])
    for name in FILES + ["export_info.json"]:
        if name.endswith(".xlsx"):
            fresh = load_workbook(tmp_path / name)
            kept = load_workbook(COMMITTED / name)
            assert fresh.sheetnames == kept.sheetnames
            assert list(fresh.active.values) == list(kept.active.values), name
        else:
            assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), name
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 5_000_000


def test_committed_sample_tells_the_story(committed_frames):
    f = committed_frames
    surveys = f["surveys"]
    score = pd.to_numeric(surveys.score, errors="coerce")
    score = score.where(surveys.score_scale != "10", score / 2)
    sent, _ = parse_times(surveys.sent_at)
    quarter = sent.dt.to_period("Q").astype(str)
    csat = (score >= 4)[score.notna()].groupby(quarter[score.notna()]).mean()
    # The 2025 Q3 dip and the recovery after the improvement actions.
    assert csat["2025Q3"] < csat["2025Q2"] - 0.08
    assert csat["2025Q4"] > csat["2025Q3"] + 0.1
    assert surveys.score_scale.eq("10").any() and surveys.score_scale.eq("").any()

    low = set(surveys.survey_id[score <= 2])
    actions = f["actions"]
    linked = low & set(actions.source_id[actions.source_type == "满意度调查"])
    assert 0.7 <= len(linked) / len(low) < 1
    assert set(actions.status) == {"待处理", "进行中", "已完成", "已验证", "已取消"}

    tickets = f["tickets"]
    onsite = tickets[tickets.service_mode.eq("现场")]
    rep, _ = parse_times(onsite.reported_at)
    arr, _ = parse_times(onsite.arrived_at)
    late = (arr - rep).dt.total_seconds() > 120 * 60
    by_engineer = late.groupby(onsite.engineer_id).mean()
    assert by_engineer.idxmax() == WEAK_ENGINEER

    faults = tickets[tickets.category.eq("故障")]
    assert faults.error_ratio.isin(["10%", "0.1"]).any()
    assert faults.error_ratio.str.endswith("%").any() and faults.error_ratio.str.match(r"0\.").any()
    assert (faults.system_down.eq("") & faults.error_ratio.eq("")
            & faults.capacity_drop.eq("")).any()  # nothing recorded: unverifiable
    assert tickets.parent_ticket_id.ne("").any() and tickets.wait_minutes.ne("").any()
    phone = tickets.channel.eq("电话")
    assert tickets.responded_at[phone].eq("").any()
    assert tickets.reported_at.str.contains("/").any()
    assert tickets.reported_at.str.endswith("Z").any()
    assert tickets.reported_at.str.endswith("+08:00").any()

    reports = f["fault_reports"]
    assert reports.version.eq("2").any()
    rejected = reports.customer_decision.eq("拒绝")
    assert rejected.any() and reports.reject_reason[rejected].ne("").all()
    assert reports.reject_reason[~rejected].eq("").all()
    events = set(f["ticket_events"].event)
    assert {"暂停", "恢复", "转交"} <= events


def test_the_loader_rejects_exactly_the_planted_rows(sample_dir, fixture_db):
    import duckdb

    info = json.loads((sample_dir / "export_info.json").read_text(encoding="utf-8"))
    expected = build_sample(info["tickets"], info["seed"]).bad_rows
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        rows = con.execute("SELECT file, row_number FROM rejected_rows").fetchall()
    assert sorted((Path(f).name, int(n)) for f, n in rows) == sorted(
        zip(expected.file, expected.line, strict=True))


# --- large exports in chunks ----------------------------------------------------------------------
def test_a_chunked_export_has_unique_ids_and_the_loader_rejects_its_planted_rows(tmp_path):
    """Above the chunk size the files are appended a chunk at a time: ids run on, lines too."""
    import duckdb

    from etl.load import load
    from etl.sample import _chunks
    from service_quality.settings import load_settings

    tickets, seed, chunk = 2500, 5, 1000
    out = tmp_path / "chunked"
    counts = write_sample(out, tickets=tickets, seed=seed, chunk=chunk)
    # The first chunk is the export of `chunk` tickets itself; the others follow it.
    first = tmp_path / "first"
    write_sample(first, tickets=chunk, seed=seed)
    head = read_entity(first, "tickets")
    frames = {e: read_entity(out, e) for e in list(CSV_ENCODING) + list(XLSX_ENTITIES)}
    assert frames["tickets"].iloc[:len(head)].equals(head)
    assert len(frames["tickets"]) == counts["tickets.csv"] > tickets
    assert (out / "surveys.csv").read_bytes().count(b"\xef\xbb\xbf") == 1  # one BOM, at the start
    for entity in ("tickets", "surveys", "complaints", "actions"):
        key = ENTITIES[entity].column_names[0]
        assert frames[entity][key].nunique() == len(frames[entity]) - (
            entity == "tickets") * 3, entity  # one planted exact copy per chunk
    assert len(frames["customers"]) == 12 and frames["duty_roster"].equals(
        read_entity(first, "duty_roster"))
    good = set(frames["tickets"].ticket_id)
    assert set(frames["surveys"].ticket_id) <= good
    assert set(frames["complaints"].ticket_id.dropna()) <= good

    bad = pd.concat([s.bad_rows for s in _chunks(tickets, seed, chunk)], ignore_index=True)
    assert len(bad) == bad.drop_duplicates(["file", "line"]).shape[0]
    db = tmp_path / "chunked.duckdb"
    load([out], db, load_settings())
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT file, row_number FROM rejected_rows").fetchall()
        loaded = con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
    assert sorted((Path(f).name, int(n)) for f, n in rows) == sorted(
        zip(bad.file, bad.line, strict=True))
    assert loaded == counts["tickets.csv"] - (bad.file == "tickets.csv").sum()
