"""The customer portal in Chromium against the real server: a contact on file asks for the
link, the e-mail arrives through a real SMTP server, the link sets the password, the contact
signs in, sees their company's orders and downloads an invoice PDF; the portal's cookie and
the staff's are not interchangeable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import (
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

from dashboard.mail import sender
from dashboard.services import session_tokens, users
from dashboard.services.sessions import SessionPolicy
from db.engine import make_engine
from db.migrate import upgrade
from db.models import OrderEvent
from tests import factories as f
from tests.test_outbox import RecordingHandler, smtp_server

pytestmark = pytest.mark.browser

PORTAL_URL = "https://support.csol.example"
NEW_PASSWORD = "harbour tulip granite 58"
STAFF_KEY = "test-cookie-key-" + "x" * 32
NOT_FOUND = ("The page that you have requested does not seem to exist",)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-portal")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    database = workdir / "portal.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "rep", "correct-horse-1", full_name="Sofie Peeters")
        for key, name, number in (("a", "Brasserie Dupré & Fils", "C100041"),
                                  ("b", "Brasserie Dupont & Fils", "C100042")):
            c = f.customer(s, name, customer_number=number)
            f.contact(s, c, first_name="Anne", last_name=name.split()[1],
                      email=f"finance@{key}.be", portal_tier="entitled", language="en")
            suffix = "1" if key == "a" else "2"
            for n in range(2):
                o = f.order(s, c, order_number=f"SO-2026-00{n}10{suffix}", carrier="bpost",
                            customer_po=f"PO-4{n}", tracking_number=f"32329{n}99999{suffix}",
                            promised_date=date(2026, 12, 4), status="in_transit",
                            ordered_at=datetime(2026, 11, 10 + n, 9, tzinfo=UTC))
                s.add(OrderEvent(order_id=o.id, status="shipped", note="",
                                 occurred_at=datetime(2026, 11, 11 + n, 9, tzinfo=UTC)))
                f.invoice(s, c, number=f"INV-2026-00{n}10{suffix}", order_id=o.id)
    engine.dispose()
    return database


@pytest.fixture(scope="module")
def server(database: Path, workdir: Path) -> Iterator[Server]:
    with app_server(database, workdir, {"CSOL_PORTAL_URL": PORTAL_URL}) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


def open_page(page: Page, url: str) -> None:
    wait_for_rerun(page, lambda: page.goto(url))
    wait_for_settled(page)


def click(page: Page, name: str) -> None:
    wait_for_rerun(page, lambda: page.get_by_role("button", name=name, exact=True).click())
    wait_for_settled(page)


def test_register_by_the_e_mailed_link_sign_in_see_orders_and_download_an_invoice(
        browser: Browser, server: Server, database: Path) -> None:
    with console_page(browser, server, "portal-failure-register.png") as page:
        open_page(page, f"{server.url}/portal?lang=en")
        expect(page.get_by_role("heading", name="Customer portal")).to_be_visible()
        ask = page.get_by_test_id("stForm").filter(has_text="First visit")
        ask.get_by_label("E-mail address").fill("finance@a.be")
        click(page, "Send me the link")
        expect(page.get_by_text("a link to set your password is on its way")).to_be_visible()
        shot(page, "portal-1-link-asked.png")

        handler = RecordingHandler()
        engine = make_engine(f"sqlite:///{database}")
        with smtp_server(handler) as smtp:
            report = sender.deliver(engine=engine, smtp=smtp, now=datetime.now(UTC))
        assert report.sent == 1
        mail = handler.messages()[0]
        assert mail["To"] == "finance@a.be"
        body = mail.get_body(("plain",)).get_content()
        link = re.search(rf"{re.escape(PORTAL_URL)}(/portal-password\?token=[\w-]+&lang=en)",
                         body)
        assert link, body

        open_page(page, f"{server.url}{link.group(1)}")
        expect(page.get_by_text("finance@a.be")).to_be_visible()
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        shot(page, "portal-2-set-password.png")
        click(page, "Save password")
        expect(page.get_by_text("Your password is saved")).to_be_visible()

        signing = page.get_by_test_id("stForm").filter(has_text="Sign in")
        signing.get_by_label("E-mail address").fill("finance@a.be")
        signing.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        click(page, "Sign in")
        expect(page.get_by_role("heading", name="Brasserie Dupré & Fils")).to_be_visible()
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link")).to_have_count(6)  # every area of an entitled user
        shot(page, "portal-3-signed-in.png")

        wait_for_rerun(page, lambda: nav.get_by_role("link", name="My orders").click())
        wait_for_settled(page)
        expect(page.get_by_role("heading", name="My orders")).to_be_visible()
        grid = page.get_by_test_id("stDataFrame")
        expect(grid).to_be_visible()
        select_row(page, grid, 0)
        expect(page.get_by_role("heading", name="Order SO-2026-001101")).to_be_visible()
        shot(page, "portal-4-orders.png")

        wait_for_rerun(page, lambda: nav.get_by_role("link",
                                                     name="Invoices and credit notes").click())
        wait_for_settled(page)
        select_row(page, page.get_by_test_id("stDataFrame"), 0)
        expect(page.get_by_role("heading", name="Invoice INV-2026-001101")).to_be_visible()
        with page.expect_download() as info:
            page.get_by_role("button", name="Download PDF").click()
        download = info.value
        assert download.suggested_filename == "INV-2026-001101.pdf"
        assert Path(download.path()).read_bytes().startswith(b"%PDF")
        wait_for_settled(page)
        shot(page, "portal-5-invoice.png")

        wait_for_rerun(page, lambda: nav.get_by_role("link", name="Statement of account").click())
        wait_for_settled(page)
        expect(page.get_by_role("button", name="Download Excel")).to_be_visible()
        shot(page, "portal-5b-statement.png")

        # A reload keeps the sign-in (the portal's own cookie) …
        open_page(page, f"{server.url}/my-orders")
        expect(page.get_by_role("heading", name="My orders")).to_be_visible()
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert "csol_portal" in cookies and "csol_session" not in cookies
        portal_cookie = cookies["csol_portal"]
    # … a staff page stays out of reach …
    with console_page(browser, server, "portal-failure-staff.png",
                      allowed_errors=NOT_FOUND) as page:
        page.context.add_cookies([{"name": "csol_portal", "value": portal_cookie,
                                   "url": server.url}])
        open_page(page, f"{server.url}/queue")
        expect(page.get_by_role("heading", name="Enquiry queue")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNav").get_by_role("link",
                                                               name="My orders")).to_be_visible()
        shot(page, "portal-6-staff-page-refused.png")
    # … and under the staff's cookie name the portal's cookie opens nothing.
    with console_page(browser, server, "portal-failure-swap.png") as page:
        page.context.add_cookies([{"name": "csol_session", "value": portal_cookie,
                                   "url": server.url}])
        open_page(page, f"{server.url}/")
        expect(page.get_by_label("Username")).to_be_visible()
        expect(page.get_by_role("link", name="My orders")).to_have_count(0)
    # Signing out ends the session and drops the cookie: a reload is signed out.
    with console_page(browser, server, "portal-failure-sign-out.png",
                      allowed_errors=NOT_FOUND) as page:
        page.context.add_cookies([{"name": "csol_portal", "value": portal_cookie,
                                   "url": server.url}])
        open_page(page, f"{server.url}/my-orders")
        click(page, "Sign out")
        expect(page.get_by_role("link", name="Staff sign-in")).to_be_visible()
        page.wait_for_function("() => !document.cookie.includes('csol_portal=')")
        open_page(page, f"{server.url}/my-orders")
        expect(page.get_by_role("heading", name="My orders")).to_have_count(0)
        expect(page.get_by_label("Username")).to_be_visible()


def test_a_staff_cookie_opens_no_portal_page(browser: Browser, server: Server,
                                            database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as s, s.begin():
        signed = users.attempt_login(session=s, username="rep", password="correct-horse-1",
                                     policy=SessionPolicy())
    token = session_tokens.issue(username="rep", session_id=signed.session_id,
                                 expires_at=datetime.now(UTC) + timedelta(hours=1),
                                 key=STAFF_KEY)
    with console_page(browser, server, "portal-failure-staff-cookie.png",
                      allowed_errors=NOT_FOUND) as page:
        page.context.add_cookies([{"name": "csol_portal", "value": token, "url": server.url}])
        open_page(page, f"{server.url}/my-orders")
        expect(page.get_by_role("heading", name="My orders")).to_have_count(0)
        expect(page.get_by_label("Username")).to_be_visible()  # signed out on both sides
    with console_page(browser, server, "portal-failure-staff-signed-in.png",
                      allowed_errors=NOT_FOUND) as page:
        page.context.add_cookies([{"name": "csol_session", "value": token, "url": server.url}])
        open_page(page, f"{server.url}/invoices")
        expect(page.get_by_role("heading", name="Invoices and credit notes")).to_have_count(0)
        expect(page.get_by_text("Sofie Peeters")).to_be_visible()  # the staff sign-in holds


def _signed_up(database: Path, customer_number: str) -> None:
    """Anne of ``customer_number`` has an active portal account: the registration test makes
    it, but that test may run in another test process, on that process's own database."""
    from sqlalchemy import select

    from db.models import Contact, Customer, PortalAccount

    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as s, s.begin():
        contact = s.scalars(select(Contact).join(Customer).where(
            Customer.customer_number == customer_number, Contact.first_name == "Anne")).one()
        if s.scalar(select(PortalAccount.id).where(PortalAccount.contact_id == contact.id)):
            return
        s.add(PortalAccount(contact_id=contact.id, email=contact.email.lower(),
                            password_hash=users.hash_password("a portal password 7"),
                            state="active", version=1))
    engine.dispose()


def test_the_representative_entitles_a_contact_from_the_contacts_tab(
        browser: Browser, server: Server, database: Path) -> None:
    _signed_up(database, "C100041")
    with console_page(browser, server, "portal-failure-rep.png") as page:
        open_page(page, f"{server.url}/")
        page.get_by_label("Username").fill("rep")
        page.get_by_label("Password", exact=True).fill("correct-horse-1")
        click(page, "Sign in")
        open_page(page, f"{server.url}/customer?c=C100041")
        wait_for_rerun(page, lambda: page.get_by_role("tab", name="Contacts",
                                                      exact=True).click())
        wait_for_settled(page)
        expect(page.get_by_text("Customer portal access")).to_be_visible()
        expect(page.get_by_role("combobox", name="Contact")).to_have_value("Anne Dupré — Finance")
        expect(page.get_by_text("Portal tier: Entitled · signed up")).to_be_visible()
        click(page, "Withdraw the entitlement")
        expect(page.get_by_text("Portal tier: Registered · signed up")).to_be_visible()
        expect(page.get_by_role("button", name="Withdraw the entitlement")).to_be_disabled()
        shot(page, "portal-7-rep-contacts-tab.png")
