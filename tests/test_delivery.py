"""Mailing the customer reports (python -m etl report --send) against a real SMTP server."""

import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from service_quality.delivery.config import smtp_config, split_addresses, valid_address
from service_quality.delivery.customer_reports import resolve_period
from service_quality.delivery.log import DeliveryLog, deliveries_path
from tests.servers import REFUSAL, self_signed, silent_server, smtp_server
from tests.support.browser import free_port
from tests.support.delivery import SENDER, cli, log_rows, no_traceback, subprocess_cli

ROOT = Path(__file__).resolve().parent.parent
C001 = ("xinxike@example.com", "zhiliang.c001@example.com")


@pytest.fixture
def db(db_copy) -> Path:
    """A copy of the fixture database in its own folder (the delivery log goes beside it)."""
    return db_copy


def set_emails(db: Path, **emails: str | None) -> None:
    """Change customers' report_emails in the copy (as a new customers file would)."""
    con = duckdb.connect(str(db))
    try:
        for customer_id, text in emails.items():
            con.execute("UPDATE customers SET report_emails = ? WHERE customer_id = ?",
                        [text, customer_id])
    finally:
        con.close()


def attachments(msg) -> dict[str, bytes]:
    """The message's attachments: file name → bytes."""
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def customer_name(db: Path, customer_id: str) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT name FROM customers WHERE customer_id = ?",
                           [customer_id]).fetchone()[0]
    finally:
        con.close()


# --- the pieces ----------------------------------------------------------------------------------

def test_addresses_are_split_on_any_separator_and_checked():
    assert split_addresses("a@example.com; b@example.com；c@example.com, a@example.com") == [
        "a@example.com", "b@example.com", "c@example.com"]
    assert split_addresses(None) == [] and split_addresses("  ") == []
    assert valid_address("zhiliang.c001@example.com")
    for bad in ("xinxike@", "@example.com", "a b@example.com", "张三@example.com", "a@example"):
        assert not valid_address(bad), bad


def test_relative_periods_count_back_from_today():
    assert resolve_period("last-month", date(2026, 12, 4)) == "2026-11"
    assert resolve_period("last-month", date(2027, 1, 1)) == "2026-12"
    assert resolve_period("last-quarter", date(2026, 12, 4)) == "2026-Q3"
    assert resolve_period("2026-q3", date(2026, 12, 4)) == "2026-Q3"
    with pytest.raises(ValueError, match="bad period"):
        resolve_period("yesterday", date(2026, 12, 4))


def test_smtp_settings_from_the_environment_over_the_file(tmp_path):
    settings = tmp_path / "s.toml"
    settings.write_text('[smtp]\nhost = "mail.example.com"\nfrom = "a@example.com"\n'
                        'security = "ssl"\n', encoding="utf-8")
    c = smtp_config(settings, env={})
    assert (c.host, c.port, c.security, c.sender) == ("mail.example.com", 465, "ssl",
                                                      "a@example.com")
    c = smtp_config(settings, env={"SMTP_HOST": "relay.example.com", "SMTP_PORT": "2525",
                                   "SMTP_SECURITY": "starttls", "SMTP_USER": "u",
                                   "SMTP_PASSWORD": "pa55-word"})
    assert (c.host, c.port, c.security, c.user, c.password) == (
        "relay.example.com", 2525, "starttls", "u", "pa55-word")
    assert "pa55" not in repr(c) and "pa55" not in c.describe()
    settings.write_text('[smtp]\nhost = "m"\nfrom = "a@example.com"\npassword = "x"\n')
    with pytest.raises(ValueError, match="password is never read from a file"):
        smtp_config(settings, env={})
    with pytest.raises(ValueError, match="no mail server: set SMTP_HOST"):
        smtp_config(ROOT / "settings.toml", env={})
    with pytest.raises(ValueError, match="would send the password unencrypted"):
        smtp_config(ROOT / "settings.toml", env={
            "SMTP_HOST": "mail.example.com", "SMTP_SECURITY": "none", "SMTP_FROM": SENDER,
            "SMTP_USER": "u", "SMTP_PASSWORD": "p"})


# --- mailing one customer --------------------------------------------------------------------

def test_one_report_is_mailed_recorded_and_not_sent_twice(db, tmp_path):
    name = customer_name(db, "C001")
    with smtp_server() as (port, inbox):
        # The command itself once, in its own interpreter; the rest call its main() here.
        proc = subprocess_cli("report", "--period", "2026-10", "--customer", "C001", "--send",
                              "--db", db, "--out", tmp_path / "copies", port=port)
        assert proc.returncode == 0, proc.stderr
        no_traceback(proc)
        assert f"C001 {name}: sent to {', '.join(C001)}" in proc.stdout
        assert "1 customer(s): 1 sent, 0 failed." in proc.stdout
        [(sender, rcpt, msg)] = inbox.mails
        assert sender == SENDER and sorted(rcpt) == sorted(C001)
        assert msg["Subject"] == f"服务报告 2026-10 · {name}"
        assert sorted(a.addr_spec for a in msg["To"].addresses) == sorted(C001)
        body = msg.get_body(("plain",)).get_content()
        assert name in body and "2026-10" in body and "数据截至" in body
        files = attachments(msg)
        assert sorted(files) == ["C001_2026-10.pdf", "C001_2026-10.xlsx"]
        wb = load_workbook(io.BytesIO(files["C001_2026-10.xlsx"]))
        cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
        assert name in cells
        pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
            files["C001_2026-10.pdf"])).pages)
        assert re.sub(r"\s+", "", name) in re.sub(r"[\s\x00]+", "", pdf)
        # --out keeps a copy of exactly what went out.
        assert (tmp_path / "copies" / "C001_2026-10.xlsx").read_bytes() == \
            files["C001_2026-10.xlsx"]

        [row] = log_rows(db)
        assert (row["kind"], row["channel"], row["customer_id"], row["period"], row["result"]) \
            == ("report", "email", "C001", "2026-10", "sent")
        assert row["customer_name"] == name and row["sent_at"] and row["error"] is None
        assert sorted(json.loads(row["delivered"])) == sorted(C001)
        assert {f["name"]: f["sha256"] for f in json.loads(row["files"])} == {
            n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
        assert oct(deliveries_path(db).stat().st_mode & 0o777) == "0o600"

        # The same period again: nothing new goes out, and nothing is recorded as sent.
        again = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                    port=port)
        assert again.returncode == 0, again.stderr
        assert "already sent to" in again.stdout and "--force sends again" in again.stdout
        assert len(inbox.mails) == 1 and len(log_rows(db)) == 1

        # A new address in the customers file: only that one gets it.
        set_emails(db, C001="; ".join(C001) + "; new.c001@example.com")
        third = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                    port=port)
        assert third.returncode == 0, third.stderr
        assert inbox.mails[-1][1] == ["new.c001@example.com"] and len(inbox.mails) == 2

        # --force sends to everyone again, and says so in the log.
        forced = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--force",
                     "--db", db, port=port)
        assert forced.returncode == 0, forced.stderr
        assert len(inbox.mails) == 3 and len(inbox.mails[-1][1]) == 3
        assert log_rows(db)[-1]["forced"] == 1


def test_a_new_load_keeps_the_delivery_log(db, sample_dir):
    from etl.load import load
    from service_quality.settings import load_settings

    with smtp_server() as (port, inbox):
        assert cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
                   port=port).returncode == 0
        # A load builds a new database file and swaps it in; the log lives beside it.
        load([sample_dir / "customers.xlsx"], db, load_settings())
        assert [r["customer_id"] for r in log_rows(db)] == ["C002"]
        again = cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
                    port=port)
        assert "already sent" in again.stdout and len(inbox.mails) == 1


def test_dry_run_lists_who_would_get_what_and_sends_nothing(db):
    with smtp_server() as (port, inbox):
        proc = cli("report", "--period", "2026-10", "--all", "--dry-run", "--db", db, port=port)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    out = proc.stdout
    assert "Dry run: would mail the 2026-10 reports via 127.0.0.1" in out
    assert f"would send C001_2026-10.xlsx, C001_2026-10.pdf to {', '.join(C001)}" in out
    for customer in ("C010", "C012"):   # the sample's customers without an address
        assert re.search(rf"^{customer} .*: no address \(customers file, column report_emails",
                         out, re.M)
    assert "would be sent" in out and "2 without an address" in out
    assert inbox.mails == [] and log_rows(db) == []


def test_every_customer_is_mailed_and_failures_are_recorded(db):
    """--all: refused and malformed addresses and customers without one, in one run."""
    set_emails(db, C003="keji.c003@example.com; refuse.c003@example.com", C004="xinxike@",
               C005=None)
    today = pd.Timestamp.now(tz="Asia/Shanghai").date()
    period = resolve_period("last-month", today)
    with smtp_server() as (port, inbox):
        proc = cli("report", "--period", "last-month", "--all", "--send", "--db", db, port=port)
        assert proc.returncode == 1, proc.stderr   # some did not go out
        no_traceback(proc)
        rows = {r["customer_id"]: r for r in log_rows(db)}
        assert len(rows) == 12 and {r["period"] for r in rows.values()} == {period}
        assert {c for c, r in rows.items() if r["result"] == "no_address"} == {
            "C005", "C010", "C012"}
        assert rows["C003"]["result"] == "partial"
        assert json.loads(rows["C003"]["delivered"]) == ["keji.c003@example.com"]
        assert json.loads(rows["C003"]["refused"]) == {"refuse.c003@example.com": REFUSAL}
        assert rows["C004"]["result"] == "failed"
        assert "xinxike@: not an e-mail address" in rows["C004"]["error"]
        sent = {c for c, r in rows.items() if r["result"] == "sent"}
        assert sent == {"C001", "C002", "C006", "C007", "C008", "C009", "C011"}
        assert len(inbox.mails) == 8   # the seven sent and C003's good address
        assert "C004" in proc.stdout and "FAILED" in proc.stdout
        assert "3 without an address" in proc.stdout

        # Fixed in the customers file: the next run sends only what has not gone out.
        set_emails(db, C003="keji.c003@example.com; yunwei.c003@example.com",
                   C004="it.c004@example.com")
        again = cli("report", "--period", "last-month", "--all", "--send", "--db", db,
                    port=port)
        assert again.returncode == 0, again.stderr
        assert [sorted(r) for _, r, _ in inbox.mails[8:]] == [["yunwei.c003@example.com"],
                                                               ["it.c004@example.com"]]
        assert "7 already sent" in again.stdout


# --- failures: refused connection, timeout, bad address, TLS -----------------------------------

def test_a_refused_connection_is_a_failed_row_not_a_traceback(db):
    port = free_port()
    proc = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
               port=port)
    assert proc.returncode == 1
    no_traceback(proc)
    assert f"cannot connect to the mail server 127.0.0.1:{port}: connection refused" in proc.stdout
    [row] = log_rows(db)
    assert row["result"] == "failed" and "connection refused" in row["error"]
    assert json.loads(row["delivered"]) == [] and row["sent_at"] is None


def test_a_server_that_never_answers_times_out(db):
    with silent_server() as port:
        proc = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                   port=port, SMTP_TIMEOUT="1")
    assert proc.returncode == 1
    no_traceback(proc)
    assert f"the mail server 127.0.0.1:{port} did not answer within 1 s" in proc.stdout
    assert log_rows(db)[0]["result"] == "failed"


def test_missing_settings_refuse_before_anything(db):
    proc = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db)
    assert proc.returncode == 2
    assert "error: no mail server: set SMTP_HOST" in proc.stderr
    assert "Nothing was sent." in proc.stderr and log_rows(db) == []
    proc = cli("report", "--period", "2026-10", "--customer", "C001", "--db", db)
    assert proc.returncode == 2 and "give --out FOLDER" in proc.stderr


def test_starttls_with_login_and_an_untrusted_certificate(db, tmp_path):
    cert = self_signed(tmp_path)
    login = {"SMTP_USER": "mailer", "SMTP_PASSWORD": "s3cret"}
    with smtp_server(security="starttls", cert=cert, login=("mailer", "s3cret")) as (port, inbox):
        # Without the CA the certificate is refused, and the password never leaves.
        proc = cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
                   port=port, security="starttls", **login)
        assert proc.returncode == 1
        no_traceback(proc)
        assert "certificate is not trusted" in proc.stdout and "SMTP_CAFILE" in proc.stdout
        assert inbox.mails == []
        proc = cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
                   port=port, security="starttls", SMTP_CAFILE=str(cert[0]), **login)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(inbox.mails) == 1
        bad = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                  port=port, security="starttls", SMTP_CAFILE=str(cert[0]),
                  SMTP_USER="mailer", SMTP_PASSWORD="wrong")
        assert bad.returncode == 1 and "refused the user name or password" in bad.stdout
    assert [r["result"] for r in log_rows(db)] == ["failed", "sent", "failed"]


def test_implicit_tls(db, tmp_path):
    cert = self_signed(tmp_path)
    with smtp_server(security="ssl", cert=cert) as (port, inbox):
        proc = cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
                   port=port, security="ssl", SMTP_CAFILE=str(cert[0]))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(inbox.mails) == 1
        # The wrong mode for the port: a clear sentence, not a hang or a traceback.
        proc = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                   port=port, security="none", SMTP_TIMEOUT="5")
        assert proc.returncode == 1
        no_traceback(proc)
        assert "FAILED" in proc.stdout and "127.0.0.1" in proc.stdout


def test_the_log_is_read_newest_first(db):
    with smtp_server() as (port, _):
        cli("report", "--period", "2026-09", "--customer", "C002", "--send", "--db", db,
            port=port)
        cli("report", "--period", "2026-10", "--customer", "C002", "--send", "--db", db,
            port=port)
    recent = DeliveryLog(deliveries_path(db)).recent()
    assert list(recent["period"]) == ["2026-10", "2026-09"]
    assert int(recent["matching"].iloc[0]) == 2
    assert DeliveryLog(db.with_name("none.sqlite")).recent().empty


def test_an_unwritable_log_stops_the_mailing_before_anything_is_sent(db, monkeypatch):
    with smtp_server() as (port, inbox):
        proc = cli("report", "--period", "2026-10", "--customer", "C001", "--send", "--db", db,
                   port=port, DASHBOARD_DELIVERIES=str(db.parent / "no-such-folder" / "d.sqlite"))
    assert proc.returncode == 2
    no_traceback(proc)
    assert "error: cannot write the delivery log" in proc.stderr and "Nothing was sent." in \
        proc.stderr
    assert inbox.mails == []
