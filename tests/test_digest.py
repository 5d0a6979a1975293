"""The supervisors' digest (python -m etl digest --send): real SMTP server, real robot webhook."""

import base64
import hashlib
import hmac
import json
import urllib.parse

import duckdb
import pandas as pd
import pytest

from service_quality import accounts
from service_quality.accounts import UserStore
from service_quality.database import Database
from service_quality.delivery.digest import DIGEST_KINDS, PAGES, build_digest, signed_url
from service_quality.filters import default_filters
from service_quality.queries import Scope, load_info
from service_quality.queries.worklist import worklist
from tests.servers import smtp_server, webhook_server
from tests.support.browser import free_port
from tests.support.delivery import ROOT, cli, log_rows, no_traceback

BASE = "https://dashboard.example.com"


@pytest.fixture
def setup(db_copy, tmp_path, monkeypatch):
    """A users file (two supervisors, one with an address; a manager with one) and settings."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)
    users = tmp_path / "users.json"
    store = UserStore.open(users)
    store.add("sup", "supervisor", "pw")
    store.set_email("sup", "sup@example.com")
    store.add("sup2", "supervisor", "pw")
    store.add("boss", "manager", "pw")
    store.set_email("boss", "boss@example.com")
    store.save()
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[digest]\nbase_url = "{BASE}/"\nrecipients = ["qa@example.com"]\n',
                        encoding="utf-8")
    return db_copy, users, settings


def expected(db_path):
    """The worklist counts the digest must report, and the as_of it is judged at."""
    d = Database(db_path)
    try:
        as_of = pd.Timestamp(load_info(d)["as_of"])
        items = worklist(d, Scope.everyone(), default_filters(as_of))
        return {k: items.count(k) for k in DIGEST_KINDS}, as_of
    finally:
        d.close()


def test_the_digest_goes_to_supervisors_with_links_into_the_app(setup):
    db_path, users, settings = setup
    counts, as_of = expected(db_path)
    total = sum(counts.values())
    assert total > 0
    when = f"{as_of:%Y-%m-%d %H:%M}"
    with smtp_server() as (port, inbox):
        proc = cli("digest", "--send", "--db", db_path, "--users", users, "--settings",
                   settings, port=port)
        assert proc.returncode == 0, proc.stderr
        no_traceback(proc)
        [(sender, rcpt, msg)] = inbox.mails
        # Supervisors with an address and the settings' recipients; never the manager.
        assert sorted(rcpt) == ["qa@example.com", "sup@example.com"]
        assert msg["Subject"] == f"监督待办 {when}：{total} 项需跟进"
        text = msg.get_body(("plain",)).get_content()
        page = msg.get_body(("html",)).get_content()
        titles = {"complaints": "投诉时限", "reports": "故障报告催交", "actions": "逾期措施",
                  "low_scores": "低分未整改", "reproduction": "待复现到期应关闭"}
        period = default_filters(as_of)
        for kind, title in titles.items():
            assert f"{title}：{counts[kind]} 项" in text
            link = f"{BASE}/{PAGES[kind]}?from={period.start}&to={period.end}"
            assert link in text and link.replace("&", "&amp;") in page
        assert f"截至 {when}" in text

        again = cli("digest", "--send", "--db", db_path, "--users", users, "--settings",
                    settings, port=port)
        assert again.returncode == 0 and "already sent to" in again.stdout
        assert len(inbox.mails) == 1
        forced = cli("digest", "--send", "--force", "--db", db_path, "--users", users,
                     "--settings", settings, port=port)
        assert forced.returncode == 0 and len(inbox.mails) == 2
    rows = log_rows(db_path)
    assert [(r["kind"], r["channel"], r["result"], r["period"]) for r in rows] == [
        ("digest", "email", "sent", when)] * 2
    assert json.loads(rows[0]["delivered"]) == ["qa@example.com", "sup@example.com"]


def test_data_text_is_escaped_in_the_html_body(setup):
    db_path, users, settings = setup
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE customers SET name = '<b>Evil & Co</b>' WHERE customer_id IN "
                "(SELECT customer_id FROM worklist_actions_overdue LIMIT 1)")
    con.close()
    d = Database(db_path)
    try:
        digest = build_digest(d, BASE)
    finally:
        d.close()
    assert "<b>Evil & Co</b>" in digest.text()
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in digest.html()
    assert "<b>Evil" not in digest.html()


def test_dry_run_and_no_recipients(setup, tmp_path):
    db_path, users, settings = setup
    with smtp_server() as (port, inbox):
        proc = cli("digest", "--dry-run", "--db", db_path, "--users", users, "--settings",
                   settings, port=port)
        assert proc.returncode == 0, proc.stderr
        assert "e-mail: would send to qa@example.com, sup@example.com" in proc.stdout
        assert inbox.mails == [] and log_rows(db_path) == []
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    proc = cli("digest", "--send", "--db", db_path, "--settings", empty, port=1)
    assert proc.returncode == 2
    assert "error: nobody to send the digest to" in proc.stderr
    assert "Nothing was sent." in proc.stderr
    # Without --send or --dry-run it prints the digest (a preview, nothing recorded).
    proc = cli("digest", "--db", db_path, "--settings", settings, "--lang", "en")
    assert proc.returncode == 0 and proc.stdout.startswith("Subject: Supervision worklist")
    assert log_rows(db_path) == []


def test_the_digest_is_posted_to_a_group_robot(setup):
    db_path, users, settings = setup
    counts, _ = expected(db_path)
    with smtp_server() as (port, inbox), webhook_server() as (url, hook):
        proc = cli("digest", "--send", "--db", db_path, "--to", "duty@example.com",
                   "--settings", settings, port=port, DIGEST_WEBHOOK_URL=url)
        assert proc.returncode == 0, proc.stderr
        assert "robot webhook: sent to http://127.0.0.1:" in proc.stdout
        assert "key=test-key" not in proc.stdout   # the robot's secret never printed
        [(_, rcpt, _)] = inbox.mails
        assert rcpt == ["duty@example.com"]   # --to replaces the supervisors
        [(path, body)] = hook.posts
        assert path == "/cgi-bin/webhook/send?key=test-key"
        assert body["msgtype"] == "text"
        content = body["text"]["content"]
        assert content.startswith("监督待办 ")
        assert f"故障报告催交：{counts['reports']} 项" in content
        assert len(content.encode("utf-8")) <= 2000
        assert f"{BASE}/fault_reports?" in content
        again = cli("digest", "--send", "--db", db_path, "--to", "duty@example.com",
                    "--settings", settings, port=port, DIGEST_WEBHOOK_URL=url)
        assert "robot webhook: already sent" in again.stdout and len(hook.posts) == 1
    rows = log_rows(db_path)
    hooks = [r for r in rows if r["channel"] == "webhook"]
    assert [r["result"] for r in hooks] == ["sent"]
    assert "test-key" not in json.dumps(rows)


def test_a_dingtalk_robot_gets_its_signature(setup):
    db_path, _, settings = setup
    robot_only = settings.with_name("robot.toml")
    robot_only.write_text(f'[digest]\nbase_url = "{BASE}"\n', encoding="utf-8")
    with webhook_server() as (url, hook):
        proc = cli("digest", "--send", "--db", db_path, "--settings", robot_only,
                   DIGEST_WEBHOOK_URL=url, DIGEST_WEBHOOK_SECRET="SEC123")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    [(path, _)] = hook.posts
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    stamp, sign = query["timestamp"][0], query["sign"][0]
    want = base64.b64encode(hmac.new(b"SEC123", f"{stamp}\nSEC123".encode(),
                                     hashlib.sha256).digest()).decode()
    assert sign == want
    assert signed_url("http://x/send?access_token=t", "s", 1).startswith(
        "http://x/send?access_token=t&timestamp=1&sign=")


def test_robot_and_mail_failures_are_recorded(setup):
    db_path, users, settings = setup
    with webhook_server(reply={"errcode": 93000, "errmsg": "invalid webhook url"}) as (url, _):
        proc = cli("digest", "--send", "--db", db_path, "--users", users, "--settings",
                   settings, port=free_port(), DIGEST_WEBHOOK_URL=url)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "robot webhook: FAILED" in proc.stdout
    assert "the robot refused the message: errcode 93000, invalid webhook url" in proc.stdout
    assert "e-mail: FAILED, nothing sent to qa@example.com, sup@example.com: cannot connect" \
        in proc.stdout
    dead = f"http://127.0.0.1:{free_port()}/send?key=k"
    robot_only = settings.with_name("robot.toml")
    robot_only.write_text(f'[digest]\nbase_url = "{BASE}"\n', encoding="utf-8")
    proc = cli("digest", "--send", "--db", db_path, "--settings", robot_only,
               DIGEST_WEBHOOK_URL=dead)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "cannot connect to the robot webhook" in proc.stdout
    rows = log_rows(db_path)
    assert [(r["channel"], r["result"]) for r in rows] == [
        ("email", "failed"), ("webhook", "failed"), ("webhook", "failed")]
    assert "errcode 93000" in rows[1]["error"]


def test_user_addresses_from_the_command_line(tmp_path):
    users = tmp_path / "users.json"
    ok = cli("user", "add", "ann", "--role", "supervisor", "--email", "ann@example.com",
             "--users", users, input_text="pw-ann\n")
    assert ok.returncode == 0, ok.stderr
    assert UserStore.open(users).email("ann") == "ann@example.com"
    bad = cli("user", "add", "bob", "--role", "supervisor", "--email", "bob@", "--users", users,
              input_text="pw-bob\n")
    assert bad.returncode == 2 and "'bob@' is not an e-mail address" in bad.stderr
    assert UserStore.open(users).get("bob") is None
    assert cli("user", "email", "ann", "a2@example.com", "--users", users).returncode == 0
    listed = cli("user", "list", "--users", users).stdout.split()
    assert listed == ["name", "role", "customer", "email", "ann", "supervisor", "a2@example.com"]
    assert cli("user", "email", "ann", "--users", users).returncode == 0
    assert UserStore.open(users).email("ann") is None
    log = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    assert [e["event"] for e in log] == ["user_add", "user_email", "user_email"]


# --- the Data page shows the log ------------------------------------------------------------------

def test_the_data_page_lists_deliveries_newest_first(db_copy, monkeypatch):
    db = db_copy
    from streamlit.testing.v1 import AppTest

    from service_quality.delivery.log import Delivery, DeliveryLog, FileSent, deliveries_path
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60).run()
    assert not at.exception
    assert any("还没有发送记录" in i.value for i in at.info)

    log = DeliveryLog(deliveries_path(db))
    log.record(Delivery(run_id="r1", kind="report", channel="email", period="2026-10",
                        result="sent", customer_id="C001", customer_name="湛江滨海人民医院",
                        recipients=("a@example.com",), delivered=("a@example.com",),
                        files=(FileSent("C001_2026-10.pdf", "ab" * 32, 1234),)))
    log.record(Delivery(run_id="r2", kind="report", channel="email", period="2026-10",
                        result="failed", customer_id="C004", customer_name="粤西",
                        recipients=("x@example.com",), error="<script>alert(1)</script>"))
    log.record(Delivery(run_id="r2", kind="report", channel="email", period="2026-10",
                        result="no_address", customer_id="C010", customer_name="坡头"))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60).run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "尝试时间" in d.value.columns)
    assert list(shown["客户"]) == ["C010 坡头", "C004 粤西", "C001 湛江滨海人民医院"]
    assert list(shown["结果"]) == ["无邮箱", "失败", "已发送"]
    assert shown["错误"].iloc[1] == "<script>alert(1)</script>"   # literal text, never HTML
    assert shown["附件（SHA-256）"].iloc[2] == "C001_2026-10.pdf (abababababab…, 1,234 B)"
    assert [w.value for w in at.warning if "最近一次发送有 1 项失败" in w.value]


def test_the_readme_schedules_commands_that_run():
    import re
    import shlex

    from etl.cli import build_parser
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    cron = re.findall(r"^([\d*]+ [\d*]+ [\d*]+ [\d*]+ [\d*]+) +cd .*?-m etl (.+?) >>", text, re.M)
    timers = re.findall(r"^ExecStart=\S+ -m etl (.+)$", text, re.M)
    assert [when for when, _ in cron] == ["0 8 1 * *", "30 7 * * *"]
    commands = [c for _, c in cron] + timers
    assert "report --period last-month --all --send" in commands
    assert commands.count("digest --send") == 2
    for command in commands:
        build_parser().parse_args(shlex.split(command))   # exits on an unknown argument
    assert "[Timer]" in text and "OnCalendar=*-*-* 07:30:00 Asia/Shanghai" in text
