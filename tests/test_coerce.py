"""etl.coerce: every kind's accepted and rejected spellings, exact reasons, rows accounted for."""

import csv
import io
import json

import pandas as pd
import pyarrow as pa
import pytest

from etl.coerce import coerce
from etl.readers import read_table
from service_quality.schema import DTYPES, ENTITIES

TICKET_HEAD = {"工单号": "T1", "客户编号": "C1", "报障时间": "2025-10-09 10:00"}


def load(tmp_path, entity, rows, **kwargs):
    """Write rows (dicts: header → text) as <entity>.csv, read and coerce it."""
    out = io.StringIO()
    header = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / f"{entity}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    table = read_table(path)
    good, rejected = coerce(table, ENTITIES[entity], **kwargs)
    assert len(good) + len(rejected) == len(table.frame)
    assert sorted([*good["row_number"], *rejected["row_number"]]) == table.row_numbers.tolist()
    return good, rejected


def ticket(column, value, ticket_id="T1", **more):
    """One tickets row with `column` (a Chinese header) set to `value`."""
    return {**TICKET_HEAD, "工单号": ticket_id, column: value, **more}


def one_value(tmp_path, column, value):
    """(good value or None, reason or None) of a one-row tickets file."""
    good, rejected = load(tmp_path, "tickets", [ticket(column, value)])
    name = next(c.name for c in ENTITIES["tickets"].columns if column in c.zh)
    if len(good):
        return good[name][0], None
    return None, rejected["reason"][0]


TIMES = [
    ("2025-10-09 14:30", "2025-10-09 14:30:00"),
    ("2025-10-09 14:30:15", "2025-10-09 14:30:15"),
    ("2025-10-09 14:30:15.250", "2025-10-09 14:30:15.250"),
    ("2025-10-09T14:30", "2025-10-09 14:30:00"),
    ("2025-10-09T14:30:15.123456", "2025-10-09 14:30:15.123456"),
    ("2025/10/9 9:05", "2025-10-09 09:05:00"),
    ("2025/10/09 09:05:07", "2025-10-09 09:05:07"),
    ("2025-1-5 9:05", "2025-01-05 09:05:00"),
    ("2025年10月9日 9:05", "2025-10-09 09:05:00"),
    ("2025年10月9日 09:05:30", "2025-10-09 09:05:30"),
    ("2025年10月9日9:05", "2025-10-09 09:05:00"),
    ("2025年10月9日", "2025-10-09 00:00:00"),
    ("2025-10-09", "2025-10-09 00:00:00"),
    ("2025/10/9", "2025-10-09 00:00:00"),
    ("2024-02-29 12:00", "2024-02-29 12:00:00"),
    ("2025-03-04T02:10:00Z", "2025-03-04 10:10:00"),
    ("2025-03-04T02:10:00+00:00", "2025-03-04 10:10:00"),
    ("2025-03-04T10:10:00+08:00", "2025-03-04 10:10:00"),
    ("2025-03-04 10:10+0800", "2025-03-04 10:10:00"),
    ("2025-03-04T02:10:00-0130", "2025-03-04 11:40:00"),
    ("2025-03-03T20:10:00.5Z", "2025-03-04 04:10:00.500"),
    ("45931.4375", "2025-10-01 10:30:00"),
    # the Excel serial of 2025-09-30 10:30 (45931 is 2025-10-01 in Excel's 1900 system)
    ("45930.4375", "2025-09-30 10:30:00"),
    ("45931", "2025-10-01 00:00:00"),
    ("45931.00001", "2025-10-01 00:00:01"),
    ("1", "1899-12-31 00:00:00"),
]

BAD_TIMES = [
    "2025-13-01 10:00", "2025-02-29 10:00", "2025-04-31", "2025-10-09 24:00", "2025-10-09 10:60",
    "2025-10-09 10:00:60", "2025-10-0910:00", "10/09/2025 10:00", "09-10-2025", "2025.10.09",
    "2025-10-09 10", "2025/10/9T10:00", "2025-10-09Z", "2025-10-09 10:00 +25:00", "yesterday",
    "0.5", "3000000", "1600-01-01 00:00", "２０２５-10-09", "2025-10-09 10:00:00.1234567890",
]


@pytest.mark.parametrize("text, expected", TIMES)
def test_timestamp_spellings(text, expected, tmp_path):
    assert one_value(tmp_path, "报障时间", text) == (pd.Timestamp(expected), None)


def test_timestamp_spellings_mixed_in_one_column(tmp_path):
    rows = [ticket("报障时间", text, ticket_id=f"T{i}") for i, (text, _) in enumerate(TIMES)]
    good, rejected = load(tmp_path, "tickets", rows)
    assert rejected.empty
    assert good["reported_at"].tolist() == [pd.Timestamp(e) for _, e in TIMES]
    assert str(good["reported_at"].dtype) == "datetime64[ns]"


@pytest.mark.parametrize("text", BAD_TIMES)
def test_timestamp_rejected(text, tmp_path):
    assert one_value(tmp_path, "到场时间", text) == (None, (
        f"arrived_at (到场时间): cannot read '{text}' as a date and time "
        "— expected e.g. 2025-10-09 14:30"))


def test_iso_column_with_one_bad_value(tmp_path):
    rows = [ticket("报障时间", f"2025-10-{d:02d} 10:00:00", ticket_id=f"T{d}")
            for d in range(1, 30)]
    rows[5]["报障时间"] = "2025-10-06 25:00:00"
    good, rejected = load(tmp_path, "tickets", rows)
    assert len(good) == 28
    assert rejected["reason"].tolist() == [
        "reported_at (报障时间): cannot read '2025-10-06 25:00:00' as a date and time "
        "— expected e.g. 2025-10-09 14:30"
    ]


def action(due, **more):
    return {"措施编号": "A1", "创建时间": "2025-10-01 09:00", "计划完成日期": due, **more}


@pytest.mark.parametrize("text, expected", [
    ("2025-10-09", "2025-10-09"),
    ("2025/10/9", "2025-10-09"),
    ("2025年10月9日", "2025-10-09"),
    ("2025-10-09 15:30", "2025-10-09"),
    ("45939", "2025-10-09"),
    ("45939.75", "2025-10-09"),
    ("2025-10-08T20:00:00Z", "2025-10-09"),
])
def test_date_takes_the_date_part(text, expected, tmp_path):
    good, rejected = load(tmp_path, "actions", [action(text)])
    assert rejected.empty
    assert good["due_date"][0] == pd.Timestamp(expected)


def test_date_rejected(tmp_path):
    good, rejected = load(tmp_path, "actions", [action("2025-10-32")])
    assert rejected["reason"].tolist() == [
        "due_date (计划完成日期): cannot read '2025-10-32' as a date — expected e.g. 2025-10-09"
    ]


@pytest.mark.parametrize("text, expected", [
    ("是", True), ("否", False), ("TRUE", True), ("false", False), ("yes", True), ("No", False),
    ("Y", True), ("n", False), ("1", True), ("0", False), ("√", True), ("×", False),
    ("有", True), ("无", False), ("T", True), ("f", False), ("Ｙｅｓ", True),
])
def test_bool_spellings(text, expected, tmp_path):
    assert one_value(tmp_path, "系统瘫痪", text) == (expected, None)


@pytest.mark.parametrize("text", ["maybe", "2", "是的", "-"])
def test_bool_rejected(text, tmp_path):
    assert one_value(tmp_path, "系统瘫痪", text) == (
        None, f"system_down (系统瘫痪): unknown value '{text}' — expected 是/否 or true/false")


@pytest.mark.parametrize("text, expected", [
    ("8%", 0.08), ("12.5 %", 0.125), ("0.08", 0.08), ("1/10", 0.1), ("1 / 4", 0.25),
    ("8％", 0.08), ("0", 0.0), ("1", 1.0), ("100%", 1.0), (".5", 0.5), ("0%", 0.0),
])
def test_ratio_spellings(text, expected, tmp_path):
    assert one_value(tmp_path, "错误占比", text) == (pytest.approx(expected), None)


@pytest.mark.parametrize("text, reason", [
    ("8", "error_ratio (错误占比): 8 is outside 0–1; write 8% for a percentage"),
    ("12.5", "error_ratio (错误占比): 12.5 is outside 0–1; write 12.5% for a percentage"),
    ("150%", "error_ratio (错误占比): 150% is outside 0–1"),
    ("101", "error_ratio (错误占比): 101 is outside 0–1"),
    ("-0.1", "error_ratio (错误占比): -0.1 is outside 0–1"),
    ("3/2", "error_ratio (错误占比): 3/2 is outside 0–1"),
    ("1/0", "error_ratio (错误占比): cannot read '1/0' as a ratio — write 8%, 0.08 or 1/10"),
    ("abc", "error_ratio (错误占比): cannot read 'abc' as a ratio — write 8%, 0.08 or 1/10"),
    ("8%%", "error_ratio (错误占比): cannot read '8%%' as a ratio — write 8%, 0.08 or 1/10"),
])
def test_ratio_rejected(text, reason, tmp_path):
    assert one_value(tmp_path, "错误占比", text) == (None, reason)


@pytest.mark.parametrize("column, text, expected", [
    ("转交次数", "0", 0), ("转交次数", "3", 3), ("转交次数", "2.0", 2), ("转交次数", "+1", 1),
    ("等待复现时长", "12.5", 12.5), ("等待复现时长", "1e2", 100.0), ("等待复现时长", "0", 0.0),
])
def test_number_spellings(column, text, expected, tmp_path):
    assert one_value(tmp_path, column, text) == (expected, None)


@pytest.mark.parametrize("column, text, reason", [
    ("转交次数", "-1", "transfers (转交次数): -1 is negative"),
    ("转交次数", "1.5", "transfers (转交次数): 1.5 is not a whole number"),
    ("转交次数", "two", "transfers (转交次数): cannot read 'two' as a number"),
    ("转交次数", "1,000", "transfers (转交次数): cannot read '1,000' as a number"),
    ("等待复现时长", "nan", "wait_minutes (等待复现时长): cannot read 'nan' as a number"),
    ("等待复现时长", "1e400", "wait_minutes (等待复现时长): cannot read '1e400' as a number"),
    ("等待复现时长", "-5", "wait_minutes (等待复现时长): -5 is negative"),
    ("等待复现时长", "__import__('os')",
     "wait_minutes (等待复现时长): cannot read '__import__('os')' as a number"),
])
def test_number_rejected(column, text, reason, tmp_path):
    assert one_value(tmp_path, column, text) == (None, reason)


def test_number_dtypes(tmp_path):
    good, _ = load(tmp_path, "tickets", [ticket("转交次数", "2"), ticket("转交次数", "", "T2")])
    assert str(good["transfers"].dtype) == "Int64"
    assert good["transfers"].tolist() == [2, pd.NA]


def report(**more):
    return {"工单号": "T1", "提交时间": "2025-10-10 09:00", **more}


def test_version_defaults_to_1(tmp_path):
    rows = [report(版本=""), report(工单号="T2", 版本="3")]
    good, rejected = load(tmp_path, "fault_reports", rows)
    assert good["version"].tolist() == [1, 3]


def survey(score="", scale="", survey_id="S1", **more):
    return {"调查编号": survey_id, "客户编号": "C1", "发送时间": "2025-10-09 10:00",
            "评分": score, "评分满分": scale, **more}


@pytest.mark.parametrize("score, scale, expected", [
    ("4", "", 4.0), ("1", "", 1.0), ("5", "5", 5.0), ("4.5", "", 4.5),
    ("10", "10", 5.0), ("1", "10", 1.0), ("5.5", "10", 3.0),
    ("100", "100", 5.0), ("0", "100", 1.0), ("75", "100", 4.0),
])
def test_score_scales(score, scale, expected, tmp_path):
    good, rejected = load(tmp_path, "surveys", [survey(score, scale)])
    assert rejected.empty
    assert good["score"][0] == pytest.approx(expected)


@pytest.mark.parametrize("score, scale, reason", [
    ("6", "", "score (评分): 6 is outside the 1–5 scale"),
    ("0", "5", "score (评分): 0 is outside the 1–5 scale"),
    ("0", "10", "score (评分): 0 is outside the 1–10 scale"),
    ("11", "10", "score (评分): 11 is outside the 1–10 scale"),
    ("101", "100", "score (评分): 101 is outside the 0–100 scale"),
    ("good", "", "score (评分): cannot read 'good' as a score"),
    ("4", "7", "score_scale (评分满分): 7 is not a score scale — expected 5, 10 or 100"),
    ("4", "10.5", "score_scale (评分满分): 10.5 is not a whole number"),
])
def test_score_rejected(score, scale, reason, tmp_path):
    _, rejected = load(tmp_path, "surveys", [survey(score, scale)])
    assert rejected["reason"].tolist() == [reason]


def test_default_score_scale(tmp_path):
    rows = [survey("10", ""), survey("4", "5", "S2"), survey("80", "100", "S3"),
            survey("", "", "S4"), survey("11", "", "S5")]
    good, rejected = load(tmp_path, "surveys", rows, default_score_scale=10)
    assert good["score"].tolist()[:3] == [5.0, 4.0, pytest.approx(4.2)]
    assert pd.isna(good["score"][3])
    assert rejected["reason"].tolist() == ["score (评分): 11 is outside the 1–10 scale"]


def test_default_score_scale_must_be_a_scale(tmp_path):
    with pytest.raises(ValueError):
        load(tmp_path, "surveys", [survey("4")], default_score_scale=7)


def test_every_score_column_on_the_scale(tmp_path):
    row = survey("100", "100", 及时性="50", 技术水平="0", 服务态度="100")
    good, _ = load(tmp_path, "surveys", [row])
    assert good[["score", "timeliness", "skill", "attitude"]].iloc[0].tolist() == [5, 3, 1, 5]


@pytest.mark.parametrize("column, text, expected", [
    ("故障级别", "一般", "general"), ("故障级别", "严重", "severe"),
    ("故障级别", "General", "general"), ("故障级别", "SEVERE", "severe"),
    ("故障级别", "Major", "severe"), ("故障级别", "严重故障", "severe"),
    ("故障级别", "ｍａｊｏｒ", "severe"), ("服务方式", "现场", "onsite"),
    ("服务方式", "On Site", "onsite"), ("报障方式", "微信", "im"),
    ("保修状态", "保外", "out"), ("服务类型", "升级", "upgrade"),
])
def test_enum_spellings(column, text, expected, tmp_path):
    assert one_value(tmp_path, column, text) == (expected, None)


@pytest.mark.parametrize("column, text, expected", [
    ("服务方式", "on_site", "onsite"), ("服务方式", "ON-SITE", "onsite"),
    ("服务方式", "On  site", "onsite"), ("报障方式", "E Mail", "email"),
    ("报障方式", "e_mail", "email"), ("报障方式", "Tele-phone", "phone"),
    ("保修状态", "In-Warranty", "in"), ("保修状态", "OUT OF WARRANTY", "out"),
    ("保修状态", "out-of-warranty", "out"), ("服务方式", "现场 支持", "onsite"),
    ("服务方式", "ｏｎ－ｓｉｔｅ", "onsite"), ("系统瘫痪", "Y E S", True),
])
def test_enum_spellings_ignore_case_spaces_hyphens_underscores(column, text, expected,
                                                                tmp_path):
    assert one_value(tmp_path, column, text) == (expected, None)


def test_loose_spellings_are_one_lookup_per_distinct_value(tmp_path, monkeypatch):
    # Vectorised: the spellings of a column are folded in Arrow, no per-value Python fold.
    import etl.coerce as coerce_module
    import etl.readers as readers_module

    calls = []
    real = readers_module.loose_key
    monkeypatch.setattr(coerce_module, "loose_key", lambda text: calls.append(text) or real(text))
    rows = [ticket("服务方式", v, f"T{i}") for i, v in enumerate(["on_site", "Remote", "X y"])]
    good, rejected = load(tmp_path, "tickets", rows)
    assert good["service_mode"].tolist() == ["onsite", "remote"]
    assert not set(calls) & {"on_site", "Remote", "X y"}


def test_no_two_builtin_spellings_collide_when_compared_loosely():
    from etl.readers import loose_key
    from service_quality.schema import BOOL_VALUES, ENUMS

    for members in [*ENUMS.values(), {v: names for v, names in BOOL_VALUES.items()}]:
        seen = {}
        for canonical, names in members.items():
            for spelling in (*names, *([canonical] if isinstance(canonical, str) else [])):
                assert seen.setdefault(loose_key(spelling), canonical) == canonical, spelling


@pytest.mark.parametrize("column, text, reason", [
    ("故障级别", "紧急", "reported_severity (故障级别): unknown value '紧急' "
                      "— expected one of 一般/general, 严重/severe"),
    ("保修状态", "过保", "warranty (保修状态): unknown value '过保' "
                      "— expected one of 保内/in, 保外/out"),
])
def test_enum_rejected(column, text, reason, tmp_path):
    assert one_value(tmp_path, column, text) == (None, reason)


def test_category_defaults_to_fault(tmp_path):
    good, _ = load(tmp_path, "tickets", [ticket("服务类型", ""), ticket("服务类型", "巡检", "T2")])
    assert good["category"].tolist() == ["fault", "inspection"]


def test_strings_kept_as_given(tmp_path):
    good, _ = load(tmp_path, "tickets", [ticket("地点", "=1+1"), ticket("地点", "", "T2")])
    assert good["site"].tolist() == ["=1+1", None]
    assert good["site"].dtype == object


def test_required_missing(tmp_path):
    _, rejected = load(tmp_path, "tickets", [ticket("客户编号", "")])
    assert rejected["reason"].tolist() == ["customer_id (客户编号): missing"]


def test_not_before(tmp_path):
    rows = [ticket("到场时间", "2025-10-09 09:00"),
            ticket("到场时间", "2025-10-09 10:00", "T2"),
            ticket("备件申请时间", "2025-10-09 12:00", "T3", 备件到货时间="2025-10-09 11:59:59")]
    good, rejected = load(tmp_path, "tickets", rows)
    assert good["ticket_id"].tolist() == ["T2"]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 2, "reason": "arrived_at (到场时间) 2025-10-09 09:00:00 is before "
                                    "reported_at (报障时间) 2025-10-09 10:00:00"},
        {"row_number": 4, "reason": "part_received_at (备件到货时间) 2025-10-09 11:59:59 is before "
                                    "part_requested_at (备件申请时间) 2025-10-09 12:00:00"},
    ]


def test_duplicate_key_keeps_the_first(tmp_path):
    rows = [ticket("地点", "a"), ticket("地点", "b", "T2"),
            ticket("地点", "c"), ticket("地点", "d")]
    good, rejected = load(tmp_path, "tickets", rows)
    assert good["site"].tolist() == ["a", "b"]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 4, "reason": "duplicate ticket_id T1 (first at row 2)"},
        {"row_number": 5, "reason": "duplicate ticket_id T1 (first at row 2)"},
    ]


def test_duplicate_composite_key_compares_values(tmp_path):
    rows = [{"工单号": "T1", "时间": "2025-10-09 10:00", "事件": "暂停"},
            {"工单号": "T1", "时间": "2025/10/9 10:00:00", "事件": "pause"},
            {"工单号": "T1", "时间": "2025-10-09 10:00", "事件": "恢复"}]
    good, rejected = load(tmp_path, "ticket_events", rows)
    assert good["event"].tolist() == ["pause", "resume"]
    assert rejected["reason"].tolist() == [
        "duplicate ticket_id T1, at 2025-10-09 10:00:00, event pause (first at row 2)"
    ]


def test_duplicate_version_after_default(tmp_path):
    _, rejected = load(tmp_path, "fault_reports", [report(版本=""), report(版本="1")])
    assert rejected["reason"].tolist() == ["duplicate ticket_id T1, version 1 (first at row 2)"]


def test_several_problems_in_column_order(tmp_path):
    row = ticket("客户编号", "", 故障级别="紧急", 错误占比="8", 到场时间="2025-10-09 09:00",
                 转交次数="-1")
    rows = [ticket("地点", "x"), row]
    good, rejected = load(tmp_path, "tickets", rows)
    assert rejected["reason"].tolist() == ["; ".join([
        "customer_id (客户编号): missing",
        "reported_severity (故障级别): unknown value '紧急' "
        "— expected one of 一般/general, 严重/severe",
        "error_ratio (错误占比): 8 is outside 0–1; write 8% for a percentage",
        "arrived_at (到场时间) 2025-10-09 09:00:00 is before "
        "reported_at (报障时间) 2025-10-09 10:00:00",
        "transfers (转交次数): -1 is negative",
        "duplicate ticket_id T1 (first at row 2)",
    ])]


def test_rejected_rows_carry_the_row_as_read(tmp_path):
    rows = [ticket("错误占比", " 8 "), ticket("错误占比", "8%", "T2")]
    good, rejected = load(tmp_path, "tickets", rows)
    assert list(rejected.columns) == ["row_number", "reason", "raw"]
    assert json.loads(rejected["raw"][0]) == {**TICKET_HEAD, "错误占比": " 8 "}
    assert good["row_number"].tolist() == [3]


def test_good_rows_in_contract_dtypes(tmp_path):
    good, rejected = load(tmp_path, "tickets", [ticket("系统瘫痪", "是", 错误占比="8%")])
    columns = ENTITIES["tickets"].columns
    assert list(good.columns) == [c.name for c in columns] + ["row_number"]
    assert {c.name: str(good[c.name].dtype) for c in columns} == {
        c.name: str(pd.Series(dtype=DTYPES[c.kind]).dtype) for c in columns
    }
    assert str(good["row_number"].dtype) == "int64"


def test_header_only_file(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("工单号,客户编号,报障时间\n", encoding="utf-8")
    good, rejected = coerce(read_table(path), ENTITIES["tickets"])
    assert good.empty and rejected.empty
    assert "row_number" in good.columns
    assert list(rejected.columns) == ["row_number", "reason", "raw"]


def test_many_rows_mixed(tmp_path):
    rows = []
    for i in range(500):
        reported = f"2025-10-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"
        rows.append(ticket("错误占比", ["8%", "8", "", "1/10", "x"][i % 5], f"T{i % 450}",
                           报障时间=reported, 故障级别=["一般", "严重", "紧急"][i % 3]))
    good, rejected = load(tmp_path, "tickets", rows)
    assert len(good) + len(rejected) == 500
    assert set(good["row_number"]).isdisjoint(rejected["row_number"])
    assert rejected["reason"].str.len().min() > 0


def test_timestamps_read_chunk_by_chunk(tmp_path):
    # A large file arrives in several Arrow chunks, and each chunk picks its own way to parse.
    rows = [ticket("地点", "x", f"T{i}") for i in range(6)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(rows[0]), *[r.values() for r in rows]])
    path = tmp_path / "tickets.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    table = read_table(path)
    chunks = pa.chunked_array([
        pa.array(["2025-10-09 10:00", "2025-10-09 11:00:30"], pa.large_string()),
        pa.array(["2025年10月9日 9:05", None], pa.large_string()),
        pa.array(["45931.4375", "2025-10-09 25:00"], pa.large_string()),
    ])
    table.frame["reported_at"] = chunks.to_pandas()
    assert table.frame["reported_at"].array.__arrow_array__().num_chunks == 3
    good, rejected = coerce(table, ENTITIES["tickets"])
    assert good["reported_at"].tolist() == [pd.Timestamp(t) for t in (
        "2025-10-09 10:00", "2025-10-09 11:00:30", "2025-10-09 09:05", "2025-10-01 10:30")]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 5, "reason": "reported_at (报障时间): missing"},
        {"row_number": 7, "reason": "reported_at (报障时间): cannot read '2025-10-09 25:00' as a "
                                    "date and time — expected e.g. 2025-10-09 14:30"},
    ]


def _spellings(count: int, seed: int = 7) -> list[str | None]:
    """Moments in every layout _fixed_times reads, with digits at and past each field's limits,
    and as many with one character changed, dropped or added."""
    import random

    from etl.coerce import _LAYOUTS

    rng = random.Random(seed)
    digit = {"Y": "0125", "M": "0129", "D": "01239", "h": "01249", "m": "0569", "s": "0569",
             "H": "01458", "N": "0369"}
    fill = {"T": " T", "_": " ", "±": "+-"}
    out: list[str | None] = [None, ""]
    for _ in range(count):
        template = rng.choice(_LAYOUTS)
        text = "".join(rng.choice(digit[c]) if c in digit else rng.choice(fill.get(c, c))
                       for c in template)
        if rng.random() < 0.7:   # mostly real years, so that month and day limits are met
            text = rng.choice(("2025", "2024", "1991", "1992", "1677", "2261")) + text[4:]
        out.append(text)
        at, other = rng.randrange(len(text)), rng.choice("09/-: TZ+x年０")
        out.append(rng.choice((text[:at] + other + text[at + 1:], text[:at] + text[at + 1:],
                               text[:at] + other + text[at:])))
    return out


def test_the_fast_reading_of_times_reads_what_the_careful_one_reads():
    from etl.coerce import _column_times, _fixed_times, _other_times

    values = _spellings(20_000)
    for kind in (pa.large_string(), pa.string()):
        # Several chunks, one sliced: the byte reading follows the offsets.
        text = pa.chunked_array([pa.array(values[:5000], kind),
                                 pa.array(values[4000:], kind).slice(1000)])
        fast, careful = _column_times(text), _other_times(text)
        assert (fast[0] == careful[0]).all() and (fast[1] == careful[1]).all()
    # and the fast reading is used: every common layout is read from its bytes
    common = ["2025-10-09 14:30:00", "2025-10-09T14:30", "2025-10-09", "2025/1/5 9:30",
              "2025/10/09 09:30:59", "2025-10-09T06:30:00Z", "2025-10-09T14:30:00+08:00"]
    ns, read = _fixed_times(pa.chunked_array([pa.array(common, pa.large_string())]))
    assert read.all()
    assert ns.tolist() == _other_times(pa.chunked_array([pa.array(common)]))[0].tolist()
