"""The queue, Today and the enquiry page keep themselves current, and tell a rep by toast
when a customer answers one of their enquiries or one is assigned to them — no click needed.

A real server with a 2-second refresh; the changes are written to the database by another
process (this test), as a colleague's server or the intake listener would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import (
    Server,
    app_server,
    console_page,
    launched_browser,
    require_browser,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect

from dashboard.services import workflow
from dashboard.services.sla import deadlines
from dashboard.services.users import UserInfo
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Enquiry, User
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
REFRESH_SECONDS = 2
WITHIN_MS = 15_000  # a few refreshes, on a busy machine


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-live")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    path = workdir / "live.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    start = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "other"],
                      languages=["fr", "nl", "en"])
        rep = f.user(s, "rep", PASSWORD, role="rep", team_id=team.id, full_name="Sofie Peeters")
        f.user(s, "lead", PASSWORD, role="lead", team_id=team.id, full_name="Marc Dubois")
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042", language="fr")
        policy = f.sla_policy(s)
        f.enquiry(s, reference="ENQ-2026-000001", subject="Copie de facture", customer_id=c.id,
                  assignee_id=rep.id, team_id=team.id, status="pending_customer",
                  category="invoices", channel="email", sla_policy_id=policy.id,
                  created_at=start, **deadlines(start, policy).values())
        f.enquiry(s, reference="ENQ-2026-000002", subject="Livraison prévue?", customer_id=c.id,
                  team_id=team.id, status="new", channel="email", sla_policy_id=policy.id,
                  created_at=start, **deadlines(start, policy).values())
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def server(database: Path, workdir: Path) -> Iterator[Server]:
    with app_server(database, workdir,
                    {"CSOL_LIVE_SECONDS": str(REFRESH_SECONDS)}) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


def sign_in(page: Page, server: Server, username: str) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    wait_for_settled(page)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def as_info(s: Session, username: str) -> UserInfo:
    u = s.query(User).filter_by(username=username).one()
    return UserInfo(u.id, u.username, u.full_name, u.email, u.role, u.team_id, None)


def test_today_and_toasts_follow_what_happens_elsewhere(browser: Browser, server: Server,
                                                        database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "live-failure-today.png") as page:
        sign_in(page, server, "rep")
        today = page.get_by_test_id("stDataFrame")
        expect(today).to_contain_text("ENQ-2026-000001")
        page.wait_for_timeout(REFRESH_SECONDS * 1000 + 500)  # the first tick marks "seen"

        # The customer answers: a toast, and the enquiry is open again on Today.
        with Session(engine) as s, s.begin():
            enquiry_id = s.query(Enquiry).filter_by(reference="ENQ-2026-000001").one().id
            workflow.record_customer_message(session=s, enquiry_id=enquiry_id,
                                             inbound_message_id=None, body="Voici le PO",
                                             now=datetime.now(UTC))
        toast = page.get_by_test_id("stToast")
        expect(toast.filter(has_text="The customer answered ENQ-2026-000001")).to_be_visible(
            timeout=WITHIN_MS)

        # The lead gives me the unassigned one: a toast, and Today lists it, unclicked.
        with Session(engine) as s, s.begin():
            other = s.query(Enquiry).filter_by(reference="ENQ-2026-000002").one()
            workflow.assign(session=s, enquiry_id=other.id,
                            assignee_id=as_info(s, "rep").id, by=as_info(s, "lead"),
                            expected_version=None, now=datetime.now(UTC))
        expect(toast.filter(has_text="ENQ-2026-000002 is assigned to you")).to_be_visible(
            timeout=WITHIN_MS)
        expect(today).to_contain_text("ENQ-2026-000002", timeout=WITHIN_MS)
        expect(page.get_by_test_id("stMetric").filter(has_text="My open enquiries")
               .get_by_test_id("stMetricValue")).to_have_text("2")


def test_the_queue_and_presence_refresh_by_themselves(browser: Browser, server: Server,
                                                      database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "live-failure-queue.png") as lead_page:
        sign_in(lead_page, server, "lead")
        link = lead_page.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
        wait_for_rerun(lead_page, link.click)
        wait_for_settled(lead_page)
        view = lead_page.get_by_test_id("stButtonGroup").first
        wait_for_rerun(lead_page, lambda: view.get_by_text("All", exact=False).first.click())
        wait_for_settled(lead_page)
        table = lead_page.get_by_test_id("stDataFrame")
        expect(table).not_to_contain_text("ENQ-2026-000003")

        # A new e-mail enquiry lands: the lead's open queue shows it without a click.
        with Session(engine) as s, s.begin():
            team_id = s.query(User).filter_by(username="lead").one().team_id
            f.enquiry(s, reference="ENQ-2026-000003", subject="Nieuwe vraag", team_id=team_id,
                      status="new", channel="email", created_at=datetime.now(UTC))
        expect(table).to_contain_text("ENQ-2026-000003", timeout=WITHIN_MS)

        # A rep opens that enquiry: the lead, already on it, is told without reloading.
        wait_for_rerun(lead_page, lambda: lead_page.goto(f"{server.url}/enquiry?e=ENQ-2026-000003"))
        wait_for_settled(lead_page)
        with console_page(browser, server, "live-failure-presence.png") as rep_page:
            sign_in(rep_page, server, "rep")
            wait_for_rerun(rep_page,
                           lambda: rep_page.goto(f"{server.url}/enquiry?e=ENQ-2026-000003"))
            wait_for_settled(rep_page)
            lead_page.bring_to_front()
            expect(lead_page.get_by_text("Sofie Peeters also has this enquiry open")
                   ).to_be_visible(timeout=2 * WITHIN_MS)


FOCUSED_IN = "key => document.activeElement?.closest(`.st-key-${key}`) !== null"


def test_the_keyboard_finds_claims_and_goes_back(browser: Browser, server: Server) -> None:
    with console_page(browser, server, "live-failure-keyboard.png") as page:
        sign_in(page, server, "rep")
        # Today: the cursor is already in the search box.
        page.wait_for_function(FOCUSED_IN, arg="find")
        wait_for_rerun(page, lambda: page.keyboard.type("C100042\n"))
        wait_for_settled(page)
        expect(page).to_have_url(f"{server.url}/customer?c=C100042")
        # Elsewhere Alt+K puts it in the sidebar's search box.
        page.keyboard.press("Alt+k")
        page.wait_for_function(FOCUSED_IN, arg="find")
        assert page.evaluate("document.activeElement.closest('[data-testid=stSidebar]')"
                             " !== null")
        # The queue: Alt+N claims the next enquiry and opens it; Alt+B goes back.
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
        wait_for_rerun(page, link.click)
        wait_for_settled(page)
        page.evaluate("document.activeElement?.blur()")  # out of any input
        page.keyboard.press("Alt+n")
        expect(page).to_have_url(re.compile(r"/enquiry\?e=ENQ-2026-00000[23]$"))  # by order
        wait_for_settled(page)
        page.keyboard.press("Alt+b")
        expect(page).to_have_url(f"{server.url}/queue")
        expect(page.get_by_role("heading", name="Enquiry queue")).to_be_visible()
