"""New invoices and monthly statements e-mailed to subscribed contacts: in the contact's
language, with the PDF, once — however often and however many times at once the job runs —
and delivered by the outbox sender to a real SMTP server."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard import notify
from dashboard.__main__ import main
from dashboard.mail import sender
from dashboard.services import notifications
from dashboard.vendor import DEMO_VENDOR
from db.models import Attachment, DocumentNotification, InvoiceLine, OutboundMessage
from tests import factories as f
from tests.test_intake_smtp import cli_url
from tests.test_outbox import RecordingHandler, smtp_server

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _invoice(s: Session, customer: object, released: datetime | None, **kw: object) -> int:
    inv = f.invoice(s, customer, 121_00, issue_date=(released or NOW).date(),
                    released_at=released, **kw)
    s.add(InvoiceLine(invoice_id=inv.id, line_no=1, description="Toner", quantity=1,
                      unit_price_cents=100_00, vat_rate_pct=21, net_cents=100_00,
                      vat_cents=21_00))
    return inv.id


def _account(engine: Engine) -> dict[str, int]:
    with Session(engine) as s, s.begin():
        c = f.customer(s, "Brouwerij Van Damme", language="fr", vat_number="BE0403019261")
        anke = f.contact(s, c, first_name="Anke", last_name="Peeters", language="nl",
                         email="anke@vandamme.be", invoice_notifications=True,
                         statement_notifications=True)
        f.contact(s, c, first_name="Luc", last_name="Martin", email="luc@vandamme.be")
        f.contact(s, c, first_name="Old", last_name="Hand", email="old@vandamme.be",
                  invoice_notifications=True, is_active=False)
        new = _invoice(s, c, NOW - timedelta(hours=15))
        _invoice(s, c, NOW - timedelta(days=30))            # released long ago: not new
        _invoice(s, c, None)                                # not released yet
        _invoice(s, c, NOW - timedelta(hours=3), status="cancelled")
        return {"customer": c.id, "anke": anke.id, "new": new}


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.scalar(select(func.count()).select_from(DocumentNotification)) or 0,
                s.scalar(select(func.count()).select_from(OutboundMessage)) or 0)


def test_a_new_invoice_goes_once_to_each_subscribed_contact_in_their_language(
        engine: Engine) -> None:
    ids = _account(engine)
    first = notify.notify_invoices(engine=engine, vendor=DEMO_VENDOR, now=NOW)
    assert first.queued == 1
    with Session(engine) as s:
        mail = s.scalars(select(OutboundMessage)).one()
        assert mail.to_address == "anke@vandamme.be" and mail.kind == "notification"
        assert mail.subject.startswith("Factuur ")  # Anke reads Dutch; the customer French
        assert mail.body_text.startswith("Beste Anke Peeters")
        pdf = s.scalars(select(Attachment).where(Attachment.outbound_message_id == mail.id)
                        ).one()
        assert pdf.content_type == "application/pdf" and pdf.filename.endswith(".pdf")
        history = notifications.sent_for_invoice(session=s, invoice_id=ids["new"])
        assert [(h.contact_name, h.status) for h in history] == [("Anke Peeters", "queued")]

    again = notify.notify_invoices(engine=engine, vendor=DEMO_VENDOR, now=NOW + timedelta(hours=1))
    assert again.queued == 0
    assert _counts(engine) == (1, 1)


def test_two_runs_at_once_send_each_invoice_once(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        for n in range(3):
            c = f.customer(s, f"Klant {n}", vat_number=None)
            for who in ("a", "b"):
                f.contact(s, c, first_name=who, email=f"{who}{n}@klant.be",
                          invoice_notifications=True)
            for _ in range(3):
                _invoice(s, c, NOW - timedelta(hours=2))
    expected = 3 * 2 * 3
    start = threading.Barrier(2)
    reports: list[notify.Report] = []
    errors: list[BaseException] = []

    def run() -> None:  # each run on connections of its own, as two processes would be
        try:
            start.wait()
            reports.append(notify.notify_invoices(engine=engine, vendor=DEMO_VENDOR, now=NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sum(r.queued for r in reports) == expected
    assert _counts(engine) == (expected, expected)


def test_last_months_statement_goes_once_after_the_month_end(engine: Engine) -> None:
    ids = _account(engine)
    today = date(2026, 12, 1)
    report = notify.notify_statements(engine=engine, vendor=DEMO_VENDOR, today=today, now=NOW)
    assert report.queued == 1
    with Session(engine) as s:
        mail = s.scalars(select(OutboundMessage)).one()
        assert mail.subject.startswith("Rekeninguittreksel ") and "30/11/2026" in mail.subject
        claim = s.scalars(select(DocumentNotification)).one()
        assert (claim.kind, claim.document_key, claim.contact_id) == (
            "statement", "2026-11", ids["anke"])
    assert notify.notify_statements(engine=engine, vendor=DEMO_VENDOR, today=today + timedelta(
        days=3), now=NOW).queued == 0


def test_the_command_queues_and_the_sender_delivers_with_the_pdf(engine: Engine) -> None:
    with Session(engine) as s, s.begin():  # the command reads the clock: released just now
        c = f.customer(s, "Brouwerij Van Damme", language="fr", vat_number="BE0403019261")
        f.contact(s, c, first_name="Anke", last_name="Peeters", language="nl",
                  email="anke@vandamme.be", invoice_notifications=True)
        _invoice(s, c, datetime.now(UTC) - timedelta(minutes=5))
    assert main(["--database-url", cli_url(engine), "notify", "invoices"]) == 0
    assert _counts(engine) == (1, 1)
    handler = RecordingHandler()
    with smtp_server(handler) as smtp:
        report = sender.deliver(engine=engine, smtp=smtp, now=datetime.now(UTC))
    assert report.sent == len(handler.received) == 1
    message = handler.messages()[0]
    assert message["To"] == "anke@vandamme.be"
    parts = [p for p in message.iter_attachments()]
    assert [p.get_content_type() for p in parts] == ["application/pdf"]
    assert parts[0].get_content().startswith(b"%PDF")
