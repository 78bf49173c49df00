"""Which documents are due to be e-mailed to subscribed contacts, and the claim that sends
each one once.

A new invoice or credit note goes to every active contact of its customer who subscribed to
invoice e-mails, once it is released. A monthly statement goes, after each month end, to the
contacts who subscribed to it. Each (kind, contact, document) is claimed by inserting its
``document_notifications`` row in the transaction that queues the e-mail: a second run
finds it there, and a run at the same moment fails on the unique key and skips it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.services import audit
from db.models import Contact, Customer, DocumentNotification, Invoice, OutboundMessage

# Invoices released longer ago than this are not "new": subscribing a contact, or running the
# job for the first time, does not mail the customer's whole history.
NEW_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Due:
    kind: str              # "invoice" or "statement"
    contact_id: int
    customer_id: int
    email: str
    name: str
    language: str
    document_key: str      # invoice number or statement month "YYYY-MM"
    invoice_id: int | None = None
    as_of: date | None = None  # a statement's date: the last day of its month


@dataclass(frozen=True)
class Sent:
    """One notification of an invoice, as the invoice detail lists it."""

    contact_name: str
    email: str
    queued_at: datetime
    outbound_message_id: int | None
    status: str | None     # the outbox's status of that e-mail


def _not_yet(kind: str, key: Any) -> ColumnElement[bool]:
    return ~exists().where(DocumentNotification.kind == kind,
                           DocumentNotification.contact_id == Contact.id,
                           DocumentNotification.document_key == key)


def due_invoices(*, session: Session, now: datetime, new_for: timedelta = NEW_FOR
                 ) -> list[Due]:
    rows = session.execute(
        select(Contact.id, Contact.customer_id, Contact.email, Contact.first_name,
               Contact.last_name, Contact.language, Invoice.number, Invoice.id)
        .join(Invoice, Invoice.customer_id == Contact.customer_id)
        .where(Invoice.released_at.is_not(None), Invoice.released_at <= now,
               Invoice.released_at > now - new_for, Invoice.status != "cancelled",
               Contact.invoice_notifications.is_(True), Contact.is_active.is_(True),
               Contact.email.is_not(None), _not_yet("invoice", Invoice.number))
        .order_by(Invoice.released_at, Invoice.id, Contact.id))
    return [Due("invoice", cid, cust, email or "", f"{first} {last}", lang, number, invoice_id)
            for cid, cust, email, first, last, lang, number, invoice_id in rows]


def last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def due_statements(*, session: Session, today: date) -> list[Due]:
    """The statement of the month that ended last, for each subscribed contact."""
    as_of = last_month_end(today)
    key = as_of.strftime("%Y-%m")
    rows = session.execute(
        select(Contact.id, Contact.customer_id, Contact.email, Contact.first_name,
               Contact.last_name, Contact.language)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.statement_notifications.is_(True), Contact.is_active.is_(True),
               Contact.email.is_not(None), Customer.is_active.is_(True),
               _not_yet("statement", key))
        .order_by(Contact.customer_id, Contact.id))
    return [Due("statement", cid, cust, email or "", f"{first} {last}", lang, key, None,
                as_of)
            for cid, cust, email, first, last, lang in rows]


def claim(*, session: Session, due: Due, now: datetime) -> int | None:
    """The claim's id, or None when another run has it; call in the sending transaction."""
    row = DocumentNotification(kind=due.kind, contact_id=due.contact_id,
                               customer_id=due.customer_id, invoice_id=due.invoice_id,
                               document_key=due.document_key, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.id


def record_queued(*, session: Session, claim_id: int, outbound_message_id: int,
                  due: Due) -> None:
    row = session.get(DocumentNotification, claim_id)
    assert row is not None
    row.outbound_message_id = outbound_message_id
    audit.record(session=session, action="document_notified", entity_type="contact",
                 entity_id=due.contact_id,
                 after={"kind": due.kind, "document": due.document_key, "to": due.email,
                        "outbound_message_id": outbound_message_id})


def sent_for_invoice(*, session: Session, invoice_id: int) -> list[Sent]:
    rows = session.execute(
        select(Contact.first_name, Contact.last_name, Contact.email,
               DocumentNotification.created_at, DocumentNotification.outbound_message_id,
               OutboundMessage.status)
        .join(Contact, Contact.id == DocumentNotification.contact_id)
        .outerjoin(OutboundMessage, and_(
            OutboundMessage.id == DocumentNotification.outbound_message_id))
        .where(DocumentNotification.kind == "invoice",
               DocumentNotification.invoice_id == invoice_id)
        .order_by(DocumentNotification.created_at, DocumentNotification.id))
    return [Sent(f"{first} {last}", email or "", at, message_id, status)
            for first, last, email, at, message_id, status in rows]


def set_statement_notifications(*, session: Session, contact_id: int, enabled: bool,
                                by_user_id: int, by_username: str) -> None:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ValueError("That contact no longer exists.")
    if enabled and not contact.email:
        raise ValueError(f"{contact.full_name} has no e-mail address to send statements to.")
    if contact.statement_notifications == enabled:
        return
    audit.record(session=session, action="contact_statement_notifications",
                 user_id=by_user_id, username=by_username, entity_type="contact",
                 entity_id=contact_id,
                 before={"statement_notifications": contact.statement_notifications},
                 after={"statement_notifications": enabled})
    contact.statement_notifications = enabled
