"""etl.readers on tiny CSV and XLSX files: encodings, headers, row numbers, exact refusals."""

import json
from datetime import date, datetime

import numpy as np
import openpyxl
import pytest

from etl.coerce import coerce
from etl.readers import InputError, entity_for, read_table
from service_quality.schema import ENTITIES
from tests.support.workbooks import wide_workbook

TICKETS_CSV = "工单号,客户编号,报障时间\nT1,C1,2025-10-09 10:00\nT2,客户乙,2025-10-09 11:00\n"


def write(tmp_path, name, content, encoding="utf-8"):
    """Write `content` (text in `encoding`, or bytes as is) to tmp_path/name."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def refusal(path, entity=None):
    """The message read_table refuses `path` with."""
    with pytest.raises(InputError) as e:
        read_table(path, entity)
    return str(e.value)


@pytest.mark.parametrize("name, entity", [
    ("tickets.csv", "tickets"),
    ("tickets_2025-10.csv", "tickets"),
    ("tickets-2025.xlsx", "tickets"),
    ("tickets.2025.10.csv", "tickets"),
    ("tickets 2025年10月.csv", "tickets"),
    ("Tickets.CSV", "tickets"),
    ("ＴＩＣＫＥＴＳ.csv", "tickets"),
    ("工单.csv", "tickets"),
    ("工单_10月.xlsx", "tickets"),
    ("ticket_events.csv", "ticket_events"),
    ("工单事件.csv", "ticket_events"),
    ("fault_reports_v2.csv", "fault_reports"),
    ("duty_roster.csv", "duty_roster"),
    ("值班表-国庆.csv", "duty_roster"),
    ("calendar.csv", "calendar"),
    ("ticketsx.csv", None),
    ("my_tickets.csv", None),
    ("export.csv", None),
])
def test_entity_for(name, entity, tmp_path):
    assert entity_for(tmp_path / name) == entity


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gbk", "gb18030"),
    ("gb18030", "gb18030"),
])
def test_csv_encodings(encoding, expected, tmp_path):
    table = read_table(write(tmp_path, "tickets.csv", TICKETS_CSV, encoding))
    assert table.encoding == expected
    assert table.frame["customer_id"].tolist() == ["C1", "客户乙"]
    assert table.raw[1] == json.dumps(
        {"工单号": "T2", "客户编号": "客户乙", "报障时间": "2025-10-09 11:00"}, ensure_ascii=False
    )


def test_ascii_only_file_is_utf8(tmp_path):
    path = write(tmp_path, "tickets.csv", "ticket_id,customer_id,reported_at\nT1,C1,2025-10-09\n")
    assert read_table(path).encoding == "utf-8"


EMPTY = "tickets.csv: the file is empty — expected a header row with the column names"


@pytest.mark.parametrize("content, message", [
    (b"ticket_id,customer_id,reported_at\nT1,C\xff1,2025-10-09\n",
     "tickets.csv: neither UTF-8 nor GB18030 text — byte offset 38 (0xFF) is neither; "
     "save it as CSV UTF-8"),
    # UTF-8 Chinese read as GB18030 goes wrong early: both offsets are named
    ("工单号,客户编号,报障时间\n".encode() + b"T1,\x80,2025-10-09\n",
     "tickets.csv: neither UTF-8 nor GB18030 text — byte offset 8 (0xB7) is neither "
     "(UTF-8 already fails at byte offset 39); save it as CSV UTF-8"),
    ("ticket_id\nT1\n".encode("utf-16"),
     "tickets.csv: the file is UTF-16 text — save it as CSV UTF-8"),
    (b"\xef\xbb\xbfticket_id\n\xff\n",
     "tickets.csv: starts with a UTF-8 byte-order mark but byte offset 13 (0xFF) is not UTF-8 "
     "— save it again as CSV UTF-8"),
    (b"", EMPTY),
    (b"\r\n \n\t\n", EMPTY),
    (b"\xef\xbb\xbf", EMPTY),
])
def test_unreadable_csv(content, message, tmp_path):
    assert refusal(write(tmp_path, "tickets.csv", content)) == message


def test_gb18030_offset_is_where_gb18030_fails(tmp_path):
    # "工单号" in UTF-8 decodes as GB18030 up to a point: the offset named is GB18030's.
    content = "工单号\n".encode() + b"\xff\n"
    message = refusal(write(tmp_path, "tickets.csv", content))
    assert message.startswith("tickets.csv: neither UTF-8 nor GB18030 text — byte offset ")
    offset = int(message.split("byte offset ")[1].split(" ")[0])
    with pytest.raises(UnicodeDecodeError) as e:
        content.decode("gb18030")
    assert offset == e.value.start


def test_missing_required_column_message(tmp_path):
    path = write(tmp_path, "tickets.csv", "工单号,报障时间,备注\nT1,2025-10-09 10:00,x\n")
    assert refusal(path) == (
        "tickets.csv: missing required column customer_id (客户编号) — "
        "found columns: 工单号, 报障时间, 备注"
    )


def test_missing_required_columns_message(tmp_path):
    path = write(tmp_path, "surveys.csv", "调查编号,评分\nS1,5\n")
    assert refusal(path) == (
        "surveys.csv: missing required columns customer_id (客户编号), sent_at (发送时间) — "
        "found columns: 调查编号, 评分"
    )


def test_two_headers_for_one_column(tmp_path):
    text = "工单号,客户编号,报障时间,ticket_id\nT1,C1,2025-10-09,T1\n"
    path = write(tmp_path, "tickets.csv", text)
    assert refusal(path) == (
        "tickets.csv: columns 工单号 and ticket_id both mean ticket_id (工单号) — keep only one"
    )


@pytest.mark.parametrize("name, message", [
    ("export.csv", "export.csv: cannot tell which table this file holds — name it after one of: "
                   "tickets (工单), ticket_events (工单事件), fault_reports (故障报告), "
                   "surveys (满意度调查), complaints (投诉), actions (改进措施), customers (客户), "
                   "engineers (工程师), duty_roster (值班表), calendar (工作日历)"),
    ("tickets.xls", "tickets.xls: the old Excel format .xls cannot be read — save it as .xlsx"),
    ("tickets.txt", "tickets.txt: not a .csv or .xlsx file"),
])
def test_refused_names(name, message, tmp_path):
    assert refusal(write(tmp_path, name, TICKETS_CSV)) == message


def test_entity_argument_overrides_the_name(tmp_path):
    table = read_table(write(tmp_path, "export.csv", TICKETS_CSV), "tickets")
    assert table.entity == "tickets"
    assert read_table(write(tmp_path, "x.csv", TICKETS_CSV), "工单").entity == "tickets"


@pytest.mark.parametrize("header, column", [
    ("ticket_id", "ticket_id"),
    ("  Ticket_ID ", "ticket_id"),
    ("TICKET_ID", "ticket_id"),
    ("ｔｉｃｋｅｔ＿ｉｄ", "ticket_id"),
    ("工单编号", "ticket_id"),
    ("服务单号", "ticket_id"),
    ("\u3000工单号\u3000", "ticket_id"),
])
def test_header_spellings(header, column, tmp_path):
    path = write(tmp_path, "tickets.csv", f"{header},客户编号,报障时间\nT1,C1,2025-10-09\n")
    assert read_table(path).frame[column].tolist() == ["T1"]


def test_full_width_brackets_in_header(tmp_path):
    text = "工单号,客户编号,报障时间,等待复现时长（分钟）\nT1,C1,2025-10-09,30\n"
    path = write(tmp_path, "tickets.csv", text)
    assert read_table(path).frame["wait_minutes"].tolist() == ["30"]


def test_frame_has_every_column_as_text(tmp_path):
    table = read_table(write(tmp_path, "tickets.csv", TICKETS_CSV))
    assert list(table.frame.columns) == ENTITIES["tickets"].column_names
    assert all(str(t) == "str" for t in table.frame.dtypes)
    assert table.frame["channel"].isna().all()
    assert (table.file, table.entity, table.sheet) == ("tickets.csv", "tickets", None)


def test_values_stripped_and_empty_is_missing(tmp_path):
    path = write(tmp_path, "tickets.csv",
                 "工单号,客户编号,报障时间,地点\n  T1 ,\tC1,2025-10-09 10:00 ,\u3000\n")
    table = read_table(path)
    row = table.frame.iloc[0]
    assert (row["ticket_id"], row["customer_id"], row["reported_at"]) == (
        "T1", "C1", "2025-10-09 10:00")
    assert row.isna()["site"]
    # raw keeps the text as it was in the file
    assert json.loads(table.raw[0])["工单号"] == "  T1 "


def test_unknown_columns_kept_in_raw(tmp_path):
    text = "工单号,客户编号,报障时间,内部备注,Extra\nT1,C1,2025-10-09,a,b\n"
    path = write(tmp_path, "tickets.csv", text)
    table = read_table(path)
    assert table.unknown_columns == ["内部备注", "Extra"]
    assert json.loads(table.raw[0]) == {
        "工单号": "T1", "客户编号": "C1", "报障时间": "2025-10-09", "内部备注": "a", "Extra": "b"
    }


def test_blank_trailing_header_column_dropped(tmp_path):
    # Excel leaves a trailing comma in every line when a column was deleted but not cleared.
    path = write(tmp_path, "tickets.csv", "工单号,客户编号,报障时间,\nT1,C1,2025-10-09,\n")
    table = read_table(path)
    assert table.unknown_columns == []
    assert json.loads(table.raw[0]) == {"工单号": "T1", "客户编号": "C1", "报障时间": "2025-10-09"}


def test_blank_header_with_values_is_reported(tmp_path):
    path = write(tmp_path, "tickets.csv", "工单号,客户编号,报障时间,\nT1,C1,2025-10-09,x\n")
    assert read_table(path).unknown_columns == ["(column 4)"]


@pytest.mark.parametrize("text, numbers, ids", [
    ("h\nT1,C1,2025-10-09\nT2,C1,2025-10-09\n", [2, 3], ["T1", "T2"]),
    # a quoted value over three lines is one record, so one row
    ('h\nT1,C1,2025-10-09\n"T\n2",C1,"2025-10-09"\nT3,C1,2025-10-09\n', [2, 3, 4],
     ["T1", "T\n2", "T3"]),
    # empty rows are skipped, not counted as read, and keep their row number
    ("h\nT1,C1,2025-10-09\n\n,,\n , ,\nT5,C1,2025-10-09\n", [2, 6], ["T1", "T5"]),
    ("h\r\nT1,C1,2025-10-09\r\n\r\nT3,C1,2025-10-09\r\n\r\n", [2, 4], ["T1", "T3"]),
    # a line of spaces is an empty row too, although it has too few fields
    ('h\n"T\n1",C1,2025-10-09\n   \nT3,C1,2025-10-09', [2, 4], ["T\n1", "T3"]),
    # blank lines above the header: the header is where it is
    ("\n\nh\nT1,C1,2025-10-09\n", [4], ["T1"]),
    ("h\n", [], []),
])
def test_csv_row_numbers(text, numbers, ids, tmp_path):
    text = text.replace("h\n", "工单号,客户编号,报障时间\n", 1).replace(
        "h\r\n", "工单号,客户编号,报障时间\r\n", 1)
    table = read_table(write(tmp_path, "tickets.csv", text))
    assert table.row_numbers.tolist() == numbers
    assert table.frame["ticket_id"].tolist() == ids
    assert table.row_numbers.dtype == np.int64


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("reader", ["read_table", "read_raw"])
def test_a_quoted_cell_holding_a_bare_cr_is_text(tmp_path, end, reader):
    # Excel keeps a line break typed in a cell as a bare CR and, saving "CSV (Macintosh)",
    # ends lines with CR too; with a row of too few values the reader used to count records
    # by LF alone, disagree with the parser and refuse the whole file.
    from etl.readers import read_raw

    lines = ["工单号,客户编号,报障时间,地点", 'T1,C1,2025-10-09 10:00,"3楼\r机房"',
             "T2,C1", '"T3",C1,2025-10-09 11:00,"\r"', "", "T5,C1,2025-10-09 12:00,B"]
    path = write(tmp_path, "tickets.csv", end.join(lines) + end)
    if reader == "read_raw":
        raw = read_raw(path)
        assert raw.row_numbers.tolist() == [2, 3, 4, 5, 6]
        assert raw.body.column(3).to_pylist() == ["3楼\r机房", "", "\r", "", "B"]
        assert list(raw.malformed) == [1]
        return
    table = read_table(path)
    assert table.row_numbers.tolist() == [2, 3, 4, 6]
    assert table.frame["site"].tolist()[:1] == ["3楼\r机房"]
    assert table.malformed[1][0] == "row has 2 values but the header has 4 columns"


def test_a_stray_cr_line_with_a_ragged_row(tmp_path):
    text = "工单号,客户编号,报障时间\r\nT1,C1,2025-10-09\r\n\r\r\nT2,C1\r\nT3,C1,2025-10-09\r\n"
    table = read_table(write(tmp_path, "tickets.csv", text))
    assert table.row_numbers.tolist() == [2, 5, 6]   # CR, then CR LF: two empty lines
    assert table.frame["ticket_id"].tolist()[::2] == ["T1", "T3"]
    assert table.malformed[1] == ("row has 2 values but the header has 3 columns",
                                  '{"工单号": "T2", "客户编号": "C1"}')


def test_line_ends_and_carriage_returns_anywhere_never_refuse_a_file(tmp_path):
    # Seeded mixes of LF, CR LF and CR line ends, CRs in and out of quoted cells, blank and
    # CR-only lines and rows of too few or too many values: every file is read, every
    # ragged row is kept as such.
    import random

    rng = random.Random(12)
    for _ in range(120):
        end = rng.choice(["\n", "\r\n", "\r"])
        lines, ragged = ["工单号,客户编号,报障时间,地点"], 0
        for i in range(rng.randint(1, 6)):
            cell = "".join(rng.choice(["a", "\r", "\n", ",", '""', " ", "\r\n"])
                           for _ in range(rng.randint(0, 4)))
            values = [f"T{i}", "C1", "2025-10-09", f'"{cell}"']
            if rng.random() < 0.2:
                values, ragged = values[:2], ragged + 1
            lines.append(",".join(values))
            if rng.random() < 0.15:
                lines.append(rng.choice(["", " ", "\r"]))
        path = write(tmp_path, "tickets.csv", end.join(lines) + end)
        assert len(read_table(path).malformed) == ragged, repr(end.join(lines))


def test_ragged_row_in_a_quoted_file(tmp_path):
    text = '工单号,客户编号,报障时间\n"T\n1",C1,"2025-10-09"\n\n"T3",C1\n"T4","C,1",2025-10-09\n'
    table = read_table(write(tmp_path, "tickets.csv", text))
    assert table.row_numbers.tolist() == [2, 4, 5]
    good, rejected = coerce(table, ENTITIES["tickets"])
    assert good["customer_id"].tolist() == ["C1", "C,1"]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 4, "reason": "row has 2 values but the header has 3 columns"}]


def test_ragged_row_is_rejected_whole(tmp_path):
    text = ("工单号,客户编号,报障时间\nT1,C1,2025-10-09\nT2,C1,2025-10-09,extra\nT3,C1\n"
            "T4,C1,2025-10-09\n")
    table = read_table(write(tmp_path, "tickets.csv", text))
    assert table.row_numbers.tolist() == [2, 3, 4, 5]
    good, rejected = coerce(table, ENTITIES["tickets"])
    assert good["ticket_id"].tolist() == ["T1", "T4"]
    assert rejected.to_dict("records") == [
        {"row_number": 3, "reason": "row has 4 values but the header has 3 columns",
         "raw": '{"工单号": "T2", "客户编号": "C1", "报障时间": "2025-10-09", '
                '"(column 4)": "extra"}'},
        {"row_number": 4, "reason": "row has 2 values but the header has 3 columns",
         "raw": '{"工单号": "T3", "客户编号": "C1"}'},
    ]


@pytest.mark.parametrize("text, row", [
    ('h\nT1,"C1,2025-10-09\nT2,C1,2025-10-09\nT3,C1,2025-10-09\n', 2),
    ('h\n"T\n1",C1,2025-10-09\nT2,"C""1,2025-10-09\nT3,C1,2025-10-09', 3),
])
def test_unclosed_quote_is_refused(text, row, tmp_path):
    path = write(tmp_path, "tickets.csv", text.replace("h", "工单号,客户编号,报障时间", 1))
    assert refusal(path) == (
        f'tickets.csv: row {row} opens a quoted value (") that is never closed — '
        'a quote inside a value must be written twice ("")'
    )


def test_quotes_inside_unquoted_value_are_text(tmp_path):
    text = '工单号,客户编号,报障时间,设备\nT1,C1,2025-10-09,5" 硬盘 2"\n'
    path = write(tmp_path, "tickets.csv", text)
    assert read_table(path).frame["device"].tolist() == ['5" 硬盘 2"']


@pytest.mark.parametrize("value", [
    'say "hi"', "back\\slash", "two\nlines", "tab\there", "bell\x07", "中文，全角", "=1+1",
])
def test_raw_is_json_of_the_row_as_read(value, tmp_path):
    quoted = '"' + value.replace('"', '""') + '"'
    text = f"工单号,客户编号,报障时间,地点\nT1,C1,2025-10-09,{quoted}\n"
    table = read_table(write(tmp_path, "tickets.csv", text))
    row = {"工单号": "T1", "客户编号": "C1", "报障时间": "2025-10-09", "地点": value}
    expected = json.dumps(row, ensure_ascii=False)
    assert table.raw[0] == expected
    assert table.raw_at([0]).tolist() == [expected]
    assert table.frame["site"][0] == value.strip()


# --- XLSX ----------------------------------------------------------------------------------------


def workbook(path, sheets):
    """Write {sheet title: rows} (rows as lists, None for an empty cell) to an .xlsx file."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_cell_values_to_text(tmp_path):
    path = workbook(tmp_path / "tickets.xlsx", {"Sheet1": [
        ["工单号", "客户编号", "报障时间", "到场时间", "转交次数", "等待复现时长", "系统瘫痪",
         "地点"],
        ["T1", 1001, datetime(2025, 10, 1, 10, 30), 45931.4375, 2.0, 12.5, True, "  北京  "],
        ["T2", "C2", date(2025, 10, 2), "2025-10-02 09:00", 3, 0.1, False, None],
    ]})
    table = read_table(path)
    frame = table.frame
    assert (table.encoding, table.sheet) == ("xlsx", "Sheet1")
    assert frame["customer_id"].tolist() == ["1001", "C2"]
    assert frame["reported_at"].tolist() == ["2025-10-01 10:30:00", "2025-10-02 00:00:00"]
    assert frame["arrived_at"].tolist() == ["45931.4375", "2025-10-02 09:00"]
    assert frame["transfers"].tolist() == ["2", "3"]
    assert frame["wait_minutes"].tolist() == ["12.5", "0.1"]
    assert frame["system_down"].tolist() == ["true", "false"]
    assert frame["site"][0] == "北京" and frame["site"].isna()[1]
    good, rejected = coerce(table, ENTITIES["tickets"])
    assert rejected.empty
    assert good["arrived_at"][0] == datetime(2025, 10, 1, 10, 30)
    assert good["reported_at"][1] == datetime(2025, 10, 2)


def test_xlsx_sheet_named_after_entity(tmp_path):
    rows = [["工单号", "客户编号", "报障时间"], ["T1", "C1", "2025-10-09"]]
    other = [["说明"], ["这一页不是数据"]]
    for title in ("tickets", "工单", "Tickets"):
        path = workbook(tmp_path / f"tickets_{len(title)}.xlsx", {"说明": other, title: rows})
        table = read_table(path)
        assert table.sheet == title
        assert table.frame["ticket_id"].tolist() == ["T1"]


def test_xlsx_first_sheet_otherwise(tmp_path):
    rows = [["工单号", "客户编号", "报障时间"], ["T1", "C1", "2025-10-09"]]
    path = workbook(tmp_path / "tickets.xlsx", {"导出": rows, "Sheet2": [["x"]]})
    assert read_table(path).sheet == "导出"


def test_xlsx_entity_from_sheet_name(tmp_path):
    rows = [["投诉编号", "客户编号", "投诉时间"], ["P1", "C1", "2025-10-09"]]
    path = workbook(tmp_path / "export.xlsx", {"说明": [["x"]], "投诉": rows})
    table = read_table(path)
    assert (table.entity, table.sheet) == ("complaints", "投诉")


def test_xlsx_row_numbers(tmp_path):
    path = workbook(tmp_path / "tickets.xlsx", {"Sheet1": [
        [], [None, None], ["工单号", "客户编号", "报障时间"],
        ["T1", "C1", "2025-10-09"], [None, None, None], ["  ", None, ""],
        ["T4", "C1", "2025-10-09"],
    ]})
    table = read_table(path)
    assert table.row_numbers.tolist() == [4, 7]
    assert table.frame["ticket_id"].tolist() == ["T1", "T4"]


@pytest.mark.parametrize("make, message", [
    (lambda p: workbook(p, {"Sheet": []}),
     "tickets.xlsx: sheet 'Sheet' is empty — expected a header row with the column names"),
    (lambda p: workbook(p, {"Sheet": [[None], [None, "  "]]}),
     "tickets.xlsx: sheet 'Sheet' is empty — expected a header row with the column names"),
    (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
     "tickets.xlsx: cannot be read as an .xlsx workbook — File is not a zip file"),
    (lambda p: p.write_text(TICKETS_CSV),
     "tickets.xlsx: cannot be read as an .xlsx workbook — File is not a zip file"),
])
def test_unreadable_xlsx(make, message, tmp_path):
    path = tmp_path / "tickets.xlsx"
    make(path)
    assert refusal(path) == message


def test_xlsx_missing_required_column(tmp_path):
    rows = [["工单号", "报障时间"], ["T1", "2025-10-09"]]
    path = workbook(tmp_path / "tickets.xlsx", {"工单": rows})
    assert refusal(path) == (
        "tickets.xlsx: missing required column customer_id (客户编号) — "
        "found columns: 工单号, 报障时间"
    )


# --- trimming without copies ----------------------------------------------------------------------
def test_the_trim_check_knows_every_character_arrow_trims():
    import pyarrow as pa
    import pyarrow.compute as pc

    from etl import readers

    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    trimmed = pc.utf8_trim_whitespace(pa.array([f"a{chr(c)}" for c in points])).to_pylist()
    arrow_spaces = [chr(c).encode() for c, t in zip(points, trimmed, strict=True) if t == "a"]
    assert sorted(arrow_spaces) == sorted(readers._WHITESPACE)


@pytest.mark.parametrize("space", ["\u3000", "\u00a0", "\u2009", "\u1680", "\u0085", " ", "\t"])
def test_chinese_text_is_trimmed_only_where_a_value_has_space(space, tmp_path):
    import pyarrow as pa

    from etl import readers

    plain = pa.chunked_array([pa.array(["北京", "是", "湛江市赤坎区", "T1"], pa.large_string())])
    assert readers._trim(plain).chunk(0).buffers()[2].address == plain.chunk(0).buffers()[2].address
    for value in (f"{space}北京", f"北京{space}", f"是{space}", f"{space}"):
        column = pa.chunked_array([pa.array(["北京", value, "否"], pa.large_string())])
        assert readers._trim(column).to_pylist() == ["北京", value.strip(space), "否"], value
    path = tmp_path / "tickets.csv"
    rows = "".join(f"T{i},C1,2025-10-01 08:00,北京\n" for i in range(20))
    path.write_text("工单号,客户编号,报障时间,地点\n" + rows + f"T99,C1,2025-10-01 08:00,"
                    f"湛江{space}\n", encoding="utf-8")
    site = read_table(path).frame["site"]
    assert site.iloc[-1] == "湛江" and (site.iloc[:-1] == "北京").all()


# --- workbooks read within limits (issue 15) ---------------------------------------------------

def test_a_sheet_whose_size_is_beyond_the_limit_is_refused_before_it_is_read(tmp_path,
                                                                             monkeypatch):
    """The issue's 12 KB workbook: 2,000 rows using column XFD (main: 30 s and 651 MB)."""
    from etl import readers

    path = wide_workbook(tmp_path / "tickets.xlsx", 2000, 16384)
    monkeypatch.setattr(readers, "_sheet_rows", lambda *a: pytest.fail("the sheet was read"))
    with pytest.raises(InputError, match=r"tickets\.xlsx: sheet 'tickets' says it spans 2,000 "
                                         r"rows × 16,384 columns, more than the 10,000,000 "
                                         r"cells allowed"):
        read_table(path)


@pytest.mark.parametrize("dimension", ["A1:C3", None])
def test_a_sheet_that_hides_its_width_is_refused_at_its_first_wide_row(dimension, tmp_path):
    path = wide_workbook(tmp_path / "tickets.xlsx", 2000, 16384, dimension)
    with pytest.raises(InputError, match=r"more than 1999 columns \(row 2 fills column 16,384\)"):
        read_table(path)


def test_ten_thousand_columns_are_refused_like_a_csv(tmp_path):
    path = wide_workbook(tmp_path / "tickets.xlsx", 200, 10_000)
    with pytest.raises(InputError, match="more than 1999 columns"):
        read_table(path)
    (tmp_path / "ok").mkdir()
    ok = wide_workbook(tmp_path / "ok" / "tickets.xlsx", 5, 1999)
    assert len(read_table(ok).frame) == 4   # 1,999 columns are still read, as in a CSV


def test_cells_beyond_the_limit_are_refused_while_reading(tmp_path, monkeypatch):
    from etl import readers

    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 60)
    path = wide_workbook(tmp_path / "tickets.xlsx", 30, 3, dimension="A1:C2")
    with pytest.raises(InputError, match=r"holds more than 60 cells \(by row 2[01]\)"):
        read_table(path)
    path = wide_workbook(tmp_path / "tickets.xlsx", 30, 3)
    with pytest.raises(InputError, match="says it spans 30 rows × 3 columns"):
        read_table(path)


def test_a_workbook_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    from etl import readers

    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED", 1000)
    path = wide_workbook(tmp_path / "tickets.xlsx", 3, 3)
    with pytest.raises(InputError, match="the workbook unpacks to"):
        read_table(path)


def test_a_read_past_its_time_budget_gives_up(tmp_path):
    from etl.readers import time_budget

    path = wide_workbook(tmp_path / "tickets.xlsx", 3, 3)
    with time_budget(0), pytest.raises(InputError, match=r"took longer than the 0 s allowed"):
        read_table(path)
    assert len(read_table(path).frame) == 2   # no budget outside the block
