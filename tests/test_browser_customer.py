"""The customer page in a real browser: an invoice's PDF and e-mail, then relocating an item.

Starts ``streamlit run dashboard/app.py`` on a free port against a small SQLite database (the
account of ``test_customer_page.py``) and drives Debian's Chromium with Playwright. The rep
finds the customer by number, selects an invoice in the table, downloads its PDF and e-mails
it to the preselected contact, then moves an installed item to the other site. The database
is checked after each change. Screenshots go to ``test-artifacts/cust-*.png``.
Skipped when Chromium is missing, except under CI (``CI=true``), where that is an error.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
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

from playwright.sync_api import Browser, Locator, Page, expect

from db.engine import make_engine
from db.migrate import upgrade
from db.models import InvoiceLine
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
ACCOUNTANT = "compta@fiduciaire-lambert.be"
CUSTOMER = "Brasserie Dupré & Fils"
expect.set_options(timeout=TIMEOUT_MS)
TODAY = datetime.now(UTC).date()

# st.dataframe draws on a canvas (glide-data-grid): rows are clicked by position.


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-customer")


@pytest.fixture(scope="module")
def account(workdir: Path) -> dict[str, object]:
    """A rep and one customer: an open invoice with a line, a contact, two sites, two items."""
    path = workdir / "customer.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters")
        c = f.customer(s, CUSTOMER, customer_number="C100042", vat_number="BE0403019261",
                       language="fr")
        f.contact(s, c, email="anne.dupre@dupre.be", portal_tier="entitled")
        hq, depot = f.site(s, c, "Siège"), f.site(s, c, "Dépôt Liège")
        prod = f.product(s, is_serialized=True, warranty_months=24)
        invoice = f.invoice(s, c, 545_00, issue_date=TODAY - timedelta(days=40),
                            due_date=TODAY - timedelta(days=10))
        s.add(InvoiceLine(invoice_id=invoice.id, line_no=1, description="Rack server",
                          quantity=1, unit_price_cents=450_41, vat_rate_pct=21,
                          net_cents=450_41, vat_cents=94_59))
        item = f.item(s, c, hq, prod, serial_number="SNX42AB19")
        # Listed before it until it moves to the depot too, then after it.
        f.item(s, c, depot, prod, serial_number="SNZ99ZZ99")
        f.sla_policy(s)
        f.team(s, "Billing", categories=["invoices", "orders", "inventory", "contracts", "other"],
               languages=["fr", "nl", "en"])
        ids: dict[str, object] = {"db": path, "invoice": invoice.number, "item": item.id,
                                  "hq": hq.id, "depot": depot.id}
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(account: dict[str, object], workdir: Path) -> Iterator[Server]:
    with app_server(cast(Path, account["db"]), workdir) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser profile on the app; fails on app errors in the console."""
    failed_before = request.session.testsfailed
    # The test's own report comes before this teardown, so its failure is counted by now.
    with console_page(browser, server, "cust-failure.png",
                      failed=lambda: request.session.testsfailed > failed_before) as pg:
        yield pg


# --------------------------------------------------------------------------- steps



def query(db: object, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def choose(box: Locator, typed: str) -> None:
    """Pick the one option of a selectbox that matches what is typed."""
    box.click()
    box.press_sequentially(typed)
    box.press("Enter")


def open_tab(page: Page, name: str) -> None:
    wait_for_rerun(page, lambda: page.get_by_role("tab", name=name, exact=True).click())
    wait_for_settled(page)


# --------------------------------------------------------------------------- test


def test_invoice_pdf_email_and_relocate_item(page: Page, server: Server,
                                             account: dict[str, object]) -> None:
    db, number = account["db"], str(account["invoice"])

    # 1. Sign in as the rep: Today.
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    wait_for_settled(page)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    shot(page, "cust-01-today.png")

    # 2. The customer number, then Enter: the customer page.
    search = page.get_by_label("Find a customer", exact=True)
    search.fill("C100042")
    wait_for_rerun(page, lambda: search.press("Enter"))
    wait_for_settled(page)
    expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
    expect(page).to_have_url(f"{server.url}/customer?c=C100042")
    shot(page, "cust-02-customer.png")

    # 3. Invoices tab; select the invoice (newest first: row 0): its detail opens.
    open_tab(page, "Invoices & credit notes")
    invoices = page.locator("[class*=st-key-invoices_table_]").get_by_test_id("stDataFrame")
    select_row(page, invoices, 0)
    expect(page.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    shot(page, "cust-03-invoice.png")

    # 4. Download PDF: a PDF named after the invoice.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    download = info.value
    assert number in download.suggested_filename
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]

    # 5. E-mail while nobody is verified: the form says why and cannot send.
    wait_for_rerun(page, lambda: page.get_by_text("E-mail", exact=True).click())
    wait_for_settled(page)
    form = page.get_by_test_id("stForm").filter(has_text="Send to contact")
    expect(page.get_by_test_id("stAlert").filter(has_text="is not verified")).to_be_visible()
    expect(form.get_by_role("button", name="Send")).to_be_disabled()
    expect(form.get_by_label("…or this address")).to_be_disabled()
    shot(page, "cust-04-email-refused.png")

    # 5b. Anne is on the line and gives an invoice number: an entitled, verified caller.
    page.get_by_text("Caller: Unknown caller").click()
    caller = page.get_by_test_id("stForm").filter(has_text="Who is calling")
    choose(caller.get_by_role("combobox", name="Who is calling"), "Anne")
    choose(caller.get_by_role("combobox", name="Verified by"), "Gave an invoice")
    wait_for_rerun(page, lambda: caller.get_by_role("button", name="Confirm caller").click())
    wait_for_settled(page)
    expect(page.get_by_test_id("stExpander").filter(has_text="Caller: Anne Dupré")
           ).to_be_visible()
    # Confirming reruns the page once more: wait until the refusal has gone with it.
    expect(page.get_by_test_id("stAlert").filter(has_text="is not verified")).to_have_count(0)
    wait_for_settled(page)

    # 5c. The contact on file is preselected; another address goes only with a reason.
    form = page.get_by_test_id("stForm").filter(has_text="Send to contact")
    expect(form.get_by_role("combobox", name="Send to contact")).to_have_value(
        "Anne Dupré <anne.dupre@dupre.be> (Finance)")
    address = form.get_by_label("…or this address")
    expect(address).to_have_count(1)
    expect(address).to_be_enabled()
    address.fill(ACCOUNTANT)
    wait_for_rerun(page, lambda: form.get_by_role("button", name="Send").click())
    wait_for_settled(page)
    expect(page.get_by_text("not on file for this customer")).to_be_visible()
    assert query(db, "SELECT COUNT(*) FROM outbound_messages") == [(0,)]
    form.get_by_label("Why this address (when it is not on file)").fill(
        "Anne asks for a copy to her accountant")
    wait_for_rerun(page, lambda: form.get_by_role("button", name="Send").click())
    wait_for_settled(page)
    expect(page.get_by_text(f"{number}.pdf queued for {ACCOUNTANT}")).to_be_visible()
    shot(page, "cust-05-email-sent.png")
    sent = query(db, "SELECT subject, status FROM outbound_messages WHERE to_address = ?",
                 ACCOUNTANT)
    assert len(sent) == 1, sent
    assert str(sent[0][0]).startswith("Facture"), sent
    audited = query(db, "SELECT after FROM audit_log WHERE action = "
                    "'document_sent_to_typed_address'")
    assert len(audited) == 1 and "Anne asks for a copy" in str(audited[0][0]), audited

    # 6. Installed base: select SNX42AB19, the second row (the depot's item comes first).
    open_tab(page, "Installed base")
    items = page.locator("[class*=st-key-items_table_]").get_by_test_id("stDataFrame")
    select_row(page, items, 1)
    expect(page.get_by_role("heading", name="SNX42AB19")).to_be_visible()
    shot(page, "cust-06-item.png")

    # 7. Relocate to the other site, with a reason.
    form = page.get_by_test_id("stForm").filter(has_text="Move to site")
    site = form.get_by_role("combobox", name="Move to site")
    site.click()
    site.press_sequentially("Dépôt")
    expect(page.get_by_role("option")).to_have_count(1)
    site.press("Enter")
    expect(site).to_have_value(re.compile(r"^Dépôt Liège"))
    form.get_by_label("Why").fill("Moved to the depot for the summer")
    shot(page, "cust-07-relocate-form.png")
    wait_for_rerun(page, lambda: form.get_by_role("button", name="Relocate").click())
    wait_for_settled(page)
    expect(page.get_by_text("SNX42AB19 moved to Dépôt Liège.")).to_be_visible()
    # Both items are at the depot now and SNX42AB19 sorts first: the second row is the
    # other item, and the panel must not have moved to it.
    expect(page.get_by_role("heading", name="SNZ99ZZ99")).to_have_count(0)
    expect(page.get_by_test_id("stForm").filter(has_text="Move to site")
           .filter(has_text="SNZ99ZZ99")).to_have_count(0)
    shot(page, "cust-08-relocated.png")
    assert query(db, "SELECT site_id FROM installed_items WHERE id = ?",
                 account["item"]) == [(account["depot"],)]
    changes = query(db, "SELECT kind, from_site_id, to_site_id, reason FROM inventory_changes "
                    "WHERE installed_item_id = ?", account["item"])
    assert changes == [("relocate", account["hq"], account["depot"],
                        "Moved to the depot for the summer")], changes
