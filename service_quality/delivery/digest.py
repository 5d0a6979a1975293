"""The supervisors' daily digest: the worklist as of the last load, mailed and posted to a robot.

Read through the worklist queries (queries/worklist.py), so the digest lists exactly what the
overview's worklist shows; each kind links to the app's page with the filters in its URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import math
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..columns import code_word, label
from ..columns import column as column_info
from ..database import Database
from ..filters import Filters, default_filters
from ..messages import t
from ..pages import url_path
from ..queries import Scope, load_info
from ..queries.terms import terms_in_force
from ..queries.worklist import worklist
from ..terms import TermsInForce
from .config import DigestConfig, SmtpConfig, valid_address
from .log import Delivery, DeliveryLog, now
from .mail import Mailer, MailError, ServerUnavailable, build_message

# The worklist kinds a supervisor chases day by day, in the digest's order.
DIGEST_KINDS = ("complaints", "reports", "actions", "low_scores", "reproduction")
# The app page each kind opens (a stem of the page registry, service_quality.pages).
PAGES = {"complaints": "complaints", "reports": "fault_reports", "actions": "actions",
         "low_scores": "satisfaction", "reproduction": "overview"}
# Columns shown per kind, those the worklist returns (a newer worklist may add or drop some).
COLUMNS = {
    "complaints": ("complaint_id", "customer_name", "clock", "hours_left", "deadline"),
    "reports": ("ticket_id", "customer_name", "hours_left", "report_due_at", "rule_severity"),
    "actions": ("action_id", "customer_name", "days_overdue", "due_date", "owner_dept", "owner"),
    "low_scores": ("survey_id", "customer_name", "score", "days_waiting", "problem_category"),
    "reproduction": ("ticket_id", "customer_name", "recurrence_due_at", "days_past",
                     "confirmed_at"),
}
ITEMS = 10  # rows per kind in the mail; the count and the link give the rest
# The first two columns (the id and the customer) say what they are without their header.
NAMED_BY_VALUE = (0, 1)
WEBHOOK_ITEMS = 3
# WeCom's text message takes at most 2048 bytes (DingTalk more): stay under the smaller.
WEBHOOK_MAX_BYTES = 2000


@dataclass(frozen=True)
class Section:
    """One kind of follow-up: its title, full count, first rows (as text) and the page link."""

    kind: str
    title: str
    note: str
    count: int
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    link: str


@dataclass(frozen=True)
class Digest:
    """The digest of one load: when, what, and the same content as text, HTML and robot text."""

    as_of: pd.Timestamp
    lang: str
    sections: tuple[Section, ...]

    @property
    def total(self) -> int:
        """Items to follow up, every kind together."""
        return sum(s.count for s in self.sections)

    @property
    def period(self) -> str:
        """The key a re-run is recognised by: the load's moment of judgement."""
        return f"{self.as_of:%Y-%m-%d %H:%M}"

    @property
    def subject(self) -> str:
        """The mail's subject."""
        return t("digest_subject", self.lang, as_of=self.period, total=self.total)

    def text(self) -> str:
        """The plain-text body."""
        lang = self.lang
        lines = [t("digest_intro", lang, as_of=self.period), ""]
        if not self.total:
            lines += [t("digest_nothing", lang), ""]
        for s in self.sections:
            lines.append(t("digest_count", lang, title=s.title, count=s.count))
            if s.count:
                for row in s.rows:
                    lines.append("  - " + " · ".join(
                        v if i in NAMED_BY_VALUE else f"{h} {v}"
                        for i, (h, v) in enumerate(zip(s.headers, row, strict=True)) if v))
                if s.count > len(s.rows):
                    lines.append("  " + t("digest_more", lang, n=s.count - len(s.rows)))
            lines.append("  " + t("digest_open_link", lang, url=s.link))
            lines.append("")
        lines.append(t("digest_footer", lang))
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        """The HTML body: every value from the data escaped, never markup."""
        e = html.escape
        lang = self.lang
        parts = [f"<p>{e(t('digest_intro', lang, as_of=self.period))}</p>"]
        if not self.total:
            parts.append(f"<p>{e(t('digest_nothing', lang))}</p>")
        for s in self.sections:
            parts.append(f"<h3>{e(t('digest_count', lang, title=s.title, count=s.count))}</h3>")
            parts.append(f"<p style=\"color:#555\">{e(s.note)}</p>")
            if s.count:
                head = "".join(f"<th align=\"left\">{e(h)}</th>" for h in s.headers)
                body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
                               for row in s.rows)
                parts.append(f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">"
                             f"<tr>{head}</tr>{body}</table>")
                if s.count > len(s.rows):
                    parts.append(f"<p>{e(t('digest_more', lang, n=s.count - len(s.rows)))}</p>")
            parts.append(f"<p><a href=\"{e(s.link)}\">{e(t('digest_open', lang))}</a></p>")
        parts.append(f"<p style=\"color:#777\">{e(t('digest_footer', lang))}</p>")
        return "<html><body>" + "\n".join(parts) + "</body></html>"

    def robot_text(self) -> str:
        """A short plain text for a group robot (counts, first items, links), within its limit."""
        lang = self.lang
        lines = [self.subject]
        for s in self.sections:
            if not s.count:
                continue
            lines.append(t("digest_count", lang, title=s.title, count=s.count))
            for row in s.rows[:WEBHOOK_ITEMS]:
                lines.append("  " + " · ".join(v for v in row[:3] if v))
            lines.append(f"  {s.link}")
        if not self.total:
            lines.append(t("digest_nothing", lang))
        text = "\n".join(lines)
        data = text.encode("utf-8")
        if len(data) > WEBHOOK_MAX_BYTES:
            text = data[:WEBHOOK_MAX_BYTES - 4].decode("utf-8", errors="ignore") + " …"
        return text


def _cell(value, column: str, lang: str) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, str) and column_info(column) is not None and column_info(column).codes:
        return str(code_word(column, value, lang))
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if column.endswith("date") else f"{value:%Y-%m-%d %H:%M}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.0f}" if math.isclose(value, round(value)) else f"{value:.1f}"
    # Text from data files stays text: one line, no markup meaning anywhere it is shown.
    return re.sub(r"\s+", " ", str(value)).strip()


def page_link(base_url: str, page: str, filters: Filters, lang: str) -> str:
    """The app's address of PAGE with FILTERS in its URL, as the app itself writes them."""
    query = {**filters.to_query(), **({"lang": lang} if lang != "zh" else {})}
    return f"{base_url.rstrip('/')}/{url_path(page)}?{urllib.parse.urlencode(query)}"


def _notes(params: dict, terms: TermsInForce, lang: str) -> dict[str, str]:
    p = {k: f"{v:g}" if isinstance(v, float) else v for k, v in params.items()}
    values = {
        "reports": dict(hours=p["report_within_hours"]),
        "complaints": dict(near=p["reply_near_minutes"], near_days=p["resolution_near_days"]),
    }
    # The limits are each customer's, as the load judged them (one wording when they differ).
    return {k: t(f"overview_wl_{k}_note", lang, terms=terms, **values.get(k, {}))
            for k in DIGEST_KINDS}


def build_digest(db: Database, base_url: str, lang: str = "zh") -> Digest:
    """The digest of the database's last load (every customer: it goes to supervisors)."""
    as_of = pd.Timestamp(load_info(db)["as_of"])
    # The worklist ignores the period; the links open the period the app opens by default.
    filters = default_filters(as_of)
    items = worklist(db, Scope.everyone(), filters, limit=ITEMS)
    notes = _notes(items.params, terms_in_force(db, Scope.everyone(), filters), lang)
    sections = []
    for kind in DIGEST_KINDS:
        frame = getattr(items, kind)
        columns = [c for c in COLUMNS[kind] if c in frame.columns]
        rows = tuple(tuple(_cell(v, c, lang) for c, v in zip(columns, values, strict=True))
                     for values in frame[columns].itertuples(index=False, name=None))
        sections.append(Section(kind, t(f"overview_wl_{kind}", lang), notes[kind],
                                items.count(kind), tuple(label(c, lang) for c in columns), rows,
                                page_link(base_url, PAGES[kind], filters, lang)))
    return Digest(as_of, lang, tuple(sections))


# --- sending ------------------------------------------------------------------------------------

def redact(url: str) -> str:
    """A webhook address without its secret (the key or token in the query)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path,
                                    "…" if parts.query else "", ""))


def signed_url(url: str, secret: str | None, now_ms: int | None = None) -> str:
    """URL with DingTalk's signature (timestamp and sign) when the robot has a SECRET."""
    if not secret:
        return url
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def post_webhook(url: str, text: str, secret: str | None = None, timeout: float = 30) -> None:
    """Post TEXT to a WeCom / DingTalk group robot; ValueError with the reason when it fails."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}},
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(signed_url(url, secret), data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    where = redact(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as e:
        raise ValueError(f"the robot webhook {where} answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, ConnectionRefusedError):
            raise ValueError(f"cannot connect to the robot webhook {where}: connection "
                             "refused") from None
        raise ValueError(f"cannot reach the robot webhook {where}: {reason}") from None
    except TimeoutError:
        raise ValueError(f"the robot webhook {where} did not answer within {timeout:g} s") \
            from None
    try:
        reply = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"the robot webhook {where} did not answer with JSON") from None
    if not isinstance(reply, dict) or reply.get("errcode", 0) != 0:
        code = reply.get("errcode") if isinstance(reply, dict) else None
        message = reply.get("errmsg") if isinstance(reply, dict) else reply
        raise ValueError(f"the robot refused the message: errcode {code}, {message}")


@dataclass(frozen=True)
class DigestRun:
    """What one run did per channel: status sent / partial / failed / already_sent / would_send,
    the addresses concerned and the reason of a failure."""

    channel: str
    status: str
    recipients: tuple[str, ...] = ()
    delivered: tuple[str, ...] = ()
    note: str | None = None


def send_digest(digest: Digest, recipients: Iterable[str], *, log: DeliveryLog,
                smtp: SmtpConfig | None, config: DigestConfig, dry_run: bool = False,
                force: bool = False) -> list[DigestRun]:
    """Mail the digest to RECIPIENTS (and post it to the robot, if configured); record each."""
    run_id = secrets.token_hex(6)
    runs = []
    common = dict(run_id=run_id, kind="digest", period=digest.period, forced=force,
                  data_as_of=digest.period, subject=digest.subject)
    recipients = list(dict.fromkeys(recipients))
    done = set() if force else log.delivered("digest", "email", "", digest.period)
    pending = [a for a in recipients if a not in done]
    if recipients and not pending:
        runs.append(DigestRun("email", "already_sent", tuple(recipients)))
    elif pending and dry_run:
        runs.append(DigestRun("email", "would_send", tuple(pending)))
    elif pending:
        runs.append(_mail(digest, pending, smtp, log, common))
    if config.webhook_url:
        hook = redact(config.webhook_url)
        if not force and hook in log.delivered("digest", "webhook", "", digest.period):
            runs.append(DigestRun("webhook", "already_sent", (hook,)))
        elif dry_run:
            runs.append(DigestRun("webhook", "would_send", (hook,)))
        else:
            attempted = now()
            try:
                post_webhook(config.webhook_url, digest.robot_text(), config.webhook_secret,
                             timeout=smtp.timeout if smtp else 30)
            except ValueError as e:
                log.record(Delivery(channel="webhook", result="failed", recipients=(hook,),
                                    attempted_at=attempted, error=str(e), **common))
                runs.append(DigestRun("webhook", "failed", (hook,), note=str(e)))
            else:
                log.record(Delivery(channel="webhook", result="sent", recipients=(hook,),
                                    delivered=(hook,), attempted_at=attempted, sent_at=now(),
                                    **common))
                runs.append(DigestRun("webhook", "sent", (hook,), (hook,)))
    return runs


def _mail(digest: Digest, pending: list[str], smtp: SmtpConfig, log: DeliveryLog,
          common: dict) -> DigestRun:
    attempted = now()
    refused = {a: "not an e-mail address" for a in pending if not valid_address(a)}
    usable = [a for a in pending if a not in refused]
    delivered: tuple[str, ...] = ()
    error = None
    if usable:
        msg = build_message(smtp.sender, usable, digest.subject, digest.text(), digest.html())
        try:
            with Mailer(smtp) as mailer:
                result = mailer.send(msg, usable)
            delivered = result.delivered
            refused.update(result.refused)
        except (ServerUnavailable, MailError) as e:
            error = str(e)
    if refused and error is None:
        error = "; ".join(f"{a}: {why}" for a, why in refused.items())
    status = ("sent" if len(delivered) == len(pending) else "partial" if delivered
              else "failed")
    log.record(Delivery(channel="email", result=status, recipients=tuple(pending),
                        delivered=delivered, refused=refused, attempted_at=attempted,
                        sent_at=now() if delivered else None, error=error, **common))
    return DigestRun("email", status, tuple(pending), delivered, error)
