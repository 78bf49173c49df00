"""Running the app under AppTest against a small hand-built database."""

from __future__ import annotations

import re
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


def rendered(markdown: str) -> str:
    """What a reader sees of Markdown made by ``dashboard.ui.text.plain``: the escaped
    characters themselves, without the invisible word joiners."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def titles(at: AppTest) -> list[str]:
    return [rendered(t.value) for t in at.title]


def select_row(at: AppTest, table: str, row: int) -> None:
    """Select ``row`` of the entity table ``table`` as a click would, for the next run.

    Such a table's widget key carries a digest of the ids it shows (so a selection never
    moves to another entity), so the key is looked up among the page's widgets.
    """
    select_rows(at, table, [row])


def select_rows(at: AppTest, table: str, rows: list[int]) -> None:
    """Tick ``rows`` of the multi-row entity table ``table`` for the next run."""
    keys = [k for k in at.session_state if str(k).startswith(f"{table}_")
            and len(str(k)) == len(table) + 13]
    assert len(keys) == 1, (table, list(at.session_state))
    at.session_state[keys[0]] = {"selection": {"rows": rows, "columns": []}}
