"""How mail goes out: SMTP from the environment or settings.toml, digest recipients and links."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import settings_path

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# [smtp] keys settings.toml may hold; the password never (the environment only).
SMTP_KEYS = ("host", "port", "security", "from", "user", "timeout", "cafile")
DIGEST_KEYS = ("base_url", "recipients")
DEFAULT_BASE_URL = "http://127.0.0.1:8501"
DEFAULT_TIMEOUT = 30.0
_SEPARATORS = re.compile(r"[;；,，\s]+")
# A plain address: no display name, no quoting; the domain of letters, digits and hyphens.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
                      r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def split_addresses(text) -> list[str]:
    """The addresses in TEXT (separated by ; , or spaces, full-width too), each once, in order."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(a for a in _SEPARATORS.split(text.strip()) if a))


def valid_address(address: str) -> bool:
    """Whether ADDRESS is a plain e-mail address (name@domain.tld) this mailer can send to."""
    return len(address) <= 254 and _ADDRESS.match(address) is not None


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_sections(path: Path | str | None = None) -> dict[str, dict]:
    """The [smtp] and [digest] tables of the settings file in force ({} for a missing one)."""
    path = settings_path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML ({e})") from None
    out = {}
    for name, known in (("smtp", SMTP_KEYS), ("digest", DIGEST_KEYS)):
        section = raw.get(name) or {}
        if not isinstance(section, dict):
            raise ValueError(f"{path}: [{name}] must be a table")
        if name == "smtp" and "password" in section:
            raise ValueError(f"{path}: [smtp] password is never read from a file; set "
                             "SMTP_PASSWORD in the environment of the command instead")
        unknown = sorted(set(section) - set(known))
        if unknown:
            raise ValueError(f"{path}: unknown setting {', '.join(unknown)} in [{name}]; "
                             f"known: {', '.join(known)}")
        out[name] = section
    return out


@dataclass(frozen=True)
class SmtpConfig:
    """One mail server and the sender: where, how secured, as whom."""

    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None

    def describe(self) -> str:
        """Where mail goes, for the summary (never the password)."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}){who}, from {self.sender}"


def smtp_config(path: Path | str | None = None, env: Mapping[str, str] | None = None
                ) -> SmtpConfig:
    """The SMTP settings: SMTP_* variables of ENV, else [smtp] of settings.toml; ValueError
    naming what is missing or wrong."""
    env = os.environ if env is None else env
    section = read_sections(path)["smtp"]

    def get(key: str):
        value = (env.get(f"SMTP_{key.upper()}") or "").strip()
        return value or section.get(key)

    host = str(get("host") or "").strip()
    sender = str(get("from") or "").strip()
    security = str(get("security") or "starttls").strip().lower()
    if not host:
        raise ValueError("no mail server: set SMTP_HOST (or host in [smtp] of settings.toml)")
    if security not in SECURITIES:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITIES)}, not "
                         f"{security!r}")
    if not sender:
        raise ValueError("no sender address: set SMTP_FROM (or from in [smtp] of settings.toml)")
    if not valid_address(sender):
        raise ValueError(f"the sender {sender!r} (SMTP_FROM) is not an e-mail address")
    try:
        port = int(get("port") or DEFAULT_PORTS[security])
        timeout = float(get("timeout") or DEFAULT_TIMEOUT)
    except (TypeError, ValueError):
        raise ValueError("SMTP_PORT must be a whole number and SMTP_TIMEOUT a number of "
                         "seconds") from None
    if not 0 < port < 65536 or timeout <= 0:
        raise ValueError(f"SMTP_PORT {port} or SMTP_TIMEOUT {timeout:g} is out of range")
    user = str(get("user") or "").strip() or None
    password = env.get("SMTP_PASSWORD") or None
    if password and not user:
        raise ValueError("SMTP_PASSWORD is set but SMTP_USER is not")
    if user and not password:
        raise ValueError(f"SMTP_USER is {user!r} but SMTP_PASSWORD is not set")
    if security == "none" and password and not _is_loopback(host):
        raise ValueError(f"SMTP_SECURITY=none would send the password unencrypted to {host}; "
                         "use starttls or ssl")
    cafile = str(get("cafile") or "").strip() or None
    if cafile and not Path(cafile).is_file():
        raise ValueError(f"SMTP_CAFILE {cafile}: no such file")
    return SmtpConfig(host, port, security, sender, user, password, timeout, cafile)


@dataclass(frozen=True)
class DigestConfig:
    """Where the digest's links point, and who gets it besides the supervisors in the users file."""

    base_url: str = DEFAULT_BASE_URL
    recipients: tuple[str, ...] = ()
    webhook_url: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)


def digest_config(path: Path | str | None = None, env: Mapping[str, str] | None = None
                  ) -> DigestConfig:
    """[digest] of settings.toml; the robot webhook (a secret URL) from DIGEST_WEBHOOK_URL."""
    env = os.environ if env is None else env
    section = read_sections(path)["digest"]
    base_url = str(env.get("DIGEST_BASE_URL") or section.get("base_url") or DEFAULT_BASE_URL)
    if not re.match(r"^https?://[^\s/]+", base_url):
        raise ValueError(f"[digest] base_url must be the app's address, like "
                         f"https://dashboard.example.com, not {base_url!r}")
    recipients = section.get("recipients") or []
    if isinstance(recipients, str):
        recipients = split_addresses(recipients)
    bad = [a for a in recipients if not isinstance(a, str) or not valid_address(a)]
    if bad:
        raise ValueError(f"[digest] recipients: {', '.join(map(repr, bad))} is not an e-mail "
                         "address")
    webhook = (env.get("DIGEST_WEBHOOK_URL") or "").strip() or None
    if webhook and not re.match(r"^https?://[^\s/]+", webhook):
        raise ValueError("DIGEST_WEBHOOK_URL must be an http(s) address")
    return DigestConfig(base_url.rstrip("/"), tuple(recipients), webhook,
                        (env.get("DIGEST_WEBHOOK_SECRET") or "").strip() or None)
