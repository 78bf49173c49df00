"""Application settings: environment first, then ``.streamlit/secrets.toml``, then defaults.

Read with plain ``tomllib`` so the command line and the tests see the same settings as the
Streamlit app.
"""

from __future__ import annotations

import contextlib
import os
import secrets as random_secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from db.config import DEFAULT_DATABASE_URL, ROOT, database_url, read_secrets

# Keys that must never protect a real deployment.
PLACEHOLDER_COOKIE_KEYS = frozenset({"", "change-me", "changeme", "some_key", "secret",
                                     "replace-with-a-long-random-string"})
# Demo mode's cookie key is random per installation, made on first start and kept in this
# file (mode 0600) beside the SQLite database, or in data/ for another database.
DEMO_KEY_FILE = ".csol-cookie-key"
DEFAULT_FROM_ADDRESS = "Customer Support <support@csol.example>"
N = TypeVar("N", int, float)


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to fix."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_mode: bool
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float
    login_sleep_seconds: float
    session_hours: float = 12.0  # a sign-in lasts at most this long, however active
    session_idle_minutes: float = 60.0  # and ends after this long without a page being used
    # Where customers reach the console: the start of the links e-mailed to them.
    portal_url: str = "http://localhost:8501"

    @property
    def uses_default_database(self) -> bool:
        return self.database_url == DEFAULT_DATABASE_URL


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def load_settings() -> Settings:
    secrets = read_secrets()
    app = secrets.get("app", {})
    auth = secrets.get("auth", {})
    demo_mode = _flag(os.environ.get("CSOL_DEMO_MODE", app.get("demo_mode", True)))
    cookie_key = str(os.environ.get("CSOL_COOKIE_KEY", auth.get("cookie_key", "")))
    if cookie_key.strip().lower() in PLACEHOLDER_COOKIE_KEYS or len(cookie_key) < 32:
        if not demo_mode:
            raise ConfigError(
                "The login cookie key is missing or a placeholder. Set [auth] cookie_key in "
                ".streamlit/secrets.toml (or CSOL_COOKIE_KEY) to a random string of at least "
                "32 characters, e.g. the output of: python -c \"import secrets; "
                "print(secrets.token_urlsafe(48))\""
            )
        cookie_key = demo_cookie_key(demo_key_path(database_url(secrets)))
    return Settings(
        database_url=database_url(secrets),
        demo_mode=demo_mode,
        cookie_name=str(auth.get("cookie_name", "csol_session")),
        cookie_key=cookie_key,
        cookie_expiry_days=float(auth.get("cookie_expiry_days", 7)),
        login_sleep_seconds=float(os.environ.get("CSOL_LOGIN_SLEEP", 0)),
        session_hours=_positive("session_hours", os.environ.get(
            "CSOL_SESSION_HOURS", auth.get("session_hours", 12))),
        session_idle_minutes=_positive("session_idle_minutes", os.environ.get(
            "CSOL_SESSION_IDLE_MINUTES", auth.get("session_idle_minutes", 60))),
        portal_url=str(os.environ.get("CSOL_PORTAL_URL", app.get("portal_url",
                                                                 "http://localhost:8501"))),
    )


def _positive(key: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"[auth] {key} must be a number, not {raw!r}.") from None
    if not value > 0:
        raise ConfigError(f"[auth] {key} must be more than 0, not {raw!r}.")
    return value


def demo_key_path(url: str) -> Path:
    """Where demo mode keeps its cookie key: beside a SQLite file, else in ``data/``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database)).resolve().parent / DEMO_KEY_FILE
    return ROOT / "data" / DEMO_KEY_FILE


@lru_cache(maxsize=8)
def demo_cookie_key(path: Path) -> str:
    """This installation's random demo key: read from ``path``, or made there on first use.

    The new key is written to a private temporary file and linked into place, so two
    processes starting at once agree on one key and nobody reads a half-written file.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{random_secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as fh:
            fh.write(random_secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"The demo cookie key in {path} is damaged: delete the file and "
                          "start again (everyone signs in anew).")
    return key


@dataclass(frozen=True)
class SmtpSettings:
    """Where outbound e-mail goes. ``ssl`` is SMTPS (port 465); ``starttls`` upgrades port 587."""

    host: str = "localhost"
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)  # kept out of reprs, logs and tracebacks
    starttls: bool = False
    ssl: bool = False
    from_address: str = DEFAULT_FROM_ADDRESS
    timeout_seconds: float = 30.0

    @property
    def envelope_from(self) -> str:
        """The bare address of ``from_address``, used as the SMTP ``MAIL FROM``."""
        return parseaddr(self.from_address)[1]


def load_smtp_settings(secrets: dict[str, Any] | None = None) -> SmtpSettings:
    """``CSOL_SMTP_*`` environment variables, then the ``[smtp]`` table of the secrets file."""
    table = (read_secrets() if secrets is None else secrets).get("smtp", {})

    def value(key: str, default: Any) -> Any:
        return os.environ.get(f"CSOL_SMTP_{key.upper()}", table.get(key, default))

    use_ssl, starttls = _flag(value("ssl", False)), _flag(value("starttls", False))
    if use_ssl and starttls:
        raise ConfigError("SMTP: choose either ssl (SMTPS, port 465) or starttls, not both.")
    default_port = 465 if use_ssl else 587 if starttls else 25
    settings = SmtpSettings(
        host=str(value("host", "localhost")).strip(),
        port=_number("port", value("port", default_port), int),
        username=str(value("username", "")),
        password=str(value("password", "")),
        starttls=starttls,
        ssl=use_ssl,
        from_address=str(value("from", DEFAULT_FROM_ADDRESS)).strip(),
        timeout_seconds=_number("timeout", value("timeout", 30), float),
    )
    if not settings.host or not 0 < settings.port < 65536:
        raise ConfigError("SMTP: set a host and a port between 1 and 65535.")
    if "@" not in settings.envelope_from:
        raise ConfigError(f"SMTP: the sender address {settings.from_address!r} is not valid.")
    return settings


def _number(key: str, raw: Any, kind: Callable[[Any], N]) -> N:
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"SMTP: {key} must be a number, not {raw!r}.") from None


def live_refresh_seconds() -> float:
    """How often the queue, Today, presence and notifications refresh by themselves."""
    raw = os.environ.get("CSOL_LIVE_SECONDS", "30")
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(f"CSOL_LIVE_SECONDS must be a number of seconds, not {raw!r}.") from None
    if seconds < 1:
        raise ConfigError("CSOL_LIVE_SECONDS must be at least 1 second.")
    return seconds
