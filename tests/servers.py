"""Real servers for the delivery tests: an SMTP server (aiosmtpd) and a robot webhook (http.server).

Each listens on a free loopback port in a thread of the test process and keeps what it received,
so a test parses the very bytes a client sent.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.browser import free_port

REFUSED_MARK = "refuse"
REFUSAL = "550 5.1.1 mailbox unavailable"


class Inbox:
    """What the SMTP server accepted: one (sender, recipients, parsed message) per mail."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], object]] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse every address containing "refuse", like a server without that mailbox."""
        if REFUSED_MARK in address:
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the mail as the server received it."""
        msg = message_from_bytes(envelope.original_content or envelope.content,
                                 policy=policy.default)
        with self._lock:
            self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list:
        """The parsed messages, in arrival order."""
        with self._lock:
            return [m for _, _, m in self.mails]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, valid a day either side of now."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


@contextmanager
def smtp_server(*, security: str = "none", cert: tuple[Path, Path] | None = None,
                login: tuple[str, str] | None = None):
    """An SMTP server on 127.0.0.1: yield (port, inbox). security: none | starttls | ssl."""
    inbox = Inbox()
    kwargs: dict = {}
    if security == "starttls":
        kwargs.update(tls_context=_server_context(*cert), require_starttls=True)
    elif security == "ssl":
        kwargs.update(ssl_context=_server_context(*cert))
    if login is not None:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (
                auth_data.login.decode(), auth_data.password.decode()) == login
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticate, auth_require_tls=security != "none")
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@contextmanager
def silent_server():
    """A port that accepts connections and never says a word (a hung mail server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class Webhook:
    """A group robot's webhook: keeps each POST (path with query, JSON body), answers `reply`."""

    def __init__(self, reply: dict | None = None) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.reply = reply if reply is not None else {"errcode": 0, "errmsg": "ok"}


@contextmanager
def webhook_server(reply: dict | None = None):
    """An HTTP server on 127.0.0.1 standing in for the WeCom / DingTalk robot: yield (url, hook)."""
    hook = Webhook(reply)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hook.posts.append((self.path, json.loads(body.decode("utf-8"))))
            data = json.dumps(hook.reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test-key", hook
    finally:
        server.shutdown()
        server.server_close()
