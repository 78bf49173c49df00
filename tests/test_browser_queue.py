"""A rep's round trip in a real browser: claim the next enquiry, answer it with a canned
reply, the outbox sends it over SMTP, the customer answers, and the answer is on the enquiry.

Starts ``streamlit run dashboard/app.py`` on a free port against a small SQLite database and
drives Debian's Chromium with Playwright; the mail goes to a real SMTP server (aiosmtpd) on
127.0.0.1 and the customer's answer comes back through the intake SMTP listener. Screenshots
go to ``test-artifacts/queue-*.png``. Skipped when Chromium is missing, except under CI
(``CI=true``), where that is an error.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_support import (
    TIMEOUT_MS,
    Server,
    app_server,
    console_page,
    free_port,
    launched_browser,
    require_browser,
    select_row,
    shot,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

from dashboard.config import SmtpSettings
from dashboard.intake import THREADED
from dashboard.intake import smtp as intake_smtp
from dashboard.mail import sender
from dashboard.services import queue, users
from dashboard.services.sla import deadlines
from db.engine import make_engine
from db.migrate import upgrade
from db.models import CannedReply, Enquiry
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
COOKIE_NAME = "csol_session"
REFERENCE = "ENQ-2026-000002"
SUBJECT = "Livraison?"
CONTACT = "anne.dupre@dupre.be"
SUPPORT = "support@csol.example"
ANSWER = "Merci, la facture est bien arrivée. Bonne journée, Anne"
ORDER_REPLY = "ENQ-2026-000003"   # Sofie's, about an order on its way with bpost
NO_ORDER = "ENQ-2026-000004"      # Sofie's, with no order linked
TRACKING = "323299901234567"
expect.set_options(timeout=TIMEOUT_MS)
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-queue")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    """The desk of the queue tests; the unassigned enquiry came by e-mail from Anne."""
    path = workdir / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    start = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "other"],
                      languages=["fr", "nl", "en"])
        rep = f.user(s, "rep", PASSWORD, role="rep", team_id=team.id,
                     full_name="Sofie Peeters")
        f.user(s, "rep2", PASSWORD, role="rep", team_id=team.id, full_name="Jan Claes")
        f.user(s, "lead", PASSWORD, role="lead", team_id=team.id, full_name="Marc Dubois")
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042", language="fr")
        anne = f.contact(s, c, email=CONTACT, phone="+3222252399")
        invoice = f.invoice(s, c, number="INV-2026-000777")
        policy_ = f.sla_policy(s)
        f.enquiry(s, reference="ENQ-2026-000001", subject="Copie de facture",
                  customer_id=c.id, contact_id=anne.id, assignee_id=rep.id, team_id=team.id,
                  status="open", category="invoices", language="fr", channel="email",
                  invoice_id=invoice.id, sla_policy_id=policy_.id, created_at=start,
                  **deadlines(start, policy_).values())
        f.enquiry(s, reference=REFERENCE, subject=SUBJECT, customer_id=c.id,
                  contact_id=anne.id, team_id=team.id, status="new", category="invoices",
                  language="fr", channel="email", invoice_id=invoice.id,
                  sla_policy_id=policy_.id, created_at=start,
                  **deadlines(start, policy_).values())
        order = f.order(s, c, order_number="SO-2026-000321", carrier="bpost",
                        tracking_number=TRACKING, promised_date=datetime.now(UTC).date())
        for reference, linked in ((ORDER_REPLY, {"order_id": order.id}), (NO_ORDER, {})):
            f.enquiry(s, reference=reference, subject="Waar blijft mijn bestelling?",
                      customer_id=c.id, contact_id=anne.id, assignee_id=rep.id,
                      team_id=team.id, status="open", category="orders", language="nl",
                      channel="email", sla_policy_id=policy_.id, created_at=start,
                      **linked, **deadlines(start, policy_).values())
        s.add(CannedReply(name="Order on its way", language="nl", category="orders",
                          subject="Uw bestelling {order_number} [{reference}]",
                          body="Beste {contact_name},\nUw bestelling is onderweg met "
                               "{carrier} (tracking {tracking_number}), verwacht op "
                               "{expected_delivery}.\n{agent_name}"))
        s.add(CannedReply(name="Invoice copy", language="fr", category="invoices",
                          subject="Copie de la facture {invoice_number} [{reference}]",
                          body="Bonjour {contact_name},\nCi-joint {invoice_number}.\n"
                               "{agent_name}"))
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


# --------------------------------------------------------------------------- SMTP


class Recorder:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.content)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
                for raw in self.received]


@contextmanager
def relay() -> Iterator[tuple[Recorder, SmtpSettings]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, SmtpSettings(host="127.0.0.1", port=port,
                                     from_address=f"Customer Support <{SUPPORT}>",
                                     timeout_seconds=5)
    finally:
        controller.stop()


def customer_answer(sent: EmailMessage) -> EmailMessage:
    answer = EmailMessage()
    answer["From"] = f"Anne Dupré <{CONTACT}>"
    answer["To"] = SUPPORT
    answer["Subject"] = f"Re: {sent['Subject']}"
    answer["Message-ID"] = make_msgid(domain="dupre.be")
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = sent["Message-ID"]
    answer.set_content(f"{ANSWER}\n\n> {sent.get_content().splitlines()[0]}\n")
    return answer


# --------------------------------------------------------------------------- steps



def sign_in(page: Page, server: Server, username: str, full_name: str) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=60_000)
    wait_for_settled(page)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(full_name)


def caption(page: Page):  # type: ignore[no-untyped-def]
    """The enquiry's fact line: reference · channel · … · status · assignee · received."""
    return page.get_by_test_id("stCaptionContainer").filter(has_text=REFERENCE).filter(
        has_text=" priority · ")


# --------------------------------------------------------------------------- the test


def test_claim_reply_by_mail_and_the_customer_answer_reopens_it(
        browser: Browser, server: Server, database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "queue-failure-round-trip.png") as page:
        # 1. rep2 signs in and opens the queue.
        sign_in(page, server, "rep2", "Jan Claes")
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
        wait_for_rerun(page, link.click)
        wait_for_settled(page)
        expect(page.get_by_role("heading", name="Enquiry queue")).to_be_visible()
        shot(page, "queue-01-queue.png", full_page=False)

        # 2. Claim next: the enquiry opens, assigned to rep2.
        wait_for_rerun(page, lambda: page.get_by_role("button", name="Claim next").click())
        wait_for_settled(page)
        expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
        expect(page).to_have_url(f"{server.url}/enquiry?e={REFERENCE}")
        expect(caption(page)).to_contain_text("assigned to Jan Claes")
        expect(caption(page)).to_contain_text("Open")
        shot(page, "queue-02-claimed.png", full_page=False)

        # 3. The French canned reply, sent: the enquiry waits for the customer.
        page.get_by_role("tab", name="Reply").click()
        box = page.get_by_test_id("stSelectbox").filter(has_text="Canned reply (FR)")
        box.click()
        option = page.get_by_role("option", name="Invoice copy")
        wait_for_rerun(page, option.click)
        wait_for_settled(page)
        form = page.get_by_role("tabpanel", name="Reply")
        expect(form.get_by_label("Subject", exact=True)).to_have_value(
            f"Copie de la facture INV-2026-000777 [{REFERENCE}]")
        expect(form.get_by_label("To", exact=True)).to_have_value(CONTACT)
        expect(form.get_by_label("Message", exact=True)).to_have_value(
            "Bonjour Anne Dupré,\nCi-joint INV-2026-000777.\nJan Claes")
        shot(page, "queue-03-canned-reply.png", full_page=False)
        wait_for_rerun(page, form.get_by_role("button", name="Send reply").click)
        wait_for_settled(page)
        expect(caption(page)).to_contain_text("Pending customer")
        shot(page, "queue-04-replied.png", full_page=False)

        # 4. The outbox sends it to a real SMTP server.
        with relay() as (recorder, settings):
            report = sender.deliver(engine=engine, smtp=settings)
        assert report.relay_error is None, report
        sent = [m for m in recorder.messages() if m["To"] and CONTACT in m["To"]]
        assert len(sent) == 1, [m["Subject"] for m in recorder.messages()]
        mail = sent[0]
        assert mail["Subject"].count(f"[{REFERENCE}]") == 1
        assert mail["Message-ID"], "the sent reply has no Message-ID"
        assert "Bonjour Anne Dupré" in mail.get_content()

        # 5. Anne answers; the answer comes in through the intake SMTP listener.
        answer = customer_answer(mail)
        port = free_port()
        with intake_smtp.listening(engine, "127.0.0.1", port) as handler, \
                smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.send_message(answer, from_addr=CONTACT, to_addrs=[SUPPORT])
        assert handler.counts[THREADED] == 1, dict(handler.counts)
        with Session(engine) as s:
            enquiry = s.scalars(select(Enquiry).where(Enquiry.reference == REFERENCE)).one()
            assert enquiry.status == "open"

        # 6. Reload: the answer is in the timeline of the same enquiry, which is open again.
        wait_for_rerun(page, page.reload)
        wait_for_settled(page)
        expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
        expect(caption(page)).to_contain_text("Open")
        expect(caption(page)).not_to_contain_text("Pending customer")
        incoming = page.get_by_test_id("stVerticalBlock").filter(
            has_text="Message from the customer").filter(has_text=ANSWER)
        expect(incoming.last).to_be_visible()  # the innermost: this event's own box
        expect(page.get_by_text("E-mail to anne.dupre@dupre.be: sent")).to_be_visible()
        # The answer is read first, above the thread and the reply box.
        latest = page.get_by_test_id("stVerticalBlock").filter(
            has_text="Latest from Anne Dupré").filter(has_text=ANSWER)
        expect(latest.last).to_be_visible()
        page.get_by_text(ANSWER).first.scroll_into_view_if_needed()
        shot(page, "queue-05-customer-answered.png", full_page=False)
    engine.dispose()


def choose_canned_reply(page: Page, server: Server, reference: str, name: str) -> Any:
    wait_for_rerun(page, lambda: page.goto(f"{server.url}/enquiry?e={reference}"))
    wait_for_settled(page)
    page.get_by_role("tab", name="Reply").click()
    page.get_by_test_id("stSelectbox").filter(has_text="Canned reply (NL)").click()
    wait_for_rerun(page, page.get_by_role("option", name=name).click)
    wait_for_settled(page)
    return page.get_by_role("tabpanel", name="Reply")


def test_a_canned_reply_leaves_only_filled(browser: Browser, server: Server,
                                          database: Path) -> None:
    """The order's carrier and tracking number reach the customer's mailbox, no brace;
    without a linked order, Send is refused and the message names each missing field."""
    engine = make_engine(f"sqlite:///{database}")
    with console_page(browser, server, "queue-failure-placeholders.png") as page:
        sign_in(page, server, "rep", "Sofie Peeters")

        # Without an order the holes are named and Send cannot be pressed.
        form = choose_canned_reply(page, server, NO_ORDER, "Order on its way")
        warning = form.get_by_test_id("stAlert").filter(has_text="Not ready to send")
        expect(warning).to_contain_text("{carrier}")
        expect(warning).to_contain_text("{tracking_number}")
        expect(warning).to_contain_text("{order_number}")
        expect(warning).to_contain_text("this needs a linked order")
        expect(form.get_by_role("button", name="Send reply")).to_be_disabled()
        shot(page, "queue-06-placeholder-refused.png", full_page=False)

        # With the order linked the preview is the exact text, and it is sent.
        form = choose_canned_reply(page, server, ORDER_REPLY, "Order on its way")
        preview = form.get_by_test_id("stText")
        expect(preview).to_contain_text(f"onderweg met bpost (tracking {TRACKING})")
        expect(preview).not_to_contain_text("{")
        expect(form.get_by_test_id("stAlert").filter(has_text="Not ready")).to_have_count(0)
        shot(page, "queue-07-placeholder-filled.png", full_page=False)
        wait_for_rerun(page, form.get_by_role("button", name="Send reply").click)
        wait_for_settled(page)

        with relay() as (recorder, settings):
            report = sender.deliver(engine=engine, smtp=settings)
        assert report.relay_error is None, report
        sent = [m for m in recorder.messages() if f"[{ORDER_REPLY}]" in str(m["Subject"])]
        assert len(sent) == 1, [m["Subject"] for m in recorder.messages()]
        body = sent[0].get_content()
        assert f"onderweg met bpost (tracking {TRACKING})" in body, body
        assert "{" not in body + str(sent[0]["Subject"]), body
        assert str(sent[0]["Subject"]).startswith("Uw bestelling SO-2026-000321")
    engine.dispose()


def test_a_leads_bulk_close_asks_first_and_can_be_undone(browser: Browser, server: Server,
                                                          database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")

    def statuses() -> dict[str, str]:
        with Session(engine) as s:
            return dict(s.execute(select(Enquiry.reference, Enquiry.status)
                                  .where(Enquiry.reference.in_((ORDER_REPLY, NO_ORDER)))).all())

    with console_page(browser, server, "queue-failure-bulk.png") as page:
        sign_in(page, server, "lead", "Marc Dubois")
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
        wait_for_rerun(page, link.click)
        wait_for_settled(page)
        wait_for_rerun(page, page.get_by_text(re.compile(r"^All \(\d+\)$")).click)
        wait_for_settled(page)
        wait_for_rerun(page, page.get_by_test_id("stCheckbox").get_by_text("Select several").click)
        wait_for_settled(page)
        table = page.locator("[class*=st-key-queue_table_]").get_by_test_id("stDataFrame")
        # Tick Sofie's two order enquiries (the grid is a canvas: their rows are where the
        # queue lists them); ticking opens nothing.
        with Session(engine) as s:
            lead = users.get_user(session=s, username="lead")
            assert lead is not None
            listed = [r.enquiry.reference for r in queue.list_queue(
                session=s, user=lead, view="all", flt=queue.QueueFilter(),
                now=datetime.now(UTC)).rows]
        for reference in (ORDER_REPLY, NO_ORDER):
            select_row(page, table, listed.index(reference))
        expect(page).to_have_url(re.compile(r"/queue"))
        close = page.get_by_role("button", name="Close 2 enquiries")
        expect(close).to_be_visible()
        wait_for_rerun(page, close.click)
        wait_for_settled(page)
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Close 2 enquiries?")
        shot(page, "queue-08-bulk-confirm.png", full_page=False)
        assert "closed" not in statuses().values()           # asked first, nothing done
        wait_for_rerun(page, dialog.get_by_role("button", name="Confirm").click)
        wait_for_settled(page)
        assert set(statuses().values()) == {"closed"}
        expect(page.get_by_text("Closed 2 enquiries at")).to_be_visible()
        shot(page, "queue-09-bulk-closed.png", full_page=False)
        wait_for_rerun(page, page.get_by_role("button", name="Undo: reopen them").click)
        wait_for_settled(page)
        assert set(statuses().values()) == {"open"}
        expect(page.get_by_role("button", name="Undo: reopen them")).to_have_count(0)
    engine.dispose()
