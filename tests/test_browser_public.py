"""The customers' side in Chromium against the real server: track an order in the browser's
language and in each language chosen; the online form lands in the queue a representative
sees; signed out, nothing but the public pages and the sign-in is reachable."""

from __future__ import annotations

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
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect

from dashboard import i18n
from db.engine import make_engine
from db.migrate import upgrade
from db.models import OrderEvent
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-public")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[Server]:
    database = workdir / "public.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "inventory", "contracts",
                                                "other"], languages=["fr", "nl", "en", "de"])
        f.user(s, "rep", PASSWORD, role="rep", team_id=team.id, full_name="Sofie Peeters")
        f.sla_policy(s)
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042",
                       postal_code="4000")
        order = f.order(s, c, order_number="SO-2026-000777", carrier="bpost",
                        tracking_number="323299999999", promised_date=date(2026, 12, 4),
                        status="in_transit")
        for n, status in enumerate(("received", "shipped", "in_transit")):
            s.add(OrderEvent(order_id=order.id, status=status, note="",
                             occurred_at=datetime(2026, 11, 25, 9, tzinfo=UTC)
                             + timedelta(days=n)))
    engine.dispose()
    with app_server(database, workdir) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


def open_page(page: Page, url: str) -> None:
    wait_for_rerun(page, lambda: page.goto(url))
    wait_for_settled(page)


def track(page: Page, tr: i18n.Translate, number: str, proof: str) -> None:
    page.get_by_label(tr("Order number")).fill(number)
    page.get_by_label(tr("Customer number or delivery postcode")).fill(proof)
    wait_for_rerun(page, lambda: page.get_by_role("button", name=tr("Track"), exact=True).click())
    wait_for_settled(page)


def test_track_an_order_in_the_browsers_language(browser: Browser, server: Server) -> None:
    with console_page(browser, server, "public-failure-track.png", locale="nl-BE") as page:
        open_page(page, f"{server.url}/track")
        nl = i18n.translator("nl")
        expect(page.get_by_role("heading", name=nl("Track an order"))).to_be_visible()
        track(page, nl, "SO-2026-000777", "4000")
        expect(page.get_by_text(nl("In transit")).first).to_be_visible()
        expect(page.get_by_text("04/12/2026")).to_be_visible()


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_track_an_order_in_each_language(browser: Browser, server: Server,
                                         language: str) -> None:
    tr = i18n.translator(language)
    with console_page(browser, server, f"public-failure-track-{language}.png") as page:
        open_page(page, f"{server.url}/track?lang={language}")
        track(page, tr, "SO-2026-000777", "C100042")
        expect(page.get_by_role("heading", name=tr("Order {number}").format(
            number="SO-2026-000777"))).to_be_visible()
        expect(page.get_by_role("link", name=tr("Follow the parcel at the carrier"))
               ).to_have_attribute("href", "https://track.bpost.cloud/btr/web/#/search?"
                                           "itemCode=323299999999")
        track(page, tr, "SO-2026-000777", "C100043")
        expect(page.get_by_text(tr("We could not find an order with these details. "
                                   "Check the order number and your customer number "
                                   "or postcode."))).to_be_visible()


def test_a_form_sent_in_german_is_in_the_representatives_queue(browser: Browser,
                                                               server: Server) -> None:
    de = i18n.translator("de")
    with console_page(browser, server, "public-failure-form.png") as page:
        open_page(page, f"{server.url}/contact?lang=de")  # the orders form comes first
        expect(page.get_by_label(de("Orders and delivery"))).to_be_checked()
        page.get_by_label(de("Your name"), exact=True).fill("Jonas Weber")
        page.get_by_label(de("E-mail"), exact=True).fill("jonas.weber@example.lu")
        page.get_by_label(de("Order number"), exact=True).fill("SO-2026-000777")
        page.get_by_label(de("Subject"), exact=True).fill("Lieferung verspätet")
        page.get_by_label(de("Your question"), exact=True).fill(
            "Wann kommt unsere Bestellung an? Danke.")
        wait_for_rerun(page, lambda: page.get_by_role("button", name=de("Send")).click())
        wait_for_settled(page)
        thanks = page.get_by_test_id("stAlertContentSuccess")
        expect(thanks).to_contain_text("ENQ-")
        reference = "ENQ-" + thanks.inner_text().split("ENQ-")[1][:11]

    with console_page(browser, server, "public-failure-queue.png") as page:
        open_page(page, server.url)
        page.get_by_label("Username").fill("rep")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
        wait_for_settled(page)
        open_page(page, f"{server.url}/enquiry?e={reference}")
        expect(page.get_by_role("heading", name="Lieferung verspätet")).to_be_visible()
        expect(page.get_by_text("Web form", exact=False).first).to_be_visible()
        expect(page.get_by_role("button", name="Order SO-2026-000777")).to_be_visible()


@pytest.mark.parametrize("path", ["queue", "customer?c=C100042", "enquiry", "metrics",
                                  "users", "balances", "log-call", "intake"])
def test_signed_out_reaches_only_the_public_pages_and_the_sign_in(browser: Browser,
                                                                  server: Server,
                                                                  path: str) -> None:
    # Streamlit says so in the console when a page is not in the signed-out menu.
    with console_page(browser, server, f"public-failure-{path[:8]}.png",
                      allowed_errors=("The page that you have requested does not seem to "
                                      "exist",)) as page:
        open_page(page, f"{server.url}/{path}")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link")).to_have_count(4)  # with the customer portal
        for heading in ("Enquiry queue", "Customer", "Enquiry metrics", "Users & access",
                        "Account balances", "Log a call", "Intake problems"):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)
        expect(page.get_by_text("C100042")).to_have_count(0)
