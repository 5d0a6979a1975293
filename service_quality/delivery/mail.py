"""Sending mail over SMTP: one connection per run, every failure turned into a clear sentence."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import SmtpConfig

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class MailError(Exception):
    """One message could not go out; str() is the reason, fit to print and to record."""


class ServerUnavailable(MailError):
    """The server cannot be used at all (refused, timeout, TLS, login): no message can go."""


@dataclass(frozen=True)
class SendResult:
    """Who accepted the message and who was refused, with the server's reason."""

    delivered: tuple[str, ...]
    refused: dict[str, str] = field(default_factory=dict)


def build_message(sender: str, to: list[str], subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """A MIME message: plain text (and HTML) body, attachments as (name, bytes, mime type)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}"


def describe(e: BaseException, config: SmtpConfig) -> str:
    """A one-line reason for a failure talking to the server in CONFIG."""
    where = f"{config.host}:{config.port}"
    if isinstance(e, ConnectionRefusedError):
        return (f"cannot connect to the mail server {where}: connection refused "
                "(is SMTP_HOST/SMTP_PORT right, is the server running?)")
    # smtplib reports a read that timed out as a closed connection; the timeout is its cause.
    if isinstance(e, TimeoutError | socket.timeout) or (
            isinstance(e, smtplib.SMTPServerDisconnected)
            and isinstance(e.__context__, TimeoutError | socket.timeout)):
        return f"the mail server {where} did not answer within {config.timeout:g} s"
    if isinstance(e, socket.gaierror):
        return f"cannot find the mail server {config.host!r} ({e.strerror})"
    if isinstance(e, ssl.SSLCertVerificationError):
        return (f"TLS with {where}: the server's certificate is not trusted "
                f"({e.verify_message}); set SMTP_CAFILE to the CA that signed it")
    if isinstance(e, ssl.SSLError):
        return (f"TLS with {where} failed ({e.reason or e}); does SMTP_SECURITY="
                f"{config.security} suit port {config.port}?")
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return (f"the mail server {where} refused the user name or password "
                f"(SMTP_USER/SMTP_PASSWORD): {_reply(e.smtp_code, e.smtp_error)}")
    if isinstance(e, smtplib.SMTPSenderRefused):
        return (f"the mail server {where} refused the sender {config.sender} (SMTP_FROM): "
                f"{_reply(e.smtp_code, e.smtp_error)}")
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return (f"the mail server {where} closed the connection ({e or 'no reason given'}); "
                f"does SMTP_SECURITY={config.security} suit port {config.port}?")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return f"the mail server {where}: {e}"
    if isinstance(e, smtplib.SMTPResponseException):
        return f"the mail server {where} answered {_reply(e.smtp_code, e.smtp_error)}"
    if isinstance(e, OSError):
        return f"cannot talk to the mail server {where}: {e.strerror or e}"
    return f"the mail server {where}: {e}"


class Mailer:
    """One SMTP connection for a run, opened on the first message, closed at the end."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye to the server (quietly: the messages are already sent or recorded)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def connect(self) -> None:
        """Open the connection now: a run checks the server before it builds anything."""
        if self._smtp is None:
            self._smtp = self._open()

    def _open(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context(cafile=c.cafile)
        smtp = None
        try:
            if c.security == "ssl":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            smtp.ehlo()
            if c.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ServerUnavailable(
                        f"the mail server {c.host}:{c.port} does not offer STARTTLS; set "
                        "SMTP_SECURITY=ssl for a TLS port, or none for a relay without TLS")
                smtp.starttls(context=context)
                smtp.ehlo()
            if c.user:
                smtp.login(c.user, c.password or "")
        except ServerUnavailable:
            smtp.close()
            raise
        except (smtplib.SMTPException, OSError) as e:
            if smtp is not None:
                smtp.close()
            raise ServerUnavailable(describe(e, c)) from None
        return smtp

    def send(self, msg: EmailMessage, recipients: list[str]) -> SendResult:
        """Send MSG to RECIPIENTS; MailError for this message, ServerUnavailable for all."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._open()
            try:
                refused = self._smtp.send_message(msg, self.config.sender, recipients)
            except smtplib.SMTPServerDisconnected as e:
                # A server may drop an idle connection between two long-built reports: once more.
                self._smtp = None
                if attempt == 2:
                    raise ServerUnavailable(describe(e, self.config)) from None
                continue
            except smtplib.SMTPRecipientsRefused as e:
                self._reset()
                return SendResult((), {a: _reply(code, text)
                                       for a, (code, text) in e.recipients.items()})
            except smtplib.SMTPSenderRefused as e:
                self.close()
                raise ServerUnavailable(describe(e, self.config)) from None
            except smtplib.SMTPResponseException as e:
                self._reset()
                raise MailError(describe(e, self.config)) from None
            except (smtplib.SMTPException, OSError) as e:
                self.close()
                raise ServerUnavailable(describe(e, self.config)) from None
            return SendResult(tuple(a for a in recipients if a not in refused),
                              {a: _reply(code, text) for a, (code, text) in refused.items()})
        raise AssertionError("unreachable")

    def _reset(self) -> None:
        # After a refused transaction the next MAIL FROM needs a clean state.
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()
