"""The notification job: new invoices and monthly statements e-mailed to subscribed contacts
(``python -m dashboard notify invoices|statements``, from cron or a systemd timer).

Each e-mail is queued in the outbox (the sender delivers it) in the contact's language, with
the document's PDF as the customer receives it. Every document is claimed before it is queued,
in the same transaction (see ``dashboard.services.notifications``): run it as often as you
like, on as many machines as you like; nothing goes twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.documents.invoice_pdf import invoice_pdf
from dashboard.documents.statement_pdf import statement_pdf
from dashboard.services import notifications, outbox, routing
from dashboard.services.invoices import get_invoice
from dashboard.services.notifications import Due
from dashboard.services.outbox import OutboundAttachment
from dashboard.services.statement import statement
from dashboard.vendor import Vendor

SIGNATURE = "Customer Support"


@dataclass(frozen=True)
class Report:
    queued: int
    taken_elsewhere: int    # claimed by a run at the same time
    nothing_to_send: int    # e.g. a statement with no open item and no balance

    def summary(self, what: str) -> str:
        return (f"Queued {self.queued} {what} e-mails"
                + (f"; {self.taken_elsewhere} were being sent by another run"
                   if self.taken_elsewhere else "")
                + (f"; {self.nothing_to_send} had nothing to send" if self.nothing_to_send
                   else "") + ".")


def _mail(session: Session, due: Due, vendor: Vendor
          ) -> tuple[str, str, OutboundAttachment] | None:
    if due.kind == "invoice":
        assert due.invoice_id is not None
        detail = get_invoice(session=session, invoice_id=due.invoice_id)
        if detail is None:
            return None
        subject, body = routing.invoice_email(detail, due.name, SIGNATURE, vendor.name,
                                              language=due.language)
        pdf = invoice_pdf(detail, vendor)
        return subject, body, OutboundAttachment(f"{detail.number}.pdf", "application/pdf", pdf)
    assert due.as_of is not None
    stmt = statement(session=session, customer_id=due.customer_id, as_of=due.as_of)
    if stmt is None or (not stmt.items and stmt.total_cents == 0):
        return None
    subject, body = routing.statement_email(stmt, due.name, SIGNATURE, vendor.name,
                                            language=due.language)
    return subject, body, OutboundAttachment(
        f"statement-{stmt.bill_to.customer_number}-{due.document_key}.pdf", "application/pdf",
        statement_pdf(stmt, vendor))


def _send(engine: Engine, dues: list[Due], vendor: Vendor, now: datetime) -> Report:
    queued = taken = empty = 0
    for due in dues:
        with Session(engine) as session, session.begin():
            claim_id = notifications.claim(session=session, due=due, now=now)
            if claim_id is None:
                taken += 1
                continue
            mail = _mail(session, due, vendor)
            if mail is None:  # the claim stays: that month's statement had nothing in it
                empty += 1
                continue
            subject, body, attachment = mail
            message_id = outbox.enqueue(
                session=session, kind="notification", to_address=due.email, subject=subject,
                body_text=body, customer_id=due.customer_id, attachments=[attachment],
                now=now)
            notifications.record_queued(session=session, claim_id=claim_id,
                                        outbound_message_id=message_id, due=due)
            queued += 1
    return Report(queued, taken, empty)


def notify_invoices(*, engine: Engine, vendor: Vendor, now: datetime) -> Report:
    with Session(engine) as session:
        dues = notifications.due_invoices(session=session, now=now)
    return _send(engine, dues, vendor, now)


def notify_statements(*, engine: Engine, vendor: Vendor, today: date, now: datetime
                      ) -> Report:
    with Session(engine) as session:
        dues = notifications.due_statements(session=session, today=today)
    return _send(engine, dues, vendor, now)
