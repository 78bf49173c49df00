"""Forged and malformed remember-me cookies, in a real browser against a demo-mode server.

Demo mode is the default, so its cookie key must be this installation's secret: a token
signed with any key but the one the server made on first start, or of any other shape, shows
the sign-in form — never a page, never an error. The same request with a token signed by
the server's own key signs the admin in (Users & access in the menu), so the check can fail.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import (
    TIMEOUT_MS,
    Server,
    console_page,
    launched_browser,
    require_browser,
    streamlit_server,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

import jwt
from playwright.sync_api import Browser, expect

from dashboard.config import DEMO_KEY_FILE
from db.engine import make_engine
from db.migrate import upgrade
from tests import factories as f

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)
COOKIE_NAME = "csol_session"
OLD_DEMO_KEY = "csol-demo-cookie-key-not-for-production"  # the constant that used to be in code


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cookies")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    database = workdir / "app.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with Session(engine) as s, s.begin():  # not empty, so demo mode does not seed it
        f.user(s, "admin", "correct-horse-1", role="admin", full_name="Claire Weber")
    engine.dispose()
    env = dict(os.environ)
    env.pop("CSOL_COOKIE_KEY", None)
    env.update({"DATABASE_URL": f"sqlite:///{database}", "CSOL_DEMO_MODE": "true",
                "CSOL_SECRETS_FILE": str(workdir / "no-secrets.toml"), "PYTHONUNBUFFERED": "1"})
    with streamlit_server(env, workdir / "streamlit.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _expiry() -> float:
    return (datetime.now(UTC) + timedelta(days=3650)).timestamp()


@pytest.fixture(scope="module")
def server_key(browser: Browser, server: Server, workdir: Path) -> str:
    """The key the server made on its first run (a first visit starts that run)."""
    with console_page(browser, server, "cookie-first-visit-failure.png") as page:
        wait_for_rerun(page, lambda: page.goto(server.url))
        wait_for_settled(page)
        expect(page.get_by_label("Username")).to_be_visible()
    return (workdir / DEMO_KEY_FILE).read_text().strip()


def _open_users_with(browser: Browser, server: Server, token: str, name: str) -> None:
    with console_page(browser, server, f"cookie-{name}-failure.png") as page:
        page.context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": server.url}])
        wait_for_rerun(page, lambda: page.goto(server.url))
        wait_for_settled(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        admin_link = page.get_by_test_id("stSidebarNav").get_by_text("Users & access")
        if name == "real-key":
            expect(admin_link).to_be_visible()
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
        else:
            expect(page.get_by_label("Username")).to_be_visible()
            expect(admin_link).to_have_count(0)
            expect(page.get_by_role("button", name="Log out")).to_have_count(0)
            # The page still works: signing in is possible despite the bad cookie.
            expect(page.get_by_role("button", name="Sign in")).to_be_visible()


FORGED = {
    "old-demo-constant": lambda key: jwt.encode(
        {"username": "admin", "exp_date": _expiry()}, OLD_DEMO_KEY, algorithm="HS256"),
    "hs512-real-key": lambda key: jwt.encode(
        {"username": "admin", "exp_date": _expiry()}, key + key, algorithm="HS512"),
    "alg-none": lambda key: _b64({"alg": "none", "typ": "JWT"}) + "."
    + _b64({"username": "admin", "exp_date": _expiry()}) + ".",
    "string-expiry": lambda key: jwt.encode(
        {"username": "admin", "exp_date": "2099-01-01"}, key, algorithm="HS256"),
    "no-username": lambda key: jwt.encode({"exp_date": _expiry()}, key, algorithm="HS256"),
    "garbage": lambda key: "not.a.jwt",
}


def test_the_demo_key_is_made_on_first_start_and_private(server_key: str, workdir: Path
                                                         ) -> None:
    key_file = workdir / DEMO_KEY_FILE
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(server_key) >= 32 and server_key != OLD_DEMO_KEY


@pytest.mark.parametrize("name", list(FORGED))
def test_a_forged_or_malformed_cookie_is_signed_out(browser: Browser, server: Server,
                                                    server_key: str, name: str) -> None:
    token = FORGED[name](server_key)
    _open_users_with(browser, server, token, name)


def test_the_servers_own_key_does_sign_in(browser: Browser, server: Server,
                                          server_key: str) -> None:
    token = jwt.encode({"username": "admin", "exp_date": _expiry()}, server_key,
                       algorithm="HS256")
    _open_users_with(browser, server, token, "real-key")
