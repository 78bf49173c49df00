"""Running the app under AppTest against a small hand-built database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
PASSWORD = "correct-horse-1"


def point_app_at(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app use ``url``, outside demo mode, with a real cookie key."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CSOL_DEMO_MODE", "false")
    monkeypatch.setenv("CSOL_COOKIE_KEY", "test-cookie-key-" + "x" * 32)
    monkeypatch.setenv("CSOL_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]
