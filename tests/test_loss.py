"""A file that loses more than 5 % of its rows ends the load with a warning block that says how
to fix the commonest reason (issue 12)."""

import pandas as pd
import pytest

from etl.cli import main
from etl.loss import fix_for, loss_of, reason_kinds

AS_OF = ["--as-of", "2025-10-20 12:00"]


def run(capsys, tmp_path, *args):
    """`python -m etl load …` into tmp_path/db.duckdb: (exit status, stdout, stderr)."""
    status = main(["load", *map(str, args), "--db", str(tmp_path / "db.duckdb"), *AS_OF])
    out = capsys.readouterr()
    return status, out.out, out.err


def tickets_csv(tmp_path, bad: int, total: int = 20):
    """A canonical tickets.csv of `total` rows of which the last `bad` have no customer."""
    lines = ["ticket_id,customer_id,reported_at"]
    lines += [f"T{i},{'' if i >= total - bad else 'C1'},2025-10-09 10:00" for i in range(total)]
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_five_percent_lost_is_no_warning(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, tickets_csv(tmp_path, bad=1))
    assert status == 0
    assert "1 rows were rejected" in out
    assert "warning" not in out


def test_more_than_five_percent_ends_with_a_warning_block(capsys, tmp_path):
    path = tickets_csv(tmp_path, bad=2)
    status, out, _ = run(capsys, tmp_path, path)
    assert status == 0   # it loaded what could load
    assert out.splitlines()[-4:] == [
        "warning: 1 file lost more than 5% of the rows — check before trusting the figures:",
        f"  {path} (tickets): 2 of 20 rows not loaded (10.0%)",
        "    2 × customer_id (客户编号): missing",
        "    fix the commonest: these rows have no customer_id: fill it in, or give "
        "--map customer_id=COLUMN",
    ]


def test_the_issues_history_export_read_as_a_canonical_file(capsys, tmp_path):
    # the same update rows without a profile: each repeated id is a rejected row, loudly
    path = tmp_path / "tickets.csv"
    rows = [f"INC{i // 4},C1,2025-10-09 {10 + i % 4}:00" for i in range(12)]
    path.write_text("ticket_id,customer_id,reported_at\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path)
    assert status == 0
    block = out[out.index("warning: 1 file lost"):].splitlines()
    assert block[1:] == [
        f"  {path} (tickets): 9 of 12 rows not loaded (75.0%)",
        "    9 × duplicate ticket_id",
        "    fix the commonest: a tickets file in the canonical layout lists each ticket once; "
        "if this is a history export (one row per update), load it with its --profile, which "
        "keeps each ticket's latest row",
    ]


def test_an_export_names_its_own_column_and_the_fixing_option(capsys, tmp_path):
    path = tmp_path / "incident.csv"
    path.write_text("number,company,opened_at,priority\n"
                    "INC1,C1,2025-10-09 09:00:00,1 - Critical\n"
                    "INC2,C1,N/A,2 - High\nINC3,C1,N/A,3\nINC4,,2025-10-09 10:00:00,3\n",
                    encoding="utf-8")
    status, out, _ = run(capsys, tmp_path, path, "--profile", "servicenow")
    assert status == 0
    block = out[out.index("warning: 1 file lost"):].splitlines()
    assert block[1:] == [
        f"  {path} (tickets): 3 of 4 rows not loaded (75.0%)",
        "    2 × reported_at (报障时间) [column opened_at]: cannot read 'N/A' as a date and "
        "time — expected e.g. 2025-10-09 14:30",
        "    1 × customer_id (客户编号) [column company]: missing",
        '    fix the commonest: --null "N/A" (a cell holding just this is empty)',
    ]
    # and the fix works
    status, out, _ = run(capsys, tmp_path, path, "--profile", "servicenow", "--null", "N/A")
    assert "reported_at (报障时间) [column opened_at]: missing" in out


@pytest.mark.parametrize("reason, entity, profile, fix", [
    ("channel (报障方式): unknown value 'Walk in' — expected one of 电话/phone", "tickets", None,
     '--value "channel:Walk in=…" (… = one of phone, email, sms, fax, im, or nothing for '
     "empty)"),
    ("system_down (系统瘫痪) [column Down]: unknown value 'maybe' — expected 是/否 or "
     "true/false", "tickets", "my.toml",
     '--value "system_down:maybe=…" (… = one of true, false, or nothing for empty), or '
     '"maybe" = "…" under [tickets.values.system_down] in the profile'),
    ("method (调查方式): unknown value 'Web' — expected one of 问卷/questionnaire", "surveys",
     None, '--value "surveys.method:Web=…" (… = one of questionnaire, phone, interview, fax, '
     "email, or nothing for empty)"),
    ("customer_id (客户编号) [column company]: missing", "tickets", "servicenow",
     "these rows have nothing in column company; if another column holds customer_id, give "
     "--map customer_id=COLUMN"),
    ("reported_at (报障时间): cannot read '?' as a date and time — expected e.g. 2025-10-09 "
     "14:30", "tickets", None, '--null "?" (a cell holding just this is empty)'),
    ("reported_at (报障时间): cannot read '05/03/2025 10:00' as a date and time", "tickets",
     None, "--date-order dmy or --date-order mdy (the order of day and month)"),
    ("transfers (转交次数): cannot read '2.5x' as a number", "tickets", None,
     "correct these cells of column transfers in the file"),
    ("duplicate complaint_id K1 (first at row 2)", "complaints", None,
     "remove the repeated rows from the file"),
    ("arrived_at (到场时间) 2025-10-09 09:00:00 is before reported_at (报障时间) 2025-10-09 "
     "10:00:00", "tickets", None,
     "no option: the times contradict each other; correct them in the source system"),
    ("row has 5 values but the header has 4 columns", "tickets", None,
     "check the quotes (\") and separators of these rows in the file"),
    ("score (评分): 8 is outside the 1–5 scale", "surveys", "my.toml",
     "if the file scores on another scale, give it: score_scale = 10 or 100 under [surveys] "
     "in the profile (or a score_scale column)"),
    ("score (评分) [column 满意度]: 11 is outside the 1–10 scale", "surveys", "my.toml",
     "correct these scores in the file: they are outside its 1–10 scale"),
])
def test_the_fix_for_each_kind_of_reason(reason, entity, profile, fix):
    assert fix_for(reason, entity, profile) == fix


def test_reasons_are_counted_by_kind_commonest_first():
    reasons = pd.Series([
        "duplicate ticket_id T1 (first at row 2)",
        "duplicate ticket_id T2 (first at row 3)",
        "arrived_at (到场时间) 2025-10-09 09:00:00 is before reported_at (报障时间) "
        "2025-10-09 10:00:00; duplicate ticket_id T2 (first at row 3)",
        "arrived_at (到场时间) 2025-10-10 09:00:00 is before reported_at (报障时间) "
        "2025-10-10 10:00:00",
        "reported_at (报障时间): cannot read '5/3/25' as a date and time",
        "reported_at (报障时间): cannot read '6/3/25' as a date and time",
        "reported_at (报障时间): cannot read '?' as a date and time",
        "channel (报障方式): unknown value 'x' — expected …",
        "channel (报障方式): unknown value 'y' — expected …",
    ])
    kinds = reason_kinds(reasons)
    assert list(zip(kinds["kind"], kinds["rows"], strict=True)) == [
        ("duplicate ticket_id", 3),
        ("arrived_at (到场时间) … is before reported_at (报障时间) …", 2),
        ("reported_at (报障时间): cannot read '…' as a date and time", 2),
        ("channel (报障方式): unknown value 'x' — expected …", 1),
        ("channel (报障方式): unknown value 'y' — expected …", 1),
        ("reported_at (报障时间): cannot read '?' as a date and time", 1),
    ]
    # the fix is found from a reason as written, not from its kind
    assert kinds["example"].iloc[2] == "reported_at (报障时间): cannot read '5/3/25' as a date " \
                                       "and time"


def test_loss_keeps_the_five_commonest_reasons():
    reasons = pd.Series([f"channel (报障方式): unknown value 'v{i % 7}' — expected" for i in
                         range(70)])
    loss = loss_of("f.csv", "tickets", 100, reasons)
    assert (loss.lost, round(loss.share, 2), len(loss.reasons)) == (70, 0.7, 5)
    assert loss_of("f.csv", "tickets", 1400, reasons) is None   # exactly 5 %
