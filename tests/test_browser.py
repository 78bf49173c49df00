"""The console in a real browser: sign in, find a customer by VAT, remember-me, log out.

Starts ``streamlit run dashboard/app.py`` on a free port against a small SQLite database and
drives Debian's Chromium with Playwright. Screenshots of each step go to ``test-artifacts/``.
Skipped when Chromium is missing, except under CI (``CI=true``), where that is an error.

The first test is a rep's everyday path; the second presses Log out while the page is still
loading, so Streamlit restarts the logout run: the logout must hold all the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import (
    TIMEOUT_MS,
    ComponentGate,
    Server,
    app_server,
    console_page,
    launched_browser,
    require_browser,
    shot,
    sqlite_write_lock,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from db.engine import make_engine
from db.migrate import upgrade
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
COOKIE_NAME = "csol_session"  # the default [auth] cookie_name
CUSTOMER = "Brasserie Dupré & Fils"
expect.set_options(timeout=TIMEOUT_MS)
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    """The same small world as the AppTest suite: a team, three roles, one customer."""
    path = workdir / "app.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing")
        rep = f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters",
                     team_id=billing.id)
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=billing.id)
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        cust = f.customer(s, CUSTOMER, customer_number="C100042", vat_number="BE0403019261")
        f.contact(s, cust, email="anne.dupre@dupre.be")
        policy = f.sla_policy(s)
        f.enquiry(s, subject="Invoice copy please", customer_id=cust.id, assignee_id=rep.id,
                  team_id=billing.id, status="open", category="invoices",
                  sla_policy_id=policy.id, created_at=now - timedelta(days=3),
                  first_response_due_at=now - timedelta(days=2),
                  resolution_due_at=now - timedelta(hours=1))
        f.enquiry(s, subject="Delivery date?", customer_id=cust.id, assignee_id=rep.id,
                  team_id=billing.id, status="new", sla_policy_id=policy.id, created_at=now,
                  first_response_due_at=now + timedelta(days=1),
                  resolution_due_at=now + timedelta(days=5))
        f.enquiry(s, subject="Contract renewal", customer_id=cust.id, team_id=billing.id,
                  status="new", sla_policy_id=policy.id, created_at=now,
                  first_response_due_at=now + timedelta(days=1),
                  resolution_due_at=now + timedelta(days=5))
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def server(database: Path, workdir: Path) -> Iterator[Server]:
    with app_server(database, workdir) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


# --------------------------------------------------------------------------- steps



def expect_sign_in_form(page: Page, timeout: float = TIMEOUT_MS) -> None:
    expect(page.get_by_label("Username")).to_be_visible(timeout=timeout)
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def open_sign_in(page: Page, server: Server) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)
    expect_sign_in_form(page)
    expect(page.get_by_role("heading", name="Customer Support OnLine")).to_be_visible()


def sign_in(page: Page, username: str, full_name: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    # The remember-me cookie is written by a component in the page, after the run.
    page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=60_000)
    wait_for_settled(page)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_label("Username")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(full_name)


def log_out(page: Page) -> None:
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Log out").click())
    wait_for_settled(page)
    expect_sign_in_form(page)


def cookie_gone(page: Page, timeout: float = TIMEOUT_MS) -> None:
    try:
        page.wait_for_function(f"name => !({HAS_COOKIE})(name)", arg=COOKIE_NAME,
                               timeout=timeout)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(f"the {COOKIE_NAME} cookie is still in the browser") from exc


# --------------------------------------------------------------------------- tests


def test_sign_in_find_customer_by_vat_reload_and_log_out(browser: Browser,
                                                          server: Server) -> None:
    with console_page(browser, server, "failure-rep.png") as page:
        # 1. The sign-in form, and nothing else.
        open_sign_in(page, server)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_have_count(0)
        shot(page, "01-sign-in.png")

        # 2. The rep signs in: Today, with the metrics and the enquiries assigned to them.
        sign_in(page, "rep", "Sofie Peeters")
        metric = page.get_by_test_id("stMetric").filter(has_text="My open enquiries")
        expect(metric.get_by_test_id("stMetricValue")).to_have_text("2")
        unassigned = page.get_by_test_id("stMetric").filter(has_text="Unassigned in my team")
        expect(unassigned.get_by_test_id("stMetricValue")).to_have_text("1")
        expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
        expect(page.get_by_test_id("stDataFrame")).to_be_visible()
        shot(page, "02-today.png")

        # 3. The VAT number in another spelling, then Enter: the customer opens.
        search = page.get_by_label("Find a customer", exact=True)
        search.fill("0403.019.261")
        wait_for_rerun(page, lambda: search.press("Enter"))
        wait_for_settled(page)
        expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
        caption = page.get_by_test_id("stCaptionContainer").filter(has_text="C100042")
        expect(caption).to_contain_text("BE 0403.019.261")
        expect(page).to_have_url(f"{server.url}/customer?c=C100042")
        shot(page, "03-customer.png")

        # 4. Reload: the remember-me cookie signs the rep back in, no sign-in form.
        wait_for_rerun(page, page.reload)
        wait_for_settled(page)
        expect(page.get_by_role("heading", name=CUSTOMER)
               .or_(page.get_by_role("heading", name="Today", exact=True))).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        expect(page.get_by_label("Username")).to_have_count(0)
        shot(page, "04-after-reload.png")

        # 5. Log out from the sidebar: the sign-in form is back, the cookie is gone.
        log_out(page)
        expect(page.get_by_role("heading", name=CUSTOMER)).to_have_count(0)
        cookie_gone(page)
        shot(page, "05-signed-out.png")

        # 6. Reload: still signed out.
        wait_for_rerun(page, page.reload)
        wait_for_settled(page)
        expect_sign_in_form(page)
        expect(page.get_by_role("heading", name=CUSTOMER)).to_have_count(0)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_have_count(0)
        shot(page, "06-signed-out-after-reload.png")


def test_log_out_holds_when_a_rerun_is_requested_meanwhile(browser: Browser, server: Server,
                                                           database: Path) -> None:
    """Log out while the page is still loading, as on a slow connection.

    After a reload the cookie manager's frame is held back (a slow network) and the rep
    presses Log out. The frame's answer reaches the server while the logout run is still
    going: its audit write waits for the database, held here so that the order is certain.
    Streamlit then interrupts that run and starts another. The logout must hold all the same:
    the cookie's deletion may be lost with the interrupted run, but the server refuses a
    cookie issued before its user's last logout, so a reload stays signed out.
    """
    gate = ComponentGate()
    with console_page(browser, server, "failure-log-out-race.png", gate=gate) as page:
        open_sign_in(page, server)
        sign_in(page, "rep", "Sofie Peeters")
        gate.close()
        wait_for_rerun(page, page.reload)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        with sqlite_write_lock(database):
            page.get_by_role("button", name="Log out").click()
            page.wait_for_function("""() => document.querySelector('[data-testid="stApp"]')
                                   .getAttribute("data-test-script-state") === "running" """)
            answers = page.evaluate("window.__csolValues")
            gate.open()
            page.wait_for_function("n => window.__csolValues > n", arg=answers)
        wait_for_settled(page)
        shot(page, "07-log-out-while-loading.png")
        expect(page.get_by_role("button", name="Log out")).to_have_count(0, timeout=2_000)
        expect_sign_in_form(page, timeout=2_000)
        wait_for_rerun(page, page.reload)
        wait_for_settled(page)
        expect_sign_in_form(page, timeout=3_000)
