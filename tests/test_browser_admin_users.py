"""An administrator adds a colleague in a real browser; the colleague signs in elsewhere,
chooses a password, claims from their team, and is signed out at their next click once the
administrator deactivates them.

Starts ``streamlit run dashboard/app.py`` on a free port against a small SQLite database and
drives Debian's Chromium with Playwright, one browser context per person. Screenshots go to
``test-artifacts/admin-users-*.png``. Skipped when Chromium is missing, except under CI
(``CI=true``), where that is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_support import (
    TIMEOUT_MS,
    Server,
    app_server,
    console_page,
    launched_browser,
    require_browser,
    select_row,
    shot,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard.services.sla import deadlines
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Enquiry, User, UserSession
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
NEW_PASSWORD = "orange tram quietly"
COOKIE_NAME = "csol_session"
ORDERS_ENQUIRY = "ENQ-2026-000011"
ORDERS_SUBJECT = "Waar blijft mijn bestelling?"
BILLING_ENQUIRY = "ENQ-2026-000012"
expect.set_options(timeout=3 * TIMEOUT_MS)
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-admin-users")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    """Two teams, each with one unassigned enquiry; the Billing one is the more urgent, so a
    claim that ignored the team would take it."""
    path = workdir / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    start = datetime.now(UTC) - timedelta(hours=2)
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing", categories=["invoices"], languages=["fr"])
        orders = f.team(s, "Orders", categories=["orders"], languages=["nl"])
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters", team_id=billing.id)
        c = f.customer(s, "Bakkerij Peeters", customer_number="C100077", language="nl")
        policy = f.sla_policy(s)
        f.enquiry(s, reference=BILLING_ENQUIRY, subject="Facture en double", customer_id=c.id,
                  team_id=billing.id, status="new", category="invoices", language="fr",
                  channel="email", sla_policy_id=policy.id, created_at=start - timedelta(days=1),
                  **deadlines(start - timedelta(days=1), policy).values())
        f.enquiry(s, reference=ORDERS_ENQUIRY, subject=ORDERS_SUBJECT, customer_id=c.id,
                  team_id=orders.id, status="new", category="orders", language="nl",
                  channel="email", sla_policy_id=policy.id, created_at=start,
                  **deadlines(start, policy).values())
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


# Generous: a fresh server's first run imports the whole app, and a shared host can be busy.
FIRST_RUN_MS = 90_000
SLOW_MS = 60_000


def sign_in(page: Page, server: Server, username: str, password: str) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url), timeout_ms=FIRST_RUN_MS)
    wait_for_settled(page, timeout_ms=FIRST_RUN_MS)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click(),
                   timeout_ms=SLOW_MS)
    page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=60_000)
    wait_for_settled(page, timeout_ms=SLOW_MS)


def act(page: Page, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until the page has finished the runs it starts."""
    wait_for_rerun(page, action, timeout_ms=SLOW_MS)
    wait_for_settled(page, timeout_ms=SLOW_MS)


def go(page: Page, link: str) -> None:
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name=link)
    act(page, nav.click)


def choose(page: Page, scope: object, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (inside a form: no rerun)."""
    box = scope.get_by_test_id("stSelectbox").filter(has_text=label)  # type: ignore[attr-defined]
    # A text field just typed in commits its value when it loses focus, and the form's
    # re-render then closes a list that the same click opened: leave the field first.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            wanted.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeoutError:
            continue  # the list closed again: open it once more
    wanted.click()


def test_a_new_colleague_claims_from_their_team_and_is_signed_out_when_deactivated(
        browser: Browser, server: Server, database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "admin-users-failure-admin.png",
                      viewport=(1280, 720), timeout_ms=SLOW_MS) as admin, \
            console_page(browser, server, "admin-users-failure-colleague.png",
                         viewport=(1280, 720), timeout_ms=SLOW_MS) as colleague:
        # 1. The administrator creates Lena in the Orders team.
        sign_in(admin, server, "admin", PASSWORD)
        go(admin, "Users & access")
        expect(admin.get_by_role("heading", name="Users & access")).to_be_visible()
        admin.get_by_text("New user", exact=True).click()
        form = admin.get_by_test_id("stForm").filter(has_text="Create user")
        form.get_by_role("textbox", name="Full name").fill("Lena Schmit")
        form.get_by_role("textbox", name="Username").fill("lena.schmit")
        form.get_by_role("textbox", name="E-mail").fill("lena@csol.example")
        choose(admin, form, "Team", "Orders")
        choose(admin, form, "Language", "Dutch")
        shot(admin, "admin-users-01-new-user.png", full_page=False)
        act(admin, form.get_by_role("button", name="Create user").click)
        expect(admin.get_by_text("It is shown only this once")).to_be_visible()
        temporary = admin.get_by_test_id("stCode").inner_text().strip()
        assert len(temporary) == 19, temporary
        shot(admin, "admin-users-02-temporary-password.png", full_page=False)

        # 2. Lena signs in with it in her own browser and must choose a password first.
        sign_in(colleague, server, "lena.schmit", temporary)
        expect(colleague.get_by_role("heading", name="Choose a new password")).to_be_visible()
        expect(colleague.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
               ).to_have_count(0)
        shot(colleague, "admin-users-03-choose-password.png", full_page=False)
        colleague.get_by_label("Temporary password").fill(temporary)
        colleague.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        colleague.get_by_label("New password again").fill(NEW_PASSWORD)
        act(colleague, colleague.get_by_role("button", name="Save password").click)
        expect(colleague.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        expect(colleague.get_by_test_id("stSidebar")).to_contain_text("Lena Schmit")
        expect(colleague.get_by_test_id("stSidebar")).to_contain_text("Orders")

        # 3. She claims the next enquiry: the Orders one, not Billing's older one.
        go(colleague, "Queue")
        act(colleague, colleague.get_by_role("button", name="Claim next").click)
        expect(colleague.get_by_role("heading", name=ORDERS_SUBJECT)).to_be_visible()
        expect(colleague).to_have_url(f"{server.url}/enquiry?e={ORDERS_ENQUIRY}")
        shot(colleague, "admin-users-04-claimed.png", full_page=False)
        with Session(engine) as s:
            lena_id = s.scalars(select(User.id).where(User.username == "lena.schmit")).one()
            claimed = dict(s.execute(select(Enquiry.reference, Enquiry.assignee_id)).all())
        assert claimed == {ORDERS_ENQUIRY: lena_id, BILLING_ENQUIRY: None}

        # 4. The administrator deactivates her.
        table = admin.get_by_test_id("stDataFrame").first
        select_row(admin, table, 1)  # admin, lena.schmit, rep
        expect(admin.get_by_text("signs in as lena.schmit")).to_be_visible()
        shot(admin, "admin-users-05-picked.png", full_page=False)
        act(admin, admin.get_by_role("button", name="Deactivate").click)
        expect(admin.get_by_role("button", name="Reactivate")).to_be_visible()
        shot(admin, "admin-users-06-deactivated.png", full_page=False)

        # 5. Her next click ends her open session: she sees the sign-in.
        go(colleague, "Today")
        expect(colleague.get_by_label("Username")).to_be_visible()
        expect(colleague.get_by_role("button", name="Sign in")).to_be_visible()
        expect(colleague.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
               ).to_have_count(0)
        shot(colleague, "admin-users-07-signed-out.png", full_page=False)
        colleague.get_by_label("Username").fill("lena.schmit")
        colleague.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        act(colleague, colleague.get_by_role("button", name="Sign in").click)
        expect(colleague.get_by_text("Wrong username or password.")).to_be_visible()

    with Session(engine) as s:
        open_sessions = s.scalars(select(UserSession).where(
            UserSession.user_id == lena_id, UserSession.revoked_at.is_(None))).all()
        actions = list(s.scalars(select(AuditLog.action).where(
            AuditLog.entity_type == "user", AuditLog.entity_id == lena_id)
            .order_by(AuditLog.id)))
    assert open_sessions == []
    assert actions[0] == "user_created" and actions[-1] == "user_deactivated"
    assert "password_changed_by_user" in actions
    engine.dispose()
