"""Forged, malformed and outlived remember-me cookies, and sign-in waits, in a real browser
against a demo-mode server.

Demo mode is the default, so its cookie key must be this installation's secret: a token
signed with any key but the one the server made on first start, or of any other shape, shows
the sign-in form — never a page, never an error. The same request with a token signed by
the server's own key, naming a session the server holds open, signs the admin in (Users & access
in the menu), so the check can fail. After a logout the same session id, even in a cookie dated
ten years ahead and signed with the real key, opens nothing. And a stranger's wrong passwords
make the stranger wait, not the user in their own browser.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_support import (
    TIMEOUT_MS,
    Server,
    console_page,
    launched_browser,
    require_browser,
    shot,
    streamlit_server,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

import jwt
from playwright.sync_api import Browser, Page, expect

from dashboard.config import DEMO_KEY_FILE
from dashboard.services import sessions
from dashboard.services.sessions import SessionPolicy
from db.engine import make_engine
from db.migrate import upgrade
from db.models import User
from tests import factories as f

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)
COOKIE_NAME = "csol_session"
CLIENT_COOKIE = "csol_client"
PASSWORD = "correct-horse-1"
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"
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
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois")
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


def _open_session(workdir: Path, username: str) -> str:
    """A session the server holds open, made in its database as a sign-in would."""
    engine = make_engine(f"sqlite:///{workdir / 'app.db'}")
    with Session(engine) as s, s.begin():
        user_id = s.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        row = sessions.start(session=s, user_id=user_id, client_hash=None,
                             policy=SessionPolicy(), now=datetime.now(UTC))
        session_id = row.id
    engine.dispose()
    return session_id


def test_the_servers_own_key_does_sign_in(browser: Browser, server: Server,
                                          server_key: str, workdir: Path) -> None:
    token = jwt.encode({"username": "admin", "exp_date": _expiry(),
                        "sid": _open_session(workdir, "admin")}, server_key, algorithm="HS256")
    _open_users_with(browser, server, token, "real-key")


def test_a_cookie_without_a_server_session_is_signed_out(browser: Browser, server: Server,
                                                         server_key: str) -> None:
    # Signed with the real key, as the sign-in component alone would write it: no session id.
    token = jwt.encode({"username": "admin", "exp_date": _expiry()}, server_key,
                       algorithm="HS256")
    _open_users_with(browser, server, token, "no-session-id")


def _sign_in_form(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    wait_for_settled(page)


def _open(page: Page, server: Server) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)


def test_a_ten_year_cookie_with_the_real_key_is_refused_after_logout(
        browser: Browser, server: Server, server_key: str) -> None:
    with console_page(browser, server, "cookie-after-logout-failure.png") as page:
        _open(page, server)
        _sign_in_form(page, "admin", PASSWORD)
        page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=60_000)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        issued = next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE_NAME)
        session_id = jwt.decode(issued, server_key, algorithms=["HS256"])["sid"]
        wait_for_rerun(page, lambda: page.get_by_role("button", name="Log out").click())
        wait_for_settled(page)
        expect(page.get_by_label("Username")).to_be_visible()
    outlived = jwt.encode({"username": "admin", "exp_date": _expiry(), "sid": session_id},
                          server_key, algorithm="HS256")
    _open_users_with(browser, server, outlived, "ten-year-after-logout")


def test_a_strangers_failures_do_not_hold_back_the_user_in_their_own_browser(
        browser: Browser, server: Server, server_key: str) -> None:
    with console_page(browser, server, "throttle-own-browser-failure.png") as own:
        _open(own, server)
        _sign_in_form(own, "lead", PASSWORD)  # this browser becomes known to the account
        own.wait_for_function(HAS_COOKIE, arg=CLIENT_COOKIE)
        wait_for_rerun(own, lambda: own.get_by_role("button", name="Log out").click())
        wait_for_settled(own)
        with console_page(browser, server, "throttle-stranger-failure.png") as stranger:
            _open(stranger, server)
            for n in range(6):
                _sign_in_form(stranger, "lead", f"guess-{n}-pw")
            alert = stranger.get_by_test_id("stAlert")
            expect(alert).to_contain_text("Too many failed sign-ins")
            expect(stranger.get_by_text("users unlock")).to_be_visible()
            _sign_in_form(stranger, "lead", PASSWORD)  # the stranger waits, even if right
            expect(alert).to_contain_text("Too many failed sign-ins")
            expect(stranger.get_by_role("button", name="Log out")).to_have_count(0)
            shot(stranger, "sign-in-wait.png")
        _open(own, server)  # a new visit sends the browser's client-id cookie
        _sign_in_form(own, "lead", PASSWORD)
        expect(own.get_by_role("button", name="Log out")).to_be_visible()
        expect(own.get_by_test_id("stSidebar")).to_contain_text("Marc Dubois")
