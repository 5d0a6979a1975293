"""Import profiles end to end: real export layouts through `python -m etl load` into DuckDB."""

import json
import shutil
from datetime import datetime as D
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.cli import main
from etl.profiles import BUILTIN, ProfileError, detect_profile, load_profile, read_header
from etl.readers import InputError
from etl.stage import ImportOptions, stage_file

DATA = Path(__file__).parent / "data" / "profiles"
EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"
AS_OF = ["--as-of", "2025-10-20 12:00"]


def run(capsys, tmp_path, *args):
    """`python -m etl load …` into tmp_path/db.duckdb: (exit status, stdout, stderr)."""
    status = main(["load", *map(str, args), "--db", str(tmp_path / "db.duckdb"), *AS_OF])
    out = capsys.readouterr()
    return status, out.out, out.err


def rows(tmp_path, sql):
    """The rows of a query on the loaded database."""
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def batches(tmp_path):
    """(file name, entity, read, loaded, rejected) per load_batches row."""
    return sorted(
        (Path(f).name, e, r, lo, rej) for f, e, r, lo, rej in rows(
            tmp_path, "SELECT file, entity, rows_read, rows_loaded, rows_rejected "
                      "FROM load_batches")
    )


def rejections(tmp_path):
    """(entity, row, reason, raw as dict) of every rejected row."""
    return [(e, n, r, json.loads(raw)) for e, n, r, raw in rows(
        tmp_path, "SELECT entity, row_number, reason, raw FROM rejected_rows "
                  "ORDER BY entity, row_number")]


def test_servicenow_incident_list(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, DATA / "servicenow_incident.csv",
                         "--profile", "servicenow")
    assert status == 0
    assert "note: read with profile servicenow" in out
    assert batches(tmp_path) == [("servicenow_incident.csv", "tickets", 5, 4, 1)]
    assert rows(tmp_path, """
        SELECT ticket_id, customer_id, reported_at, channel, category, reported_severity,
               engineer_id, device, site, resolved_at, closed_at, transfers
        FROM tickets ORDER BY 1""") == [
        ("INC0010001", "C001", D(2025, 10, 9, 9), "phone", "fault", "general", "Wang Wei",
         "PRN-01", "Beijing HQ", D(2025, 10, 9, 11), D(2025, 10, 10, 9), 1),
        ("INC0010002", "C002", D(2025, 10, 9, 10), "email", "fault", "severe", "Zhang San",
         "SRV-07", "Shanghai DC", D(2025, 10, 9, 14, 30), None, 0),
        ("INC0010003", "C001", D(2025, 10, 10, 8), None, "fault", "general", "Wang Wei",
         None, None, None, None, 0),
        # a channel the profile does not know costs nothing but the channel
        ("INC0010004", "C001", D(2025, 10, 10, 8), None, "fault", "general", None,
         None, None, None, None, 0),
    ]
    assert ("note: channel (报障方式) [column contact_type]: values not in the profile's map, "
            "loaded as empty: 'Carrier pigeon' ×1 — map one with "
            '--value "channel:Carrier pigeon=…" (… = phone, email, sms, fax or im; nothing for '
            'empty) or the line "Carrier pigeon" = "…" under [tickets.values.channel] in a copy '
            "of etl/profiles/servicenow.toml") in out
    rejected = rejections(tmp_path)
    assert [(e, n, r) for e, n, r, _ in rejected] == [
        ("tickets", 6, "customer_id (客户编号) [column company]: missing"),
    ]
    # the raw text keeps the export's own columns
    assert rejected[0][3]["short_description"] == "No company"


def test_servicenow_updates_collapse_to_latest_with_pause_time(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, DATA / "servicenow_updates.csv",
                         "--profile", "servicenow")
    assert status == 0
    assert ("7 rows are updates of 2 tickets: each ticket is loaded from its latest update "
            "(by column sys_updated_on); 5 earlier rows folded in") in out
    assert "2 pause(s), 150 minutes paused in total; still waiting at their latest update: " \
           "1 ticket(s)" in out
    assert batches(tmp_path) == [
        ("servicenow_updates.csv", "ticket_events", 3, 3, 0),
        ("servicenow_updates.csv", "tickets", 2, 2, 0),
    ]
    # the latest update wins although the file lists it before earlier updates
    assert rows(tmp_path, "SELECT ticket_id, engineer_id, resolved_at, reported_severity "
                          "FROM tickets ORDER BY 1") == [
        ("INC0020001", "Wang Wei", D(2025, 10, 9, 15), "general"),
        ("INC0020002", "Zhang San", None, "general"),
    ]
    assert rows(tmp_path, 'SELECT ticket_id, "at", event, note FROM ticket_events '
                          "ORDER BY 1, 2") == [
        ("INC0020001", D(2025, 10, 9, 10), "pause", "status: On Hold"),
        ("INC0020001", D(2025, 10, 9, 12, 30), "resume", "status: In Progress"),
        ("INC0020002", D(2025, 10, 9, 11, 30), "pause", "status: On Hold"),
    ]
    # handling clock: 09:00 → 15:00 is 360 minutes, less 150 on hold
    assert rows(tmp_path, "SELECT handling_minutes FROM ticket_sla "
                          "WHERE ticket_id = 'INC0020001'") == [(210.0,)]


def test_profile_values_match_ignoring_case_spaces_hyphens_underscores(capsys, tmp_path):
    # contact_type as ServiceNow instances actually write it: the map says "self-service".
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,company,opened_at,contact_type,priority\n"
        "INC1,C1,2025-10-09 09:00:00,Self service,1-Critical\n"
        "INC2,C1,2025-10-09 09:10:00,SELF_SERVICE,2 -  high\n"
        "INC3,C1,2025-10-09 09:20:00,e-mail,3 - MODERATE\n"
        "INC4,C1,2025-10-09 09:30:00,Walk In,4\n"
        "INC5,C1,2025-10-09 09:40:00,virtual agent,5 - planning\n", encoding="utf-8")
    status, _, _ = run(capsys, tmp_path, path, "--profile", "servicenow")
    assert status == 0
    assert batches(tmp_path) == [("incident.csv", "tickets", 5, 5, 0)]
    assert rows(tmp_path, "SELECT ticket_id, channel, reported_severity FROM tickets "
                          "ORDER BY 1") == [
        ("INC1", None, "severe"), ("INC2", None, "general"), ("INC3", "email", "general"),
        ("INC4", None, "general"), ("INC5", "im", "general"),
    ]


def test_a_profile_map_with_two_spellings_of_one_value_is_refused(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[tickets.columns]\nticket_id = "A"\ncustomer_id = "B"\n'
                       'reported_at = "C"\nchannel = "D"\n[tickets.values.channel]\n'
                       '"walk-in" = "phone"\n"Walk In" = ""\n', encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_profile(profile)
    assert str(e.value) == ("p.toml: tickets.values.channel: 'walk-in' and 'Walk In' are one "
                            "value (case, spaces, hyphens and underscores are not compared) but "
                            "map to different values")


SNOW_HISTORY = (
    "number,company,opened_at,contact_type,incident_state,assigned_to,resolved_at,{updated}\n"
    # listed newest first, as a list sorted by update time descending is exported
    "INC9,C1,01/03/2016 09:00,Phone,Closed,Wang Wei,01/03/2016 15:00,06/03/2016 10:00\n"
    "INC9,C1,01/03/2016 09:00,Phone,Resolved,Wang Wei,01/03/2016 15:00,01/03/2016 15:00\n"
    "INC9,C1,01/03/2016 09:00,Phone,Awaiting User Info,Wang Wei,?,01/03/2016 10:00\n"
    "INC9,C1,01/03/2016 09:00,Phone,Active,Wang Wei,?,01/03/2016 09:30\n"
    "INC9,C1,01/03/2016 09:00,Phone,New,?,?,01/03/2016 09:00\n"
    "INC8,C2,29/02/2016 08:00,Phone,New,?,?,29/02/2016 08:00\n"
    "INC8,C2,29/02/2016 08:00,Phone,Active,Zhang San,?,29/02/2016 08:05\n"
)


@pytest.mark.parametrize("updated", ["sys_updated_at", "Updated At", "last_update", "更新时间"])
def test_a_history_export_loads_each_tickets_latest_row(capsys, tmp_path, updated):
    # The issue's export: sys_updated_at (not the profile's sys_updated_on), day-first, '?'.
    path = tmp_path / "incident_history.csv"
    path.write_text(SNOW_HISTORY.format(updated=updated), encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", "servicenow")
    assert status == 0
    assert ("7 rows are updates of 2 tickets: each ticket is loaded from its latest update "
            f"(by column {updated}); 5 earlier rows folded in") in out
    assert batches(tmp_path) == [("incident_history.csv", "ticket_events", 2, 2, 0),
                                 ("incident_history.csv", "tickets", 2, 2, 0)]
    assert rows(tmp_path, "SELECT ticket_id, engineer_id, resolved_at FROM tickets "
                          "ORDER BY 1") == [("INC8", "Zhang San", None),
                                            ("INC9", "Wang Wei", D(2016, 3, 1, 15))]
    # Awaiting User Info 10:00 → Resolved 15:00 is waiting time
    assert rows(tmp_path, 'SELECT ticket_id, "at", event FROM ticket_events ORDER BY 2') == [
        ("INC9", D(2016, 3, 1, 10), "pause"), ("INC9", D(2016, 3, 1, 15), "resume")]


def test_map_updated_at_names_the_update_column(capsys, tmp_path):
    path = tmp_path / "incident_history.csv"
    path.write_text(SNOW_HISTORY.format(updated="Stand"), encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", "servicenow",
                         "--map", "updated_at=Stand")
    assert status == 0
    assert "(by column Stand); 5 earlier rows folded in" in out
    assert rows(tmp_path, "SELECT ticket_id, resolved_at FROM tickets ORDER BY 1") == [
        ("INC8", None), ("INC9", D(2016, 3, 1, 15))]
    status, _, err = run(capsys, tmp_path, path, "--profile", "servicenow",
                         "--map", "updated_at=Geändert")
    assert status == 2
    assert "--map updated_at=Geändert: incident_history.csv has no column 'Geändert' — " \
           "found columns: number, company" in err


def test_without_an_update_column_the_last_row_of_each_ticket_wins(capsys, tmp_path):
    path = tmp_path / "incident_history.csv"
    path.write_text(SNOW_HISTORY.format(updated="Stand"), encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", "servicenow")
    assert status == 0
    assert ("7 rows are updates of 2 tickets, but the file has no update-time column "
            "(sys_updated_on, Updated, sys_updated_at, or a usual name such as updated_at, "
            "last_update, 更新时间): each ticket is loaded from its last "
            "row in the file (5 earlier rows folded in); if a column holds the time of each "
            "update, give --map updated_at=COLUMN") in out
    assert batches(tmp_path) == [("incident_history.csv", "tickets", 2, 2, 0)]
    # never the first row: INC9's last row in the file is its New row, INC8's its Active row
    assert rows(tmp_path, "SELECT ticket_id, engineer_id FROM tickets ORDER BY 1") == [
        ("INC8", "Zhang San"), ("INC9", None)]


def test_a_users_profile_without_history_reads_repeated_ids_as_updates(capsys, tmp_path):
    profile = tmp_path / "log.toml"
    profile.write_text('[tickets.columns]\nticket_id = "单号"\ncustomer_id = "客户"\n'
                       'reported_at = "报修时间"\nresolved_at = "完成时间"\n', encoding="utf-8")
    path = tmp_path / "维修记录.csv"
    path.write_text("单号,客户,报修时间,完成时间,最后修改时间\n"
                    "W1,华北电力,2025-10-09 09:00,2025-10-09 15:00,2025-10-09 15:00\n"
                    "W1,华北电力,2025-10-09 09:00,,2025-10-09 09:00\n"
                    "W2,东方银行,2025-10-10 09:00,,2025-10-10 09:00\n", encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", profile)
    assert status == 0
    assert "(by column 最后修改时间); 1 earlier rows folded in" in out
    assert rows(tmp_path, "SELECT ticket_id, resolved_at FROM tickets ORDER BY 1") == [
        ("W1", D(2025, 10, 9, 15)), ("W2", None)]


def test_a_canonical_tickets_file_still_rejects_a_repeated_id(capsys, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("工单号,客户编号,报障时间,更新时间\nT1,C1,2025-10-09 10:00,2025-10-09 10:00\n"
                    "T1,C1,2025-10-09 10:00,2025-10-09 12:00\n", encoding="utf-8")
    for options in ([], ["--null", "无"]):   # read as it is, and through the canonical profile
        status, _, _ = run(capsys, tmp_path, path, *options)
        assert status == 0
        assert [(n, r) for _, n, r, _ in rejections(tmp_path)] == [
            (3, "duplicate ticket_id T1 (first at row 2)")]
    status, _, err = run(capsys, tmp_path, path, "--map", "updated_at=更新时间")
    assert status == 2
    assert ("--map updated_at=更新时间: a tickets file in the canonical layout lists each ticket "
            "once (a repeated ticket_id is a rejected row); read a history export (one row per "
            "update) with its --profile") in err


def test_jira_issues_and_satisfaction(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "jira")
    assert status == 0
    assert "3 rows have no score: no surveys row made of them" in out
    assert batches(tmp_path) == [
        ("jira_issues.csv", "surveys", 1, 1, 0),
        ("jira_issues.csv", "ticket_events", 1, 1, 0),
        ("jira_issues.csv", "tickets", 4, 3, 1),
    ]
    assert rows(tmp_path, """
        SELECT ticket_id, customer_id, reported_at, responded_at, resolved_at, category,
               reported_severity, engineer_id FROM tickets ORDER BY 1""") == [
        ("ITSM-1", "C001", D(2025, 10, 3, 9, 15), D(2025, 10, 3, 9, 20),
         D(2025, 10, 3, 15, 45), "fault", "general", "wang.wei"),
        ("ITSM-2", "C002", D(2025, 10, 6, 14, 5), D(2025, 10, 6, 14, 30),
         D(2025, 10, 7, 10, 30), "installation", "general", "zhang.san"),
        # 12:10 AM is ten past midnight
        ("ITSM-3", "C002", D(2025, 10, 8, 0, 10), D(2025, 10, 8, 0, 15), None, "fault",
         "severe", "zhang.san"),
    ]
    assert rows(tmp_path, """
        SELECT survey_id, ticket_id, customer_id, sent_at, answered_at, score, survey_type,
               engineer_id FROM surveys""") == [
        ("ITSM-1", "ITSM-1", "C001", D(2025, 10, 3, 15, 45), D(2025, 10, 4, 10), 4.0, "case",
         "wang.wei"),
    ]
    assert rows(tmp_path, 'SELECT ticket_id, "at", event FROM ticket_events') == [
        ("ITSM-3", D(2025, 10, 8, 1), "pause"),
    ]
    assert [(e, n, r) for e, n, r, _ in rejections(tmp_path)] == [
        ("tickets", 5, "customer_id (客户编号) [column Custom field (Organizations)]: missing"),
    ]


def test_glpi_semicolon_csv_day_first_dates_decided_by_the_data(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, DATA / "glpi_tickets.csv", "--profile", "glpi")
    assert status == 0
    assert ("dates read as day/month/year: decided by the data — '13-10-2025 08:00' "
            "(column Opening date, row 5) has a first number above 12") in out
    assert batches(tmp_path) == [
        ("glpi_tickets.csv", "surveys", 2, 2, 0),
        ("glpi_tickets.csv", "ticket_events", 1, 1, 0),
        ("glpi_tickets.csv", "tickets", 4, 4, 0),
    ]
    assert rows(tmp_path, """
        SELECT ticket_id, customer_id, reported_at, channel, category, reported_severity,
               engineer_id, site, resolved_at, closed_at FROM tickets ORDER BY 1""") == [
        ("1001", "Root entity > C001", D(2025, 10, 9, 8, 30), "phone", "fault", "general",
         "tech.wang", "Beijing HQ", D(2025, 10, 9, 11), D(2025, 10, 15, 9)),
        ("1002", "Root entity > C002", D(2025, 10, 10, 9, 15), "email", "fault", "severe",
         "tech.zhang", "Shanghai DC", D(2025, 10, 10, 17, 45), None),
        ("1003", "Root entity > C001", D(2025, 10, 11, 9), None, "consultation", "general",
         "tech.wang", None, None, None),
        # request source 'Carrier pigeon' is in no map: the ticket loads without a channel
        ("1004", "Root entity > C002", D(2025, 10, 13, 8), None, "fault", "general",
         "tech.zhang", None, D(2025, 10, 13, 12), D(2025, 10, 14, 9)),
    ]
    assert ("channel (报障方式) [column Request source]: values not in the profile's map, "
            "loaded as empty: 'Carrier pigeon' ×1") in out
    assert rows(tmp_path, """
        SELECT survey_id, ticket_id, sent_at, answered_at, score, comment FROM surveys
        ORDER BY 1""") == [
        ("1001", "1001", D(2025, 10, 15, 9), D(2025, 10, 16, 10, 30), 5.0, "Rapide"),
        ("1004", "1004", D(2025, 10, 14, 9), None, None, None),  # sent, never answered
    ]
    assert rows(tmp_path, 'SELECT ticket_id, "at", event FROM ticket_events') == [
        ("1003", D(2025, 10, 11, 10), "pause"),
    ]
    assert rejections(tmp_path) == []


def test_zammad_report_workbook(capsys, tmp_path):
    status, _, _ = run(capsys, tmp_path, DATA / "zammad_tickets.xlsx", "--profile", "zammad")
    assert status == 0
    assert batches(tmp_path) == [
        ("zammad_tickets.xlsx", "ticket_events", 1, 1, 0),
        ("zammad_tickets.xlsx", "tickets", 3, 2, 1),
    ]
    assert rows(tmp_path, """
        SELECT ticket_id, customer_id, reported_at, channel, reported_severity, engineer_id,
               responded_at, resolved_at, closed_at FROM tickets ORDER BY 1""") == [
        ("31001", "C001", D(2025, 10, 9, 9), "phone", "general", "Wang Wei",
         D(2025, 10, 9, 9, 5), D(2025, 10, 9, 15), D(2025, 10, 9, 15)),
        ("31002", "C002", D(2025, 10, 10, 10), "email", "severe", "Zhang San",
         D(2025, 10, 10, 10, 10), None, None),
    ]
    assert [(e, n, r) for e, n, r, _ in rejections(tmp_path)] == [
        ("tickets", 4, "customer_id (客户编号) [column Organization]: missing"),
    ]


def glpi_file(tmp_path, opened: list[str]) -> Path:
    """A GLPI export (;-separated) whose tickets were opened at these times, as written."""
    lines = ["ID;Title;Entity;Status;Opening date;Priority"]
    lines += [f"{i};T{i};C001;New;{when};Low" for i, when in enumerate(opened, start=1)]
    path = tmp_path / "glpi.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ambiguous_dates_are_refused_until_the_order_is_given(capsys, tmp_path):
    path = glpi_file(tmp_path, ["05-03-2025 10:00", "06-03-2025 11:00"])
    status, _, err = run(capsys, tmp_path, path, "--profile", "glpi")
    assert status == 2
    assert ("glpi.csv: cannot tell whether dates like '05-03-2025 10:00' (column Opening date, "
            "row 2) are day/month/year or month/day/year — no day above 12 anywhere in the file; "
            "give --date-order dmy or --date-order mdy") in err
    assert "Nothing was loaded; the database is unchanged." in err
    assert not (tmp_path / "db.duckdb").exists()

    status, out, _ = run(capsys, tmp_path, path, "--profile", "glpi", "--date-order", "mdy")
    assert status == 0
    assert "dates read as month/day/year (--date-order)" in out
    assert rows(tmp_path, "SELECT reported_at FROM tickets ORDER BY 1") == [
        (D(2025, 5, 3, 10),), (D(2025, 6, 3, 11),),
    ]


def test_mixed_date_orders_are_refused(capsys, tmp_path):
    path = glpi_file(tmp_path, ["25-03-2025 10:00", "03-25-2025 11:00"])
    status, _, err = run(capsys, tmp_path, path, "--profile", "glpi")
    assert status == 2
    assert "glpi.csv: the file mixes day-first and month-first dates" in err


def test_month_first_decided_by_the_data(capsys, tmp_path):
    path = glpi_file(tmp_path, ["03-25-2025 10:00", "04-01-2025 11:00"])
    status, out, _ = run(capsys, tmp_path, path, "--profile", "glpi")
    assert status == 0
    assert "dates read as month/day/year: decided by the data — '03-25-2025 10:00'" in out
    assert rows(tmp_path, "SELECT reported_at FROM tickets ORDER BY 1") == [
        (D(2025, 3, 25, 10),), (D(2025, 4, 1, 11),),
    ]


def test_map_overrides_one_column_and_null_empties_tokens(capsys, tmp_path):
    # A Jira export without JSM organizations: the customer is the project.
    text = (DATA / "jira_issues.csv").read_text(encoding="utf-8")
    path = tmp_path / "export.csv"
    path.write_text(text.replace("Custom field (Organizations)", "Client"), encoding="utf-8")
    status, _, err = run(capsys, tmp_path, path, "--profile", "jira")
    assert status == 2
    assert ("export.csv: profile jira needs column 'Custom field (Organizations)' or "
            "'Organizations' for tickets.customer_id (客户编号)") in err
    assert "give --map customer_id=COLUMN" in err

    status, _, _ = run(capsys, tmp_path, path, "--profile", "jira", "--map",
                       "customer_id=Project key", "--null", "zhang.san")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id, engineer_id FROM tickets "
                          "ORDER BY 1") == [
        ("ITSM-1", "ITSM", "wang.wei"), ("ITSM-2", "ITSM", None), ("ITSM-3", "ITSM", None),
        ("ITSM-4", "ITSM", None),
    ]
    assert rows(tmp_path, "SELECT survey_id, customer_id FROM surveys") == [("ITSM-1", "ITSM")]


def test_map_one_table_only(capsys, tmp_path):
    status, _, _ = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "jira",
                       "--map", "surveys.customer_id=Project key")
    assert status == 0
    assert rows(tmp_path, "SELECT customer_id FROM surveys") == [("ITSM",)]
    assert rows(tmp_path, "SELECT customer_id FROM tickets WHERE ticket_id = 'ITSM-1'") == [
        ("C001",)]


def test_map_and_null_on_a_canonical_file_without_profile(capsys, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("工单号,客户,报障时间,工程师\nT1,C1,2025-10-09 10:00,N/A\n"
                    "T2,C2,2025-10-09 11:00,E7\n", encoding="utf-8")
    status, _, err = run(capsys, tmp_path, path)
    assert status == 2 and "missing required column customer_id" in err
    status, _, _ = run(capsys, tmp_path, path, "--map", "customer_id=客户", "--null", "n/a")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id, engineer_id FROM tickets "
                          "ORDER BY 1") == [("T1", "C1", None), ("T2", "C2", "E7")]


def test_bad_map_is_refused(capsys, tmp_path):
    status, _, err = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "jira",
                         "--map", "colour=Status")
    assert status == 2
    assert "--map colour=Status: no column 'colour' in tickets, surveys" in err
    status, _, err = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "jira",
                         "--map", "complaints.customer_id=Status")
    assert status == 2
    assert "profile jira makes no complaints — only surveys, tickets" in err
    with pytest.raises(SystemExit):
        main(["load", str(DATA / "jira_issues.csv"), "--map", "customer_id"])


def test_documented_user_profile_loads_the_chinese_workbook(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, EXAMPLES / "维修登记表.xlsx", "--profile",
                         EXAMPLES / "weibao_profile.toml")
    assert status == 0
    assert "dates read as day/month/year (date_order of profile weibao)" in out
    assert batches(tmp_path) == [
        ("维修登记表.xlsx", "surveys", 2, 1, 1),
        ("维修登记表.xlsx", "tickets", 4, 4, 0),
    ]
    assert rows(tmp_path, """
        SELECT ticket_id, customer_id, device, reported_at, channel, reported_severity,
               service_mode, engineer_id, arrived_at, resolved_at, category
        FROM tickets ORDER BY 1""") == [
        ("WB-001", "华北电力", "存储阵列", D(2025, 10, 9, 9), "phone", "severe", "onsite", "王伟",
         D(2025, 10, 9, 10, 30), D(2025, 10, 9, 15), "fault"),
        ("WB-002", "华北电力", "交换机", D(2025, 10, 10, 14), "im", "general", "remote", "张三",
         None, D(2025, 10, 10, 16, 20), "fault"),
        ("WB-003", "东方银行", "服务器", D(2025, 10, 13, 8, 30), "phone", "general", "onsite",
         "王伟", D(2025, 10, 13, 11), None, "fault"),
        # 紧急程度 特急 is not in the profile's map: loaded, its reported severity empty
        ("WB-004", "东方银行", "打印机", D(2025, 10, 14, 10), None, None, "onsite", "李四",
         D(2025, 10, 14, 10, 40), D(2025, 10, 14, 12), "fault"),
    ]
    assert ("reported_severity (故障级别) [column 紧急程度]: values not in the profile's map, "
            "loaded as empty: '特急' ×1 — map one with "
            '--value "reported_severity:特急=…" (… = general or severe; nothing for empty) or '
            'the line "特急" = "…" under [tickets.values.reported_severity] in '
            "weibao_profile.toml") in out
    (survey,) = rows(tmp_path, "SELECT survey_id, sent_at, score, score_scale, survey_type, "
                               "method FROM surveys")
    assert survey[:2] == ("WB-001", D(2025, 10, 9, 15))
    assert survey[2] == pytest.approx(1 + 8 * 4 / 9)  # 9 of 10
    assert survey[3:] == (10, "onsite", "phone")
    assert [(e, n, r) for e, n, r, _ in rejections(tmp_path)] == [
        ("surveys", 5, "score (评分) [column 满意度]: 11 is outside the 1–10 scale"),
    ]


def test_value_option_maps_a_value_the_profile_does_not_know(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, EXAMPLES / "维修登记表.xlsx", "--profile",
                         EXAMPLES / "weibao_profile.toml", "--value", "reported_severity:特急=严重",
                         "--value", "channel:上门=phone")
    assert status == 0
    assert "values not in the profile's map" not in out
    assert rows(tmp_path, "SELECT ticket_id, channel, reported_severity FROM tickets "
                          "WHERE ticket_id = 'WB-004'") == [("WB-004", "phone", "severe")]


@pytest.mark.parametrize("option, message", [
    ("channel:Walk in=walking", '--value "channel:Walk in=walking": \'walking\' is not a value '
     "of channel (报障方式) — expected one of 电话/phone, 电子邮件/email, 短信/sms, 传真/fax, "
     "即时通讯/im, or nothing for empty"),
    ("service_mode:Walk in=onsite", '--value "service_mode:Walk in=onsite": profile '
     "servicenow reads no column 'service_mode' in tickets — give --map service_mode=COLUMN "
     "too if the file has it"),
    ("surveys.method:x=phone", '--value "surveys.method:x=phone": profile servicenow reads no '
     "column 'method' in surveys"),
])
def test_a_value_option_that_cannot_apply_is_refused(capsys, tmp_path, option, message):
    status, _, err = run(capsys, tmp_path, DATA / "servicenow_incident.csv", "--profile",
                         "servicenow", "--value", option)
    assert status == 2
    assert message in err
    assert not (tmp_path / "db.duckdb").exists()


def test_value_option_syntax():
    with pytest.raises(SystemExit):
        main(["load", str(DATA / "jira_issues.csv"), "--value", "channel=phone"])


def test_value_option_on_a_canonical_file_which_still_rejects_unknown_values(capsys,
                                                                            tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("工单号,客户编号,报障时间,报障方式\nT1,C1,2025-10-09 10:00,来访\n"
                    "T2,C1,2025-10-09 11:00,信鸽\n", encoding="utf-8")
    status, _, _ = run(capsys, tmp_path, path, "--value", "channel:来访=phone")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, channel FROM tickets") == [("T1", "phone")]
    assert [(n, r) for _, n, r, _ in rejections(tmp_path)] == [
        (3, "channel (报障方式): unknown value '信鸽' — expected one of 电话/phone, "
            "电子邮件/email, 短信/sms, 传真/fax, 即时通讯/im")]


def test_an_unknown_category_is_empty_not_the_default_fault(capsys, tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[tickets.columns]\nticket_id = "No"\ncustomer_id = "Client"\n'
                       'reported_at = "Opened"\ncategory = "Kind"\n', encoding="utf-8")
    path = tmp_path / "log.csv"
    path.write_text("No,Client,Opened,Kind\nA1,C1,2025-10-09 10:00,Change request\n"
                    "A2,C1,2025-10-09 11:00,\nA3,C1,2025-10-09 12:00,Upgrade\n",
                    encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", profile)
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, category FROM tickets ORDER BY 1") == [
        ("A1", None), ("A2", "fault"), ("A3", "upgrade")]
    assert rows(tmp_path, "SELECT ticket_id, report_status, upgrade_status FROM ticket_sla "
                          "ORDER BY 1")[0] == ("A1", "na", "na")
    assert "'Change request' ×1" in out


def test_required_columns_still_reject_with_the_reason(capsys, tmp_path):
    path = tmp_path / "incident.csv"
    path.write_text("number,company,opened_at,contact_type\n"
                    "INC1,,2025-10-09 09:00:00,Pigeon\n"
                    "INC2,C1,yesterday,Pigeon\n"
                    ",C1,2025-10-09 09:00:00,Pigeon\n", encoding="utf-8")
    status, _, _ = run(capsys, tmp_path, path, "--profile", "servicenow")
    assert status == 0
    assert [(n, r) for _, n, r, _ in rejections(tmp_path)] == [
        (2, "customer_id (客户编号) [column company]: missing"),
        (3, "reported_at (报障时间) [column opened_at]: cannot read 'yesterday' as a date and "
            "time — expected e.g. 2025-10-09 14:30"),
        (4, "ticket_id (工单号) [column number]: missing"),
    ]


def test_the_documentation_shows_the_example_profile():
    doc = (Path(__file__).parent.parent / "docs" / "import-profiles.md").read_text()
    profile = (EXAMPLES / "weibao_profile.toml").read_text()
    # the worked example quotes the profile file as it is
    body = profile[profile.index('name = "weibao"'):]
    assert body.strip() in doc
    for name in BUILTIN:
        for url in load_profile(name).docs:
            assert url in doc, (name, url)


@pytest.mark.parametrize("problem, text, message", [
    ("syntax", "name = ", "bad.toml: not a valid TOML profile"),
    ("unknown column", '[tickets.columns]\nticket_id = "A"\ncustomer_id = "B"\n'
     'reported_at = "C"\ncolour = "D"\n', "bad.toml: tickets.columns.colour: tickets has no "
     "column 'colour'"),
    ("required", '[tickets.columns]\nticket_id = "A"\n',
     "bad.toml: tickets.columns: required column(s) not mapped: customer_id, reported_at"),
    ("order", 'date_order = "dym"\n[tickets.columns]\nticket_id = "A"\n',
     "bad.toml: date_order: 'dym' — expected one of dmy, mdy, ymd"),
    ("constant", '[tickets.columns]\nticket_id = "A"\ncustomer_id = {value = 1}\n'
     'reported_at = "C"\n', "bad.toml: tickets.columns.customer_id: expected a column name, "
     "a list of names or {const"),
    ("top key", 'colour = "red"\n', "bad.toml: colour: unknown key"),
])
def test_bad_profile_files_are_refused_with_the_key(capsys, tmp_path, problem, text, message):
    profile = tmp_path / "bad.toml"
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_profile(profile)
    assert message in str(e.value)
    status, _, err = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", profile)
    assert status == 2 and message in err


def test_unknown_profile_name(capsys, tmp_path):
    status, _, err = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "remedy")
    assert status == 2
    assert "remedy: no such profile — give one of servicenow, jira, zammad, glpi" in err


def test_wrong_profile_names_the_missing_columns(capsys, tmp_path):
    status, _, err = run(capsys, tmp_path, DATA / "jira_issues.csv", "--profile", "servicenow")
    assert status == 2
    assert ("jira_issues.csv: profile servicenow needs column 'number' or 'Number' for "
            "tickets.ticket_id (工单号) — found columns: Summary, Issue key") in err


def test_a_folder_of_exports_loads_with_a_profile(capsys, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "servicenow_incident.csv", folder / "incident.csv")
    shutil.copy(DATA / "servicenow_updates.csv", folder / "incident_history.csv")
    status, _, _ = run(capsys, tmp_path, folder, "--profile", "servicenow")
    assert status == 0
    assert rows(tmp_path, "SELECT count(*) FROM tickets") == [(6,)]


@pytest.mark.parametrize("file, name", [
    ("servicenow_incident.csv", "servicenow"), ("jira_issues.csv", "jira"),
    ("glpi_tickets.csv", "glpi"), ("zammad_tickets.xlsx", "zammad"),
])
def test_detect_profile_from_headers(file, name):
    assert detect_profile(read_header(DATA / file)) == name


def test_detect_profile_none_for_canonical_and_servicenow_labels(tmp_path):
    assert detect_profile(["工单号", "客户编号", "报障时间"]) is None
    # an Excel export of ServiceNow carries field labels instead of names
    assert detect_profile(["Number", "Opened", "Caller", "State"]) == "servicenow"


def test_stage_file_api_for_the_upload_preview():
    staged = stage_file(DATA / "servicenow_updates.csv",
                        options=ImportOptions(profile="servicenow"))
    assert [s.entity for s in staged] == ["tickets", "ticket_events"]
    tickets = staged[0]
    assert tickets.mapping["ticket_id"] == "number"
    assert tickets.mapping["category"] == "= fault"
    assert tickets.table.encoding == "utf-8"
    assert list(tickets.good["ticket_id"]) == ["INC0020001", "INC0020002"]
    assert any("folded in" in n for n in tickets.notes)
    with pytest.raises(InputError):
        stage_file(DATA / "jira_issues.csv", options=ImportOptions(profile="zammad"))


def test_xlsx_with_profile_reads_the_first_sheet(capsys, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "导出"
    book.active.append(["number", "company", "opened_at"])
    book.active.append(["INC9", "C9", D(2025, 10, 9, 9, 30)])
    book.save(tmp_path / "export.xlsx")
    status, _, _ = run(capsys, tmp_path, tmp_path / "export.xlsx", "--profile", "servicenow")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id, reported_at FROM tickets") == [
        ("INC9", "C9", D(2025, 10, 9, 9, 30))]


def test_sheet_named_in_the_profile_or_after_the_entity(capsys, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["这张表是说明"])
    log = book.create_sheet("工单")
    log.append(["工单号", "客户", "报障时间"])
    log.append(["T1", "C1", "2025-10-09 10:00"])
    book.save(tmp_path / "工单.xlsx")
    # canonical file with one fix: the sheet named after the entity, as without options
    status, _, _ = run(capsys, tmp_path, tmp_path / "工单.xlsx", "--map", "customer_id=客户")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id FROM tickets") == [("T1", "C1")]
    # a user profile names its sheet
    profile = tmp_path / "p.toml"
    profile.write_text('sheet = ["工单"]\n[tickets.columns]\nticket_id = "工单号"\n'
                       'customer_id = "客户"\nreported_at = "报障时间"\n', encoding="utf-8")
    (tmp_path / "db.duckdb").unlink()
    status, _, _ = run(capsys, tmp_path, tmp_path / "工单.xlsx", "--profile", profile)
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id FROM tickets") == [("T1", "C1")]


def test_servicenow_excel_export_with_field_labels(capsys, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Number", "Company", "Opened", "Channel", "State", "Priority", "Assigned to",
                  "Resolved", "Updated"])
    sheet.append(["INC7", "C7", D(2025, 10, 9, 9), "Walk-in", "Resolved", "1 - Critical",
                  "Wang Wei", D(2025, 10, 9, 12), D(2025, 10, 9, 12)])
    book.save(tmp_path / "incident.xlsx")
    assert detect_profile(read_header(tmp_path / "incident.xlsx")) == "servicenow"
    status, _, _ = run(capsys, tmp_path, tmp_path / "incident.xlsx", "--profile", "servicenow")
    assert status == 0
    assert rows(tmp_path, "SELECT ticket_id, customer_id, reported_at, channel, "
                          "reported_severity, engineer_id, resolved_at FROM tickets") == [
        ("INC7", "C7", D(2025, 10, 9, 9), None, "severe", "Wang Wei", D(2025, 10, 9, 12))]
