"""Upload on the Data page: files saved safely, a preview before anything is written, confirm."""

import json
import os
import shutil
import time
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from etl import upload
from etl.load import LoadRefused
from service_quality.accounts import User
from service_quality.columns import label
from service_quality.messages import t
from tests.sqlcheck import rows as sql

ROOT = Path(__file__).resolve().parent.parent
SUPERVISOR = User("sup", "supervisor")
SCRIPT = "<script>alert(1)</script>"
TICKETS = (
    "ticket_id,customer_id,reported_at,channel,device,备注\n"
    f"TU-1,C001,2026-10-30 10:00,phone,{SCRIPT},ok\n"
    "TU-2,C001,notadate,phone,printer,**bold**\n"
    "TU-3,C002,2026-10-30 11:15,email,scanner,\n"
)


@pytest.fixture
def db(fixture_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the fixture database, which the app (DASHBOARD_DB) reads."""
    path = tmp_path / "data" / "service.duckdb"
    path.parent.mkdir()
    shutil.copyfile(fixture_db, path)
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    return path


def page() -> AppTest:
    """The Data page, run once (local mode: a supervisor)."""
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def put(at: AppTest, *files, key="upload_files") -> AppTest:
    """Upload (name, bytes) files and run."""
    at.file_uploader(key=key).set_value([(n, b, "application/octet-stream") for n, b in files])
    at.run()
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, key: str) -> pd.DataFrame:
    """The data of the table in the container with KEY."""
    return at.get_by_key(key).dataframe[0].value


def markdown_texts(at) -> str:
    """Everything the page rendered as Markdown (titles, captions, alerts, labels)."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                 "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [w.label for kind in ("selectbox", "button", "expander", "text_area")
            for w in getattr(at, kind)]
    return "\n".join(out)


def pending(db: Path) -> list[Path]:
    """Files of previews not confirmed."""
    return sorted((db.parent / "uploads" / ".pending").rglob("*.*"))


def batches(db: Path) -> int:
    return sql(db, "SELECT count(*) FROM load_batches")[0][0]


# ── preview ───────────────────────────────────────────────────────────────────────────────────

def test_preview_of_a_canonical_csv_shows_rows_and_the_rejected_row(db):
    before, mtime = batches(db), db.stat().st_mtime_ns
    at = put(page(), ("tickets.csv", TICKETS.encode()))
    summary = frame(at, "upload_summary_table").iloc[0]
    assert summary[label("entity")] == "工单（tickets）"
    assert summary[label("encoding")] == "utf-8"
    assert summary[label("profile")] == t("upload_profile_canonical")
    assert (summary[label("rows_read")], summary[label("rows_loaded")],
            summary[label("rows_rejected")]) == (3, 2, 1)
    rejected = frame(at, "upload_rejected_0")
    assert rejected.iloc[0].tolist()[:2] == ["tickets.csv", 3]   # file, row …
    reason = rejected.iloc[0, 2]
    assert "reported_at" in reason and "notadate" in reason       # … column and content
    head = frame(at, "upload_head_0")
    assert head["ticket_id"].tolist() == ["TU-1", "TU-3"]
    assert str(head["reported_at"].dtype).startswith("datetime64")   # typed as it will load
    assert head["device"].iloc[0] == SCRIPT
    mapping = frame(at, "upload_mapping_0")
    assert dict(zip(mapping.iloc[:, 0], mapping.iloc[:, 2], strict=True))["reported_at"] \
        == "reported_at"
    facts = frame(at, "upload_facts_0")
    assert dict(zip(facts.iloc[:, 0], facts.iloc[:, 1], strict=True))[label("unknown")] \
        == "备注"
    # Nothing written: the database is the same file, the upload waits in a pending folder.
    assert batches(db) == before and db.stat().st_mtime_ns == mtime
    assert [p.name for p in pending(db)] == ["tickets.csv"]
    # The file's text is never Markdown: not in any caption, alert or label.
    shown = markdown_texts(at)
    assert SCRIPT not in shown and "**bold**" not in shown and "notadate" not in shown
    assert not at.button(key="upload_confirm").disabled


def test_a_gbk_csv_with_chinese_headings_shows_its_encoding(db):
    text = "工单号,客户编号,报障时间,设备\nTG-1,C001,2026-10-30 10:00,打印机卡纸\n"
    at = put(page(), ("工单.csv", text.encode("gbk")))
    summary = frame(at, "upload_summary_table").iloc[0]
    assert summary[label("encoding")] == "gb18030"
    assert summary[label("rows_loaded")] == 1
    mapping = frame(at, "upload_mapping_0")
    assert dict(zip(mapping.iloc[:, 0], mapping.iloc[:, 2], strict=True))["reported_at"] \
        == "报障时间"
    assert frame(at, "upload_head_0")["device"].tolist() == ["打印机卡纸"]


def test_an_xlsx_shows_its_sheet_and_rows(db, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "工单"
    sheet.append(["工单号", "客户编号", "报障时间"])
    sheet.append(["TX-1", "C001", pd.Timestamp("2026-10-30 10:00").to_pydatetime()])
    book.save(tmp_path / "export.xlsx")
    at = put(page(), ("export.xlsx", (tmp_path / "export.xlsx").read_bytes()))
    # The name does not say the table; a workbook may say it with its sheet's name.
    assert at.selectbox(key="upload_entity_1").value is None
    facts = frame(at, "upload_facts_0")
    facts = dict(zip(facts.iloc[:, 0], facts.iloc[:, 1], strict=True))
    assert facts[label("encoding")] == "xlsx" and facts[label("sheet")] == "工单"
    assert facts[label("saved_as")] == "tickets_export.xlsx"
    assert frame(at, "upload_head_0")["ticket_id"].tolist() == ["TX-1"]


def test_a_file_that_cannot_be_loaded_says_why_and_blocks_confirm(db):
    at = put(page(), ("tickets.csv", b"ticket_id,reported_at\nT1,2026-10-30 10:00\n"))
    assert t("upload_problem_errors") in [w.value for w in at.warning]
    assert t("upload_status_error") in frame(at, "upload_summary_table").iloc[:, -1].tolist()
    message = at.code[0].value
    assert "tickets.csv" in message and "customer_id" in message
    assert at.button(key="upload_confirm").disabled


# ── confirm ───────────────────────────────────────────────────────────────────────────────────

def test_confirm_loads_the_rows_and_the_load_log_names_the_file(db, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_AUDIT", str(tmp_path / "audit.log"))
    before = batches(db)
    at = put(page(), ("tickets.csv", TICKETS.encode()))
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("已载入 1 个文件：2 行载入，1 行拒收")
    rows = sql(db, "SELECT ticket_id, device FROM tickets WHERE ticket_id LIKE 'TU-%' "
                   "ORDER BY 1")
    assert rows == [("TU-1", SCRIPT), ("TU-3", "scanner")]
    assert batches(db) == before + 1
    file, read, loaded, rejected = sql(
        db, "SELECT file, rows_read, rows_loaded, rows_rejected FROM load_batches "
            "ORDER BY finished_at DESC LIMIT 1")[0]
    kept = Path(file)
    assert (read, loaded, rejected) == (3, 2, 1)
    assert kept.parent.parent == db.parent / "uploads" and kept.name == "tickets.csv"
    assert kept.read_bytes() == TICKETS.encode()    # the file the load log names is kept
    assert sql(db, "SELECT row_number FROM rejected_rows WHERE file = ?", [file]) == [(3,)]
    assert pending(db) == []
    # The page reran on the new file: its load log lists the upload, the uploader is empty.
    log = [c for _, c in _tables(at) if "SHA-256（前 12 位）" in c.columns][0]
    assert f"{kept.parent.name}/tickets.csv" in log.iloc[:, 0].tolist()
    assert not at.file_uploader(key="upload_files_1").value
    result = frame(at, "upload_result_table")
    assert result.iloc[0, :6].tolist() == ["tickets.csv", "tickets", "utf-8", 3, 2, 1]
    (event,) = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    assert (event["event"], event["user"], event["files"], event["rows_loaded"],
            event["rows_rejected"]) == ("upload", "local", ["tickets.csv"], 2, 1)


def _tables(at):
    return [(i, df.value) for i, df in enumerate(at.dataframe)]


def test_a_file_named_for_nothing_asks_for_its_table_and_loads_under_that_name(db):
    at = put(page(), ("export (Oct).csv", TICKETS.encode()))
    assert at.button(key="upload_confirm").disabled
    assert t("upload_problem_pick_entity") in [w.value for w in at.warning]
    at.selectbox(key="upload_entity_1").set_value("tickets").run()
    assert frame(at, "upload_summary_table").iloc[0][label("saved_as")] \
        == "tickets_export (Oct).csv"
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    file = sql(db, "SELECT file FROM load_batches ORDER BY finished_at DESC LIMIT 1")[0][0]
    assert Path(file).name == "tickets_export (Oct).csv"


def test_another_file_in_the_uploader_is_asked_its_table_afresh(db):
    at = put(page(), ("export.csv", TICKETS.encode()))
    at.selectbox(key="upload_entity_1").set_value("tickets").run()
    put(at, ("other.csv", b"survey_id\nS1\n"))
    assert at.selectbox(key="upload_entity_1").value is None


def test_a_second_confirm_while_loading_starts_no_second_load(db):
    before = batches(db)
    up = upload.save_upload([("tickets.csv", TICKETS.encode())])
    preview = upload.build_preview(up, "canonical")
    first = upload.start(preview, SUPERVISOR)
    second = upload.start(preview, SUPERVISOR)
    assert first is not None and second is None
    assert first.done.wait(120)
    assert first.refused is None and first.summary is not None
    assert batches(db) == before + 1
    assert any(m.startswith("reading") for m in first.messages)


def test_confirm_while_another_session_loads_says_so_and_loads_nothing(db):
    before = batches(db)
    at = put(page(), ("tickets.csv", TICKETS.encode()))
    other = upload.Job(str(db.resolve()))     # another session's load of this database
    upload._running[other.db] = other
    try:
        at.button(key="upload_confirm").click().run()
    finally:
        upload._running.pop(other.db, None)
    # (TICKETS loses one row in three: the preview's loss warning stays shown too)
    assert [w.value for w in at.warning] == [t("upload_busy"), t("upload_loss")]
    assert batches(db) == before and len(pending(db)) == 1   # the preview waits for a retry
    at.button(key="upload_confirm").click().run()
    assert batches(db) == before + 1


def test_a_refused_load_keeps_nothing(db, tmp_path):
    up = upload.save_upload([("tickets.csv", TICKETS.encode())])
    preview = upload.build_preview(up, "canonical")
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(LoadRefused):
        upload.confirm(preview, SUPERVISOR, db=broken)
    assert broken.read_bytes() == b"not a database" * 100
    assert not (db.parent / "uploads" / up.folder.name).exists()


# ── limits, names, clean-up, roles ────────────────────────────────────────────────────────────

def test_the_limit_is_configured_said_and_enforced(db):
    configured = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert configured["server"]["maxUploadSize"] == 200
    old = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", 1)
    try:
        at = page()
        uploader = at.file_uploader(key="upload_files")
        assert uploader.proto.max_upload_size_mb == 1 and "1 MB" in uploader.help
        assert t("upload_limit", mb=1) in [c.value for c in at.caption]
        big = TICKETS.encode() + b"TU-9,C001,2026-10-30 10:00,phone,x,y\n" * 40_000
        assert len(big) > upload.MB
        put(at, ("tickets.csv", big))
        assert [e.value for e in at.error] == [t("upload_too_big", mb=1)]
        assert frame(at, "upload_too_big_table").iloc[0, 0] == "tickets.csv"
        assert not _has_button(at)
        assert pending(db) == []
    finally:
        config.set_option("server.maxUploadSize", old)


def _has_button(at) -> bool:
    return any(b.key == "upload_confirm" for b in at.button)


@pytest.mark.parametrize(("name", "safe"), [
    ("tickets.csv", "tickets.csv"),
    ("../../etc/tickets.csv", "tickets.csv"),
    ("..\\..\\tickets.CSV", "tickets.csv"),
    ("..", "upload.csv"),
    (".hidden.csv", "hidden.csv"),
    ("工单 2025-10.xlsx", "工单 2025-10.xlsx"),
    ("a\x00b<c>|d:e.csv", "a_b_c__d_e.csv"),
    ("tickets.csv.exe", "tickets.csv.exe.csv"),
])
def test_a_file_name_from_the_browser_is_never_a_path(name, safe):
    assert upload.safe_name(name) == safe


def test_saved_files_stay_in_their_folder_with_distinct_names(db):
    up = upload.save_upload([("../tickets.csv", b"a"), ("tickets.csv", b"b"),
                             ("/abs/TICKETS.csv", b"c")])
    assert up.folder.parent == db.parent / "uploads" / ".pending"
    assert [p.name for _, p in up.files] == ["tickets.csv", "tickets (2).csv",
                                             "TICKETS (3).csv"]
    assert [p.read_bytes() for _, p in up.files] == [b"a", b"b", b"c"]
    assert all(p.parent == up.folder for _, p in up.files)


def test_a_file_renamed_after_its_table_never_takes_another_files_name(db):
    """a.csv chosen as tickets and tickets_a.csv uploaded together: two files, two names, both
    loaded (main: both shown as tickets_a.csv, one file's rows lost, the other listed twice)."""
    other = TICKETS.replace("TU-", "TW-")
    at = put(page(), ("a.csv", TICKETS.encode()), ("tickets_a.csv", other.encode()))
    at.selectbox(key="upload_entity_1").set_value("tickets").run()
    names = frame(at, "upload_summary_table")[label("saved_as")].tolist()
    assert names == ["tickets_a (2).csv", "tickets_a.csv"]
    assert frame(at, "upload_rejected_0").iloc[0, 0] == "tickets_a (2).csv"
    before = batches(db)
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    files = [Path(f).name for (f,) in sql(
        db, "SELECT file FROM load_batches ORDER BY started_at DESC, file LIMIT 2")]
    assert batches(db) == before + 2 and sorted(files) == ["tickets_a (2).csv", "tickets_a.csv"]
    assert sql(db, "SELECT count(*) FROM tickets WHERE ticket_id IN ('TU-1', 'TU-3', 'TW-1', "
                   "'TW-3')") == [(4,)]


def test_an_oversized_workbook_is_refused_by_the_preview_and_cannot_be_confirmed(db, tmp_path):
    """2,000 rows using column XFD: refused with the limit named (main: 30 s, 651 MB)."""
    from tests.support.workbooks import wide_workbook

    path = wide_workbook(tmp_path / "tickets.xlsx", 2000, 16384)
    at = put(page(), ("tickets.xlsx", path.read_bytes()))
    assert t("upload_problem_errors") in [w.value for w in at.warning]
    message = at.code[0].value
    assert "tickets.xlsx" in message and "more than the 10,000,000 cells allowed" in message
    assert at.button(key="upload_confirm").disabled


def test_a_workbook_past_the_preview_time_budget_cannot_be_confirmed(db, tmp_path,
                                                                    monkeypatch):
    from tests.support.workbooks import wide_workbook

    monkeypatch.setattr(upload, "PREVIEW_SECONDS", 0)
    path = wide_workbook(tmp_path / "tickets.xlsx", 3, 3)
    at = put(page(), ("tickets.xlsx", path.read_bytes()))
    assert "took longer than the 0 s allowed" in at.code[0].value
    assert at.button(key="upload_confirm").disabled


def test_a_preview_not_confirmed_is_removed(db):
    at = put(page(), ("tickets.csv", TICKETS.encode()))
    assert len(pending(db)) == 1
    put(at, ("surveys.csv", b"survey_id\n"))     # other files: the first preview goes
    assert [p.name for p in pending(db)] == ["surveys.csv"]
    at.file_uploader(key="upload_files").set_value(None).run()
    assert pending(db) == []
    # An abandoned preview (its tab closed) goes with the next upload after a while.
    old = upload.save_upload([("tickets.csv", b"x")])
    stale = time.time() - upload.STALE_SECONDS - 60
    os.utime(old.folder, (stale, stale))
    fresh = upload.save_upload([("tickets.csv", b"y")])
    assert not old.folder.exists() and fresh.folder.exists()


def test_only_a_supervisor_may_upload(db, monkeypatch, tmp_path):
    from service_quality import accounts
    from service_quality.accounts import UserStore

    # The upload's own check, whatever page would call it.
    up = upload.save_upload([("tickets.csv", TICKETS.encode())])
    with pytest.raises(PermissionError):
        upload.confirm(upload.build_preview(up, "canonical"), User("boss", "manager"))
    at = AppTest.from_function(_render_as_manager, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [t("upload_supervisor_only")]
    assert not at.file_uploader
    # And the manager never reaches the Data page.
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)
    store = UserStore.open(tmp_path / "users.json")
    store.add("boss", "manager", "boss-pass")
    store.save()
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.json"))
    monkeypatch.setenv("DASHBOARD_AUDIT", str(tmp_path / "audit.log"))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60).run()
    at.text_input(key="auth_username").input("boss")
    at.text_input(key="auth_password").input("boss-pass")
    at.button(key="auth_submit").click().run()
    assert [e.value for e in at.error] == [t("auth_refused")]
    assert not at.file_uploader


def _render_as_manager():
    import pandas as pd

    from service_quality.accounts import User
    from service_quality.queries import Scope
    from ui.frame import Context
    from ui.upload import render

    render(Context("zh", Scope.everyone(), None, pd.Timestamp("2026-11-01"), {},
                   User("boss", "manager")))


# ── import profiles ───────────────────────────────────────────────────────────────────────────

PROFILES = ROOT / "tests" / "data" / "profiles"
EXAMPLES = ROOT / "docs" / "examples"


def test_a_servicenow_export_is_detected_previewed_and_loaded(db):
    at = put(page(), ("incident.csv", (PROFILES / "servicenow_incident.csv").read_bytes()))
    assert at.selectbox(key="upload_profile").value == "auto"
    assert not any(s.key == "upload_entity_1" for s in at.selectbox)   # the profile says
    summary = frame(at, "upload_summary_table").iloc[0]
    assert summary[label("profile")] == "ServiceNow"
    assert summary[label("entity")] == "工单（tickets）"
    assert (summary[label("rows_loaded")], summary[label("rows_rejected")]) \
        == (4, 1)
    mapping = frame(at, "upload_mapping_0")
    mapping = dict(zip(mapping.iloc[:, 0], mapping.iloc[:, 2], strict=True))
    assert mapping["ticket_id"] == "number" and mapping["reported_at"] == "opened_at"
    assert any("read with profile servicenow" in c.value for c in at.code)
    reasons = frame(at, "upload_rejected_0").iloc[:, 2].tolist()
    assert all("[column " in r for r in reasons)     # the export's own column is named
    assert frame(at, "upload_head_0")["ticket_id"].str.startswith("INC").all()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    loaded = sql(db, "SELECT count(*) FROM tickets WHERE ticket_id LIKE 'INC%'")[0][0]
    assert loaded == 4
    file, entity, read = sql(db, "SELECT file, entity, rows_read FROM load_batches "
                                 "ORDER BY finished_at DESC LIMIT 1")[0]
    assert (Path(file).name, entity, read) == ("incident.csv", "tickets", 5)


def test_the_preview_warns_before_confirm_when_a_file_loses_much(db):
    at = put(page(), ("incident.csv", (PROFILES / "servicenow_incident.csv").read_bytes()))
    assert t("upload_loss") in [w.value for w in at.warning]
    block = at.get_by_key("upload_loss").code[0].value
    assert block.splitlines() == [
        "  incident.csv (tickets): 1 of 5 rows not loaded (20.0%)",
        "    1 × customer_id (客户编号) [column company]: missing",
        "    fix the commonest: these rows have nothing in column company; if another column "
        "holds customer_id, give --map customer_id=COLUMN",
    ]
    # the note of the unknown channel names the value mapping to give
    assert any('--value "channel:Carrier pigeon=…"' in c.value for c in at.code)
    # nothing lost above 5 %: no warning
    at = put(page(), ("glpi.csv", (PROFILES / "glpi_tickets.csv").read_bytes()))
    assert t("upload_loss") not in [w.value for w in at.warning]


def test_value_and_update_time_mappings_in_the_preview(db):
    history = ("number,company,opened_at,contact_type,assigned_to,Stand\n"
               "INC77,C001,2026-10-30 09:00,Phone,,2026-10-30 09:00\n"
               "INC77,C001,2026-10-30 09:00,Walk in,Wang Wei,2026-10-30 11:00\n"
               "INC77,C001,2026-10-30 09:00,Phone,,2026-10-30 10:00\n")
    at = page()
    at.text_area(key="upload_maps").set_value("updated_at=Stand")
    at.text_area(key="upload_values").set_value("channel:Walk in=phone")
    at = put(at, ("incident.csv", history.encode()))
    summary = frame(at, "upload_summary_table").iloc[0]
    assert (summary[label("rows_read")], summary[label("rows_loaded")]) == (1, 1)
    head = frame(at, "upload_head_0")
    assert head[["ticket_id", "channel", "engineer_id"]].values.tolist() == [
        ["INC77", "phone", "Wang Wei"]]   # the latest update, by column Stand
    assert any("(by column Stand); 2 earlier rows folded in" in c.value for c in at.code)
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert sql(db, "SELECT channel, engineer_id FROM tickets WHERE ticket_id = 'INC77'") == [
        ("phone", "Wang Wei")]


def test_a_value_mapping_line_of_the_wrong_form_is_shown_not_used(db):
    at = page()
    at.text_area(key="upload_values").set_value("channel=phone")
    at = put(at, ("incident.csv", (PROFILES / "servicenow_incident.csv").read_bytes()))
    assert t("upload_bad_values") in [e.value for e in at.error]
    assert at.code[0].value == "channel=phone"
    assert not any(b.key == "upload_confirm" for b in at.button)


def test_a_glpi_export_says_the_date_order_the_data_decided(db):
    at = put(page(), ("glpi.csv", (PROFILES / "glpi_tickets.csv").read_bytes()))
    summary = frame(at, "upload_summary_table")
    assert set(summary[label("profile")]) == {"GLPI"}
    tickets = summary[summary[label("entity")] == "工单（tickets）"].iloc[0]
    assert tickets[label("date_order")] == t("upload_date_order_dmy")
    assert "decided by the data" in at.code[0].value


def test_ambiguous_dates_ask_for_the_order_then_load(db, tmp_path):
    text = ("ID;Title;Entity;Status;Opening date;Priority\n"
            "1;T1;C001;New;05-03-2025 10:00;Low\n2;T2;C001;New;06-03-2025 11:00;Low\n")
    at = put(page(), ("glpi.csv", text.encode()))
    assert at.button(key="upload_confirm").disabled
    assert "no day above 12" in at.code[0].value
    assert t("upload_hint_date_order") in [i.value for i in at.info]
    at.selectbox(key="upload_date_order").set_value("mdy").run()
    summary = frame(at, "upload_summary_table").iloc[0]
    assert summary[label("date_order")] == t("upload_date_order_mdy")
    at.button(key="upload_confirm").click().run()
    assert sql(db, "SELECT reported_at FROM tickets WHERE ticket_id IN ('1', '2') "
                   "ORDER BY 1") == [(pd.Timestamp("2025-05-03 10:00"),),
                                     (pd.Timestamp("2025-06-03 11:00"),)]


def test_a_users_own_profile_file_loads_a_chinese_workbook(db):
    at = page()
    at.selectbox(key="upload_profile").set_value("file").run()
    put(at, ("weibao.toml", (EXAMPLES / "weibao_profile.toml").read_bytes()),
        key="upload_profile_file")
    assert t("upload_problem_no_profile_file") not in [w.value for w in at.warning]
    put(at, ("维修登记表.xlsx", (EXAMPLES / "维修登记表.xlsx").read_bytes()))
    summary = frame(at, "upload_summary_table")
    assert summary[label("entity")].tolist() == ["工单（tickets）", "满意度调查（surveys）"]
    assert set(summary[label("profile")]) == {t("upload_profile_file")}
    assert set(summary[label("date_order")]) == {t("upload_date_order_dmy")}
    assert summary[label("rows_loaded")].tolist() == [4, 1]
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert sql(db, "SELECT ticket_id FROM tickets WHERE ticket_id LIKE 'WB-%' ORDER BY 1") \
        == [("WB-001",), ("WB-002",), ("WB-003",), ("WB-004",)]
    files = sql(db, "SELECT DISTINCT file FROM load_batches WHERE entity = 'surveys' "
                    "AND file LIKE '%维修登记表.xlsx'")
    folder = Path(files[0][0]).parent
    assert sorted(p.name for p in folder.iterdir()) == ["profile-weibao.toml", "维修登记表.xlsx"]


def test_files_needing_different_profiles_are_refused_together(db):
    at = put(page(), ("incident.csv", (PROFILES / "servicenow_incident.csv").read_bytes()),
             ("tickets.csv", TICKETS.encode()))
    profiles = frame(at, "upload_summary_table")[label("profile")].tolist()
    assert profiles == ["ServiceNow", t("upload_profile_canonical")]
    assert t("upload_problem_mixed") in [w.value for w in at.warning]
    assert at.button(key="upload_confirm").disabled


def test_uploads_are_owner_only_unless_configured(db, monkeypatch):
    """Customers' files: 0600 in 0700 folders (main: 0644 in 0755), or $DASHBOARD_FILE_MODE."""
    import stat

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    up = upload.save_upload([("tickets.csv", TICKETS.encode())], ("p.toml", b"name = 'x'\n"))
    root = db.parent / "uploads"
    assert [mode(p) for p in (root, root / ".pending", up.folder)] == [0o700] * 3
    assert [mode(p) for p in up.folder.iterdir()] == [0o600, 0o600]
    at = put(page(), ("tickets.csv", TICKETS.encode()))
    at.button(key="upload_confirm").click().run()
    kept = [p for p in root.glob("*/*.csv")]
    assert kept and all(mode(p) == 0o600 and mode(p.parent) == 0o700 for p in kept)
    monkeypatch.setenv("DASHBOARD_FILE_MODE", "640")
    up = upload.save_upload([("tickets.csv", b"x")])
    assert mode(up.folder) == 0o750 and mode(up.files[0][1]) == 0o640
