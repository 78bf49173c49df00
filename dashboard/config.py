"""Application settings: environment first, then ``.streamlit/secrets.toml``, then defaults.

Read with plain ``tomllib`` so the command line and the tests see the same settings as the
Streamlit app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from db.config import DEFAULT_DATABASE_URL, database_url, read_secrets

# Keys that must never protect a real deployment.
PLACEHOLDER_COOKIE_KEYS = frozenset({"", "change-me", "changeme", "some_key", "secret",
                                     "replace-with-a-long-random-string"})
DEMO_COOKIE_KEY = "csol-demo-cookie-key-not-for-production"


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
        cookie_key = DEMO_COOKIE_KEY
    return Settings(
        database_url=database_url(secrets),
        demo_mode=demo_mode,
        cookie_name=str(auth.get("cookie_name", "csol_session")),
        cookie_key=cookie_key,
        cookie_expiry_days=float(auth.get("cookie_expiry_days", 7)),
        login_sleep_seconds=float(os.environ.get("CSOL_LOGIN_SLEEP", 0)),
    )
