"""Mailing the customer reports: each customer's xlsx + PDF to the addresses in its customers row.

A run asks the delivery log what already went out for the period and sends only the rest
(every address once), unless forced. Every attempt, and every customer without an address, is
recorded; a failure is a `failed` row with the reason, never a lost record.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..database import Database
from ..messages import t
from ..queries import Scope, load_info
from ..queries.customer_report import report_recipients
from ..reports.customer_report import customer_report, report_pdf, report_period, report_xlsx
from .config import SmtpConfig, split_addresses, valid_address
from .log import Delivery, DeliveryLog, FileSent, now
from .mail import PDF, XLSX, Mailer, MailError, ServerUnavailable, build_message

RELATIVE_PERIODS = ("last-month", "last-quarter")
NOT_AN_ADDRESS = "not an e-mail address (customers file, column report_emails / 报告邮箱)"
# What a customer's line in the summary says: statuses of a run, beyond the recorded results.
STATUSES = ("sent", "partial", "failed", "no_address", "already_sent", "would_send")


def resolve_period(text: str, today: date) -> str:
    """A period label: "YYYY-MM", "YYYY-Qn", or last-month / last-quarter before TODAY."""
    text = (text or "").strip().lower()
    if text == "last-month":
        return str(pd.Period(today, "M") - 1)
    if text == "last-quarter":
        q = pd.Period(today, "Q") - 1
        return f"{q.year}-Q{q.quarter}"
    return report_period(text)[2]


def period_end(period: str) -> pd.Timestamp:
    """The first moment after PERIOD ("2026-10" → 2026-11-01 00:00)."""
    _, end, _ = report_period(period)
    return (pd.Period(end, "M") + 1).start_time


@dataclass(frozen=True)
class Outcome:
    """What happened (or would happen) to one customer's report in this run."""

    customer_id: str
    name: str
    status: str  # one of STATUSES
    addresses: tuple[str, ...] = ()  # the addresses this run was (or would be) sending to
    delivered: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    note: str | None = None  # the failure, or when it already went out


@dataclass
class Mailing:
    """One run's outcomes, in customer order."""

    period: str
    as_of: pd.Timestamp
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many customers ended with STATUS."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> bool:
        """Whether any report did not reach every address it was sent to."""
        return any(o.status in ("failed", "partial") for o in self.outcomes)


def file_names(customer_id: str, period: str) -> tuple[str, str]:
    """The attachments' names, as `python -m etl report --out` writes them."""
    return f"{customer_id}_{period}.xlsx", f"{customer_id}_{period}.pdf"


def _build(db: Database, customer_id: str, period: str, lang: str) -> list[tuple[str, bytes, str]]:
    report = customer_report(db, customer_id, period, lang)
    xlsx, pdf = file_names(customer_id, period)
    return [(xlsx, report_xlsx(report, lang), XLSX), (pdf, report_pdf(report, lang), PDF)]


def _sent(files: list[tuple[str, bytes, str]]) -> tuple[FileSent, ...]:
    return tuple(FileSent(name, hashlib.sha256(data).hexdigest(), len(data))
                 for name, data, _ in files)


def mail_reports(db_path: Path, customer_ids: list[str] | None, period: str, *,
                 log: DeliveryLog, smtp: SmtpConfig | None, lang: str = "zh",
                 dry_run: bool = False, force: bool = False, out: Path | None = None,
                 progress: Callable[[Outcome], None] = lambda o: None) -> Mailing:
    """Mail PERIOD's report to each customer (all when CUSTOMER_IDS is None); see the module."""
    run_id = secrets.token_hex(6)
    db = Database(db_path)
    try:
        everyone = report_recipients(db, Scope.everyone())
        as_of = pd.Timestamp(load_info(db)["as_of"])
        if customer_ids is not None:
            everyone = everyone[everyone["customer_id"].isin(customer_ids)]
        mailing = Mailing(period, as_of)
        data_as_of = f"{as_of:%Y-%m-%d %H:%M}"
        todo: list[tuple[str, str, list[str], dict]] = []
        for row in everyone.itertuples(index=False):
            addresses = split_addresses(row.report_emails)
            common = dict(run_id=run_id, kind="report", channel="email", period=period,
                          customer_id=row.customer_id, customer_name=row.name,
                          data_as_of=data_as_of, forced=force)
            if not addresses:
                outcome = Outcome(row.customer_id, row.name, "no_address")
                if not dry_run:
                    log.record(Delivery(result="no_address", **common))
            else:
                done = set() if force else log.delivered("report", "email", row.customer_id,
                                                         period)
                pending = [a for a in addresses if a not in done]
                if not pending:
                    outcome = Outcome(row.customer_id, row.name, "already_sent",
                                      tuple(addresses), note=", ".join(sorted(done)))
                elif dry_run:
                    outcome = Outcome(row.customer_id, row.name, "would_send", tuple(pending),
                                      files=file_names(row.customer_id, period))
                else:
                    todo.append((row.customer_id, row.name, pending, common))
                    continue
            mailing.outcomes.append(outcome)
            progress(outcome)
        if todo:
            _send_all(db, todo, period, lang, smtp, log, out, mailing, progress)
        mailing.outcomes.sort(key=lambda o: o.customer_id)
        return mailing
    finally:
        db.close()


def _send_all(db: Database, todo: list, period: str, lang: str, smtp: SmtpConfig,
              log: DeliveryLog, out: Path | None, mailing: Mailing,
              progress: Callable[[Outcome], None]) -> None:
    as_of = f"{mailing.as_of:%Y-%m-%d %H:%M}"
    with Mailer(smtp) as mailer:
        down = None
        try:
            # Before building a single report: a server that cannot be reached fails fast.
            mailer.connect()
        except ServerUnavailable as e:
            down = str(e)
        def failed(note: str) -> None:
            """A customer whose mail never left: a `failed` row with the reason."""
            outcome = Outcome(customer_id, name, "failed", tuple(pending), note=note)
            log.record(Delivery(result="failed", recipients=tuple(pending), error=note,
                                attempted_at=attempted, **common))
            mailing.outcomes.append(outcome)
            progress(outcome)

        for customer_id, name, pending, common in todo:
            attempted = now()
            if down is not None:
                failed(down)
                continue
            try:
                files = _build(db, customer_id, period, lang)
            except Exception as e:  # noqa: BLE001 — a report that cannot be built is a failed row
                failed(f"the report could not be built: {type(e).__name__}: {e}")
                continue
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for file, data, _ in files:
                    (out / file).write_bytes(data)
            refused = {a: NOT_AN_ADDRESS for a in pending if not valid_address(a)}
            usable = [a for a in pending if a not in refused]
            delivered: tuple[str, ...] = ()
            error = None
            subject = t("customer_report_mail_subject", lang, period=period, name=name)
            if usable:
                msg = build_message(smtp.sender, usable, subject,
                                    t("customer_report_mail_body", lang, name=name, period=period,
                                      as_of=as_of), attachments=files)
                try:
                    result = mailer.send(msg, usable)
                    delivered = result.delivered
                    refused.update(result.refused)
                except ServerUnavailable as e:
                    down = error = str(e)
                except MailError as e:
                    error = str(e)
            if refused and error is None:
                error = "; ".join(f"{a}: {why}" for a, why in refused.items())
            status = ("sent" if len(delivered) == len(pending) else
                      "partial" if delivered else "failed")
            sent_at = now() if delivered else None
            log.record(Delivery(result=status, recipients=tuple(pending), delivered=delivered,
                                refused=refused, files=_sent(files), subject=subject,
                                attempted_at=attempted, sent_at=sent_at, error=error,
                                **common))
            outcome = Outcome(customer_id, name, status, tuple(pending), delivered, refused,
                              tuple(f for f, _, _ in files), error)
            mailing.outcomes.append(outcome)
            progress(outcome)


def data_before_period_end(as_of: pd.Timestamp, period: str) -> bool:
    """Whether the data was judged before PERIOD ended (its report would be incomplete)."""
    return pd.Timestamp(as_of) < period_end(period)


def today_in_china() -> date:
    """Today's date in China (the run's "last month" is counted from it)."""
    return now().date()

