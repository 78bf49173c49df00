"""An administrator downloads everything about a contact and asks for an erasure in a real
browser; a second administrator confirms it in the dialog, and the contact is gone.

Starts ``streamlit run dashboard/app.py`` on a free port against a small SQLite database and
drives Debian's Chromium with Playwright. Screenshots go to ``test-artifacts/privacy-*.png``.
Skipped when Chromium is missing, except under CI (``CI=true``), where that is an error.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
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

from dashboard.intake import pipeline
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Contact, Enquiry
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
EMAIL = "anne.verstraeten@dupre.be"
COOKIE_NAME = "csol_session"
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"
FIRST_RUN_MS = 90_000
SLOW_MS = 60_000
expect.set_options(timeout=3 * TIMEOUT_MS)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-privacy")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    path = workdir / "privacy.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        f.user(s, "admin2", PASSWORD, role="admin", full_name="Jan Maes")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100001")
        f.contact(s, cust, first_name="Anne", last_name="Verstraeten", email=EMAIL,
                  phone="+3225551111")
        f.contact(s, cust, first_name="Bob", last_name="Claes", email="bob@dupre.be")
    mail = EmailMessage()
    mail["From"], mail["To"] = f"Anne Verstraeten <{EMAIL}>", "support@csol.example"
    mail["Subject"], mail["Message-ID"] = "Copy of my invoice", "<m1@dupre.be>"
    mail.set_content("Could you send the invoice again? Anne")
    pipeline.receive(engine, mail.as_bytes(), "smtp",
                     now=datetime.now(UTC) - timedelta(hours=1))
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


def act(page: Page, action: Callable[[], object]) -> None:
    wait_for_rerun(page, action, timeout_ms=SLOW_MS)
    wait_for_settled(page, timeout_ms=SLOW_MS)


def sign_in_to_privacy(page: Page, server: Server, username: str) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url), timeout_ms=FIRST_RUN_MS)
    wait_for_settled(page, timeout_ms=FIRST_RUN_MS)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    act(page, page.get_by_role("button", name="Sign in").click)
    page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=60_000)
    act(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name="Privacy").click)
    expect(page.get_by_role("heading", name="Privacy: export and erase a contact")
           ).to_be_visible()


def test_export_then_erase_with_two_administrators(server: Server, browser: Browser,
                                                    database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "privacy-failure-1.png",
                      viewport=(1280, 720)) as page:
        sign_in_to_privacy(page, server, "admin")
        search = page.get_by_label("Find a contact", exact=True)
        search.fill("verstraeten")
        act(page, lambda: search.press("Enter"))
        table = page.locator("[class*=st-key-privacy_contacts_]").get_by_test_id("stDataFrame")
        select_row(page, table, 0)
        expect(page.get_by_role("heading", name="Anne Verstraeten")).to_be_visible()
        shot(page, "privacy-01-contact.png")

        with page.expect_download() as info:
            page.get_by_role("button", name="Download everything about this contact (ZIP)"
                             ).click()
        download = info.value
        assert download.suggested_filename.startswith("contact-C100001-")
        archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
        found = json.loads(archive.read("contact.json"))
        assert found["contacts"][0]["email"] == EMAIL
        assert len(found["inbound_messages"]) == 1

        page.get_by_label("Why", exact=True).fill(
            "Her e-mail of 28/11/2026 asks us to erase her data.")
        act(page, page.get_by_role("button", name="Request erasure").click)
        expect(page.get_by_text("Asked by Claire Weber on", exact=False).first).to_be_visible()
        expect(page.get_by_role("button", name="Confirm erasure…")).to_be_disabled()
        page.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
        shot(page, "privacy-02-requested.png")

    with console_page(browser, server, "privacy-failure-2.png",
                      viewport=(1280, 720)) as other:
        sign_in_to_privacy(other, server, "admin2")
        act(other, other.get_by_role("button", name="Confirm erasure…").click)
        dialog = other.get_by_role("dialog")
        expect(dialog.get_by_text("This cannot be undone.", exact=False)).to_be_visible()
        expect(dialog.get_by_role("button", name="Erase for good")).to_be_disabled()
        act(other, dialog.get_by_text("I have checked that this is the right person").click)
        shot(other, "privacy-03-confirm-dialog.png", full_page=False)
        act(other, dialog.get_by_role("button", name="Erase for good").click)
        expect(other.get_by_text("None waiting.", exact=False)).to_be_visible()
        shot(other, "privacy-04-erased.png")
        # Found again by the customer number only, it says it is erased and by whom.
        search = other.get_by_label("Find a contact", exact=True)
        search.fill("C100001")
        act(other, lambda: search.press("Enter"))
        table = other.locator("[class*=st-key-privacy_contacts_]").get_by_test_id(
            "stDataFrame")
        select_row(other, table, 0)
        expect(other.get_by_text("Erased on", exact=False)).to_be_visible()
        expect(other.get_by_text("confirmed", exact=False)).to_have_count(0)
        shot(other, "privacy-05-erased-contact.png")

    with Session(engine) as s:
        anne = s.scalars(select(Contact).where(Contact.first_name == "[erased]")).one()
        assert (anne.email, anne.phone, anne.name_search) == (None, None, "")
        assert s.scalars(select(Enquiry.subject)).all() == ["[erased]"]
    engine.dispose()
