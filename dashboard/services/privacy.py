"""A contact's rights over their personal data: an export of everything held about them, and
an erasure that one administrator requests and another confirms.

Both walk the same list of steps, one per table that holds something of the contact
(``STEPS``): each step says what it holds, exports its rows (and files), and erases or
anonymises them. A table added later is one more step. What the law makes the company keep
(invoices, ten years under Belgian law) is not touched: the customer stays the legal
counterparty, only the contact's own details go.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from dashboard import phones
from dashboard.formatting import when
from dashboard.services import audit, text_limits
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from dashboard.services.versioned import write_if_unchanged
from db.models import (
    Attachment,
    AuditLog,
    Contact,
    Customer,
    DocumentNotification,
    Enquiry,
    EnquiryEvent,
    ErasureRequest,
    InboundMessage,
    OutboundMessage,
    PortalAccount,
    PortalLink,
    PortalSession,
    User,
)
from db.text import fold

ERASED = "[erased]"
FIND_LIMIT = 50
REASON_MIN = 10
# Keys of audit and event data that name or reach a person: their values go whole.
PERSONAL_KEYS = frozenset({
    "subject", "name", "email", "phone", "mobile", "fax", "first_name",
    "last_name", "contact_name", "full_name", "body", "note", "caller", "to_address",
    "from_address", "from_name", "display_name", "message", "sender", "address",
})
# Keys that hold an address in some rows and a code in others ({"from": "new", "to": "open"}
# of a status change): their value goes when it is an address or a number.
ADDRESS_KEYS = frozenset({"from", "to"})
ADDRESS = re.compile(r"@|^\+?[\d\s./()-]{6,}$")
# Outgoing mail not sent yet is never sent once its addressee is erased.
UNSENT = ("queued", "sending", "failed")


# --- who and what ------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The contact and everything found to be theirs, worked out once before any step runs."""

    contact_id: int
    customer_id: int
    emails: frozenset[str]  # lower-case
    numbers: frozenset[str]  # E.164: phone, mobile, fax
    names: tuple[str, ...]  # the ways their name is written, to find it in free text
    enquiry_ids: tuple[int, ...]
    inbound_ids: tuple[int, ...]
    outbound_ids: tuple[int, ...]
    # Addresses and numbers other contacts have too: cleared on the contact only.
    shared: frozenset[str] = frozenset()


@dataclass
class Exported:
    rows: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Erasure:
    """The confirmed request being carried out: who confirmed it and the note it leaves."""

    request_id: int
    actor_id: int
    note: str


@dataclass(frozen=True)
class Step:
    """One table's share of a contact's data."""

    key: str  # the export's section and the erasure's count
    title: str  # what it holds, in words
    count: Callable[[Session, Scope], int]
    export: Callable[[Session, Scope], Exported]
    erase: Callable[[Session, Scope, Erasure], int]  # -> rows changed


def _shared(session: Session, contact: Contact, values: frozenset[str]) -> frozenset[str]:
    """Of the contact's addresses and numbers, those another contact has too (a company fax,
    a switchboard): they are not the person's alone, so they do not lead to other rows."""
    if not values:
        return frozenset()
    others = session.execute(select(Contact.email, Contact.phone, Contact.mobile, Contact.fax)
                             .where(Contact.id != contact.id, or_(
                                 func.lower(Contact.email).in_(values),
                                 Contact.phone.in_(values), Contact.mobile.in_(values),
                                 Contact.fax.in_(values))))
    found = {(v.lower() if i == 0 else v) for row in others for i, v in enumerate(row) if v}
    return frozenset(values & found)


def _scope(session: Session, contact: Contact) -> Scope:
    own_emails = frozenset(e.strip().lower() for e in [contact.email] if e and e.strip())
    own_numbers = frozenset(n for n in (contact.phone, contact.mobile, contact.fax) if n)
    shared = _shared(session, contact, own_emails | own_numbers)
    emails, numbers = own_emails - shared, own_numbers - shared
    names = tuple(dict.fromkeys(n for n in (
        f"{contact.first_name} {contact.last_name}".strip(),
        f"{contact.last_name} {contact.first_name}".strip(),
        f"{contact.last_name}, {contact.first_name}".strip(", ")) if len(n) >= 4
        and n != ERASED))
    addressed: list[ColumnElement[bool]] = [Enquiry.contact_id == contact.id]
    if emails:
        addressed.append(func.lower(Enquiry.from_address).in_(emails))
    if numbers:
        addressed.append(Enquiry.from_address.in_(numbers))
    enquiry_ids = tuple(session.scalars(select(Enquiry.id).where(or_(*addressed))
                                        .order_by(Enquiry.id)))
    inbound: list[ColumnElement[bool]] = [InboundMessage.enquiry_id.in_(enquiry_ids)]
    if emails:
        inbound.append(func.lower(InboundMessage.from_address).in_(emails))
    if numbers:
        inbound.append(InboundMessage.from_address.in_(numbers))
    inbound_ids = tuple(session.scalars(select(InboundMessage.id).where(or_(*inbound))
                                        .order_by(InboundMessage.id)))
    outbound: list[ColumnElement[bool]] = [
        OutboundMessage.enquiry_id.in_(enquiry_ids),
        OutboundMessage.id.in_(select(DocumentNotification.outbound_message_id).where(
            DocumentNotification.contact_id == contact.id))]
    if emails:
        outbound.append(func.lower(OutboundMessage.to_address).in_(emails))
        outbound.extend(OutboundMessage.to_address.ilike(f"%<{_like(e)}>", escape="\\")
                        for e in emails)
    outbound_ids = tuple(session.scalars(select(OutboundMessage.id).where(or_(*outbound))
                                         .order_by(OutboundMessage.id)))
    return Scope(contact.id, contact.customer_id, emails, numbers, names, enquiry_ids,
                 inbound_ids, outbound_ids, shared)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _needles(scope: Scope) -> list[str]:
    return sorted({*scope.emails, *scope.numbers, *scope.names}, key=len, reverse=True)


def scrub(value: Any, needles: Iterable[str]) -> Any:
    """``value`` (text, or JSON of dicts and lists) with the person taken out: every
    occurrence of a needle, in any case, and the whole value of a personal key."""
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in needles if n]
    return _scrub(value, patterns)


def _scrub(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(ERASED, value)
        return value
    if isinstance(value, list):
        return [_scrub(v, patterns) for v in value]
    if isinstance(value, dict):
        return {k: (ERASED if _personal(k, v) else _scrub(v, patterns))
                for k, v in value.items()}
    return value


def _personal(key: str, value: Any) -> bool:
    if value in (None, "", [], {}):
        return False
    if key in PERSONAL_KEYS:
        return True
    return key in ADDRESS_KEYS and isinstance(value, str) and bool(ADDRESS.search(value))


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__mapper__.column_attrs
            if c.key not in skip}


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name).strip("._") or "file"
    return cleaned[:80]


# --- the steps ---------------------------------------------------------------------------

def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _contact_export(session: Session, scope: Scope) -> Exported:
    contact = session.get_one(Contact, scope.contact_id)
    customer = session.get_one(Customer, scope.customer_id)
    row = _row(contact, "name_search", "email_domain")
    row["customer"] = {"customer_number": customer.customer_number, "name": customer.name}
    row["notification_subscriptions"] = {
        "invoice_notifications": contact.invoice_notifications,
        "statement_notifications": contact.statement_notifications}
    return Exported([row])


def _contact_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    # A statement, not the ORM: the search columns are cleared, not worked out again.
    session.execute(update(Contact).where(Contact.id == scope.contact_id).values(
        first_name=ERASED, last_name="", email=None, email_domain=None, name_search="",
        phone=None, mobile=None, fax=None, invoice_notifications=False,
        statement_notifications=False, is_primary=False, is_active=False,
        portal_tier="guest").execution_options(synchronize_session=False))
    return 1


def _customer_fields(scope: Scope) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if scope.emails:
        found.append(func.lower(Customer.email).in_(scope.emails))
    if scope.numbers:
        found.append(Customer.phone.in_(scope.numbers))
    return found


def _customer_count(session: Session, scope: Scope) -> int:
    conditions = _customer_fields(scope)
    return _count(session, select(Customer.id).where(or_(*conditions))) if conditions else 0


def _customer_export(session: Session, scope: Scope) -> Exported:
    conditions = _customer_fields(scope)
    if not conditions:
        return Exported()
    return Exported([{"customer_number": c.customer_number, "name": c.name, "email": c.email,
                      "phone": c.phone}
                     for c in session.scalars(select(Customer).where(or_(*conditions)))])


def _customer_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    """The company's record keeps its name (the invoices' legal counterparty); an e-mail
    address or number that is the contact's own goes."""
    changed = 0
    if scope.emails:
        changed += _rowcount(session.execute(update(Customer).where(
            func.lower(Customer.email).in_(scope.emails)).values(email=None)
            .execution_options(synchronize_session=False)))
    if scope.numbers:
        changed += _rowcount(session.execute(update(Customer).where(
            Customer.phone.in_(scope.numbers)).values(phone=None)
            .execution_options(synchronize_session=False)))
    return changed


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def _enquiry_export(session: Session, scope: Scope) -> Exported:
    return Exported([_row(e) for e in session.scalars(
        select(Enquiry).where(Enquiry.id.in_(scope.enquiry_ids)).order_by(Enquiry.id))])


def _enquiry_erase(session: Session, scope: Scope, erasure: Erasure) -> int:
    if not scope.enquiry_ids:
        return 0
    # The version moves on: a form opened on one of these enquiries cannot write the old text.
    changed = _rowcount(session.execute(update(Enquiry).where(
        Enquiry.id.in_(scope.enquiry_ids)).values(
        subject=ERASED, from_address=None, version=Enquiry.version + 1)
        .execution_options(synchronize_session=False)))
    return changed


def _events(scope: Scope) -> Any:
    return select(EnquiryEvent).where(EnquiryEvent.enquiry_id.in_(scope.enquiry_ids))


def _event_export(session: Session, scope: Scope) -> Exported:
    """Messages in and out, calls logged and notes, with who at the company wrote them."""
    rows = []
    for event, actor in session.execute(
            select(EnquiryEvent, User.full_name)
            .outerjoin(User, User.id == EnquiryEvent.actor_id)
            .where(EnquiryEvent.enquiry_id.in_(scope.enquiry_ids))
            .order_by(EnquiryEvent.enquiry_id, EnquiryEvent.occurred_at, EnquiryEvent.id)):
        row = _row(event)
        row["by"] = actor
        rows.append(row)
    return Exported(rows)


def _event_erase(session: Session, scope: Scope, erasure: Erasure) -> int:
    needles = _needles(scope)
    changed = 0
    for event in session.scalars(_events(scope)):
        body = ERASED if event.body else ""
        data = scrub(event.data or {}, needles)
        if body != event.body or data != event.data:
            event.body, event.data = body, data
            changed += 1
    session.flush()
    # Each enquiry says when and by whom its personal text went.
    session.add_all([EnquiryEvent(enquiry_id=enquiry_id, kind="note", actor_id=erasure.actor_id,
                                  body=erasure.note,
                                  data={"erasure_request_id": erasure.request_id})
                     for enquiry_id in scope.enquiry_ids])
    return changed


def _inbound_export(session: Session, scope: Scope) -> Exported:
    found = Exported()
    for message in session.scalars(select(InboundMessage).where(
            InboundMessage.id.in_(scope.inbound_ids)).order_by(InboundMessage.id)):
        row = _row(message, "raw", "sha256")
        if message.raw:
            path = f"messages/received-{message.id}.eml"
            found.files[path] = message.raw
            row["file"] = path
        found.rows.append(row)
    return found


def _inbound_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    changed = 0
    for message in session.scalars(select(InboundMessage).where(
            InboundMessage.id.in_(scope.inbound_ids))):
        # The digest of the raw message would still single it out: a digest of nothing
        # personal keeps the column unique.
        message.raw = b""
        message.sha256 = hashlib.sha256(f"erased inbound message {message.id}".encode()) \
            .hexdigest()
        message.message_id = None
        message.from_address = None
        message.subject = ERASED
        message.error = None
        if message.status in ("received", "quarantined"):
            message.status = "ignored"  # nothing is left to process
        changed += 1
    return changed


def _outbound_export(session: Session, scope: Scope) -> Exported:
    return Exported([_row(m) for m in session.scalars(select(OutboundMessage).where(
        OutboundMessage.id.in_(scope.outbound_ids)).order_by(OutboundMessage.id))])


def _outbound_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    if not scope.outbound_ids:
        return 0
    session.execute(update(OutboundMessage).where(
        OutboundMessage.id.in_(scope.outbound_ids), OutboundMessage.status.in_(UNSENT))
        .values(status="cancelled", next_attempt_at=None)
        .execution_options(synchronize_session=False))
    return _rowcount(session.execute(update(OutboundMessage).where(
        OutboundMessage.id.in_(scope.outbound_ids)).values(
        to_address=ERASED, subject=ERASED, body_text=ERASED, last_error=None)
        .execution_options(synchronize_session=False)))


def _attachments(scope: Scope) -> ColumnElement[bool]:
    return or_(Attachment.enquiry_id.in_(scope.enquiry_ids),
               Attachment.inbound_message_id.in_(scope.inbound_ids),
               Attachment.outbound_message_id.in_(scope.outbound_ids))


def _attachment_export(session: Session, scope: Scope) -> Exported:
    found = Exported()
    for item in session.scalars(select(Attachment).where(_attachments(scope))
                                .order_by(Attachment.id)):
        row = _row(item, "content")
        path = f"attachments/{item.id}-{_safe_name(item.filename)}"
        found.files[path] = item.content
        row["file"] = path
        found.rows.append(row)
    return found


def _attachment_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    return _rowcount(session.execute(delete(Attachment).where(_attachments(scope))
                                     .execution_options(synchronize_session=False)))


def _notification_export(session: Session, scope: Scope) -> Exported:
    return Exported([_row(n) for n in session.scalars(select(DocumentNotification).where(
        DocumentNotification.contact_id == scope.contact_id).order_by(DocumentNotification.id))])


def _notification_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    return _rowcount(session.execute(delete(DocumentNotification).where(
        DocumentNotification.contact_id == scope.contact_id)
        .execution_options(synchronize_session=False)))


def _audit_about(scope: Scope) -> ColumnElement[bool]:
    """Rows about the contact or their enquiries and messages, and rows whose before or
    after mention their address, number or name anywhere."""
    conditions: list[ColumnElement[bool]] = [
        (AuditLog.entity_type == "contact") & (AuditLog.entity_id == scope.contact_id),
        (AuditLog.entity_type == "enquiry") & AuditLog.entity_id.in_(scope.enquiry_ids),
        (AuditLog.entity_type == "inbound_message") & AuditLog.entity_id.in_(scope.inbound_ids),
        (AuditLog.entity_type == "outbound_message")
        & AuditLog.entity_id.in_(scope.outbound_ids),
    ]
    for column in (AuditLog.before, AuditLog.after):  # {"contact_id": 5, ...} of a caller
        for end in (",", "}"):
            conditions.append(cast(column, String).like(
                f'%"contact_id": {scope.contact_id}{end}%'))
    for needle in _needles(scope):
        # As JSON writes it (non-ASCII letters escaped), in either column.
        written = _like(json.dumps(needle)[1:-1])
        for column in (AuditLog.before, AuditLog.after):
            conditions.append(func.lower(cast(column, String)).like(
                f"%{written.lower()}%", escape="\\"))
    return or_(*conditions)


def _audit_export(session: Session, scope: Scope) -> Exported:
    return Exported([_row(a) for a in session.scalars(
        select(AuditLog).where(_audit_about(scope)).order_by(AuditLog.id))])


def _audit_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    needles = _needles(scope)
    changed = 0
    for row in session.scalars(select(AuditLog).where(_audit_about(scope))):
        before, after = audit._json(row.before), audit._json(row.after)
        cleaned = scrub(before, needles), scrub(after, needles)
        if cleaned != (before, after):
            row.before, row.after = cleaned
            changed += 1
    return changed


def _request_export(session: Session, scope: Scope) -> Exported:
    return Exported([_row(r) for r in session.scalars(select(ErasureRequest).where(
        ErasureRequest.contact_id == scope.contact_id).order_by(ErasureRequest.id))])


def _request_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    needles = _needles(scope)
    changed = 0
    for row in session.scalars(select(ErasureRequest).where(
            ErasureRequest.contact_id == scope.contact_id)):
        reason = scrub(row.reason, needles)
        if reason != row.reason:
            row.reason = reason
            changed += 1
    return changed


def _portal_accounts(scope: Scope) -> Any:
    return select(PortalAccount.id).where(PortalAccount.contact_id == scope.contact_id)


def _portal_export(session: Session, scope: Scope) -> Exported:
    """Their portal account (never its password hash) and when they were signed in."""
    rows = []
    for account in session.scalars(select(PortalAccount).where(
            PortalAccount.contact_id == scope.contact_id)):
        row = _row(account, "password_hash")
        row["sessions"] = [_row(p, "id") for p in session.scalars(
            select(PortalSession).where(PortalSession.account_id == account.id)
            .order_by(PortalSession.created_at))]
        rows.append(row)
    return Exported(rows)


def _portal_erase(session: Session, scope: Scope, _erasure: Erasure) -> int:
    """The account goes, with its links and sessions: it is nothing but personal data."""
    accounts = _portal_accounts(scope)
    session.execute(delete(PortalSession).where(PortalSession.account_id.in_(accounts)))
    session.execute(delete(PortalLink).where(PortalLink.account_id.in_(accounts)))
    return _rowcount(session.execute(delete(PortalAccount).where(
        PortalAccount.contact_id == scope.contact_id)))


def _ids(attribute: str) -> Callable[[Session, Scope], int]:
    return lambda _session, scope: len(getattr(scope, attribute))


# In the order an erasure runs them: what finds rows by the contact's details first, the
# contact itself last.
STEPS: list[Step] = [
    Step("outbound_messages", "E-mails sent or to be sent to them", _ids("outbound_ids"),
         _outbound_export, _outbound_erase),
    Step("attachments", "Attachments of their messages and enquiries",
         lambda s, scope: _count(s, select(Attachment.id).where(_attachments(scope))),
         _attachment_export, _attachment_erase),
    Step("inbound_messages", "Messages received from them (e-mail, fax, web form)",
         _ids("inbound_ids"), _inbound_export, _inbound_erase),
    Step("enquiry_events", "Messages, replies, calls and notes in their enquiries",
         lambda s, scope: _count(s, select(EnquiryEvent.id).where(
             EnquiryEvent.enquiry_id.in_(scope.enquiry_ids))),
         _event_export, _event_erase),
    Step("enquiries", "Their enquiries (kept for the company, their text erased)",
         _ids("enquiry_ids"), _enquiry_export, _enquiry_erase),
    Step("document_notifications", "Invoices and statements e-mailed to them",
         lambda s, scope: _count(s, select(DocumentNotification.id).where(
             DocumentNotification.contact_id == scope.contact_id)),
         _notification_export, _notification_erase),
    Step("audit_log", "Audit rows about them",
         lambda s, scope: _count(s, select(AuditLog.id).where(_audit_about(scope))),
         _audit_export, _audit_erase),
    Step("erasure_requests", "Requests to erase their data",
         lambda s, scope: _count(s, select(ErasureRequest.id).where(
             ErasureRequest.contact_id == scope.contact_id)),
         _request_export, _request_erase),
    Step("portal_accounts", "Their customer portal account and its sign-ins",
         lambda s, scope: _count(s, _portal_accounts(scope)), _portal_export, _portal_erase),
    Step("customers", "Their address or number on the company's record",
         _customer_count, _customer_export, _customer_erase),
    Step("contacts", "Contact details, portal tier and notification subscriptions",
         lambda _s, _scope: 1, _contact_export, _contact_erase),
]


# --- finding and showing a contact -------------------------------------------------------

@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    email: str | None
    phone: str | None
    customer_number: str
    customer_name: str
    is_active: bool
    erased: bool


@dataclass(frozen=True)
class Held:
    key: str
    title: str
    count: int


@dataclass(frozen=True)
class RequestRow:
    id: int
    version: int
    contact_id: int
    contact_name: str
    customer_number: str
    customer_name: str
    reason: str
    status: str
    requested_by_id: int | None
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


def find_contacts(*, session: Session, query: str, limit: int = FIND_LIMIT) -> list[ContactRow]:
    """Contacts by name (any case and accent), e-mail, phone, fax or customer number."""
    typed = query.strip()
    if len(typed) < 2:
        return []
    conditions: list[ColumnElement[bool]] = [
        Customer.customer_number == typed.upper().replace(" ", "")]
    folded = fold(typed)
    if folded:
        conditions.append(Contact.name_search.like(f"%{_like(folded)}%", escape="\\"))
        conditions.append(func.lower(Contact.first_name + " " + Contact.last_name)
                          .like(f"%{_like(typed.lower())}%", escape="\\"))
    if "@" in typed:
        conditions.append(Contact.email == typed.lower())
    if number := phones.normalise(typed):
        conditions.append(or_(Contact.phone == number, Contact.mobile == number,
                              Contact.fax == number))
    erased = select(ErasureRequest.contact_id).where(ErasureRequest.status == "erased")
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.phone,
               Customer.customer_number, Customer.name, Contact.is_active,
               Contact.id.in_(erased))
        .join(Customer, Customer.id == Contact.customer_id).where(or_(*conditions))
        .order_by(Customer.name, Contact.last_name, Contact.first_name, Contact.id)
        .limit(limit))
    return [ContactRow(r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4], r[5], r[6], bool(r[7]),
                       bool(r[8])) for r in rows]


def contact_row(*, session: Session, contact_id: int) -> ContactRow | None:
    erased = select(ErasureRequest.contact_id).where(ErasureRequest.status == "erased")
    r = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.phone,
               Customer.customer_number, Customer.name, Contact.is_active,
               Contact.id.in_(erased))
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.id == contact_id)).first()
    if r is None:
        return None
    return ContactRow(r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4], r[5], r[6], bool(r[7]),
                      bool(r[8]))


def _contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LookupError("This contact no longer exists.")
    return contact


def holdings(*, session: Session, contact_id: int) -> list[Held]:
    """What is held about the contact, table by table."""
    scope = _scope(session, _contact(session, contact_id))
    return [Held(step.key, step.title, step.count(session, scope)) for step in STEPS]


def shared_details(*, session: Session, contact_id: int) -> list[str]:
    """The contact's addresses and numbers that other contacts have too: an erasure clears
    them on this contact and leaves the others' (and what came from them) alone."""
    contact = _contact(session, contact_id)
    values = frozenset(v for v in (contact.email and contact.email.lower(), contact.phone,
                                   contact.mobile, contact.fax) if v)
    return sorted(_shared(session, contact, values))


def _requests(session: Session) -> Any:
    requester, decider = aliased(User), aliased(User)
    return (select(ErasureRequest, Contact.first_name, Contact.last_name,
                   Customer.customer_number, Customer.name, requester.full_name,
                   decider.full_name)
            .join(Contact, Contact.id == ErasureRequest.contact_id)
            .join(Customer, Customer.id == ErasureRequest.customer_id)
            .outerjoin(requester, requester.id == ErasureRequest.requested_by_id)
            .outerjoin(decider, decider.id == ErasureRequest.decided_by_id))


def _request_rows(session: Session, query: Any) -> list[RequestRow]:
    return [RequestRow(r.id, r.version, r.contact_id, f"{first} {last}".strip(), number, name,
                       r.reason, r.status, r.requested_by_id, by, r.requested_at, decider,
                       r.decided_at)
            for r, first, last, number, name, by, decider in session.execute(query)]


def requests(*, session: Session, status: str | None = None,
             contact_id: int | None = None, limit: int = 100) -> list[RequestRow]:
    """Erasure requests, newest first."""
    query = _requests(session)
    if status is not None:
        query = query.where(ErasureRequest.status == status)
    if contact_id is not None:
        query = query.where(ErasureRequest.contact_id == contact_id)
    return _request_rows(session, query.order_by(ErasureRequest.requested_at.desc(),
                                                 ErasureRequest.id.desc()).limit(limit))


# --- export ------------------------------------------------------------------------------

def export_contact(*, session: Session, contact_id: int, by: UserInfo, now: datetime) -> bytes:
    """Everything held about the contact as a ZIP: ``contact.json`` (one section per table)
    and the files (messages as received, attachments). The export itself is audited."""
    _admin_only(by)
    contact = _contact(session, contact_id)
    scope = _scope(session, contact)
    sections: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for step in STEPS:
        found = step.export(session, scope)
        sections[step.key] = found.rows
        files.update(found.files)
    document = {
        "exported_at": now.isoformat(),
        "exported_by": by.full_name,
        "about": "Personal data held about one contact, table by table. Files named in a "
                 "row's \"file\" are in this archive.",
        **sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contact.json", json.dumps(document, indent=2, ensure_ascii=False,
                                                    default=str))
        for path, content in files.items():
            archive.writestr(path, content)
    audit.record(session=session, action="contact_exported", user_id=by.id,
                 username=by.username, entity_type="contact", entity_id=contact_id,
                 after={"files": len(files),
                        "rows": {k: len(v) for k, v in sections.items()}})
    return buffer.getvalue()


def export_file_name(*, session: Session, contact_id: int, now: datetime) -> str:
    number = session.scalar(select(Customer.customer_number).join(
        Contact, Contact.customer_id == Customer.id).where(Contact.id == contact_id))
    return f"contact-{number or 'unknown'}-{contact_id}-{now:%Y%m%d}.zip"


# --- erasure -----------------------------------------------------------------------------

def _admin_only(by: UserInfo) -> None:
    if not by.has_role("admin"):
        raise ValidationError(["Only an administrator can do this."])


def request_erasure(*, session: Session, contact_id: int, reason: str, by: UserInfo,
                    now: datetime) -> int:
    """Ask for the contact's data to be erased; another administrator must confirm it.
    Returns the request's id."""
    _admin_only(by)
    reason = " ".join(reason.split())
    problems = []
    if len(reason) < REASON_MIN:
        problems.append(f"Say why in at least {REASON_MIN} characters (for example: the "
                        "person's request of 28/11/2026 by e-mail).")
    problems += text_limits.problems(ErasureRequest, {"reason": reason})
    if problems:
        raise ValidationError(problems)
    contact = _contact(session, contact_id)
    open_one = session.scalar(select(ErasureRequest.status).where(
        ErasureRequest.contact_id == contact_id,
        ErasureRequest.status.in_(("pending", "erased"))))
    if open_one == "erased":
        raise ValidationError(["This contact's data are already erased."])
    if open_one == "pending":
        raise ValidationError(["An erasure of this contact is already waiting for "
                               "confirmation."])
    request = ErasureRequest(contact_id=contact_id, customer_id=contact.customer_id,
                             reason=reason, status="pending", requested_by_id=by.id,
                             requested_at=now)
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError as exc:  # another administrator asked at the same moment
        raise ValidationError(["An erasure of this contact is already waiting for "
                               "confirmation."]) from exc
    audit.record(session=session, action="erasure_requested", user_id=by.id,
                 username=by.username, entity_type="contact", entity_id=contact_id,
                 after={"request_id": request.id, "reason": reason})
    return request.id


def _stale(session: Session, request_id: int) -> Callable[[], str]:
    def message() -> str:
        row = session.execute(
            select(ErasureRequest.status, User.full_name, ErasureRequest.decided_at)
            .outerjoin(User, User.id == ErasureRequest.decided_by_id)
            .where(ErasureRequest.id == request_id)).first()
        if row is None:
            return "This erasure request no longer exists."
        status, who, at = row
        if status == "erased":
            return f"This erasure was already confirmed by {who or 'someone'} at {when(at)}."
        if status == "withdrawn":
            return f"This erasure was withdrawn by {who or 'someone'} at {when(at)}."
        return "This erasure request was changed by someone else — reload."
    return message


def _load_request(session: Session, request_id: int) -> ErasureRequest:
    request = session.get(ErasureRequest, request_id)
    if request is None:
        raise LookupError("This erasure request no longer exists.")
    return request


def confirm_erasure(*, session: Session, request_id: int, expected_version: int, by: UserInfo,
                    now: datetime) -> dict[str, int]:
    """Erase the contact's personal data for good, as requested by another administrator.
    Returns the rows changed per table. Cannot be undone."""
    _admin_only(by)
    request = _load_request(session, request_id)
    if request.status != "pending" or request.version != expected_version:
        raise StaleEditError(_stale(session, request_id)())
    if request.requested_by_id == by.id:
        raise ValidationError(["You asked for this erasure yourself: another administrator "
                               "must confirm it."])
    requester = session.scalar(select(User.full_name).where(
        User.id == request.requested_by_id)) or "an administrator"
    # The claim: only one confirmation passes (the version), before anything is erased.
    write_if_unchanged(session, request, expected_version, _stale(session, request_id),
                       status="erased", decided_by_id=by.id, decided_at=now)
    contact = _contact(session, request.contact_id)
    scope = _scope(session, contact)
    note = (f"Personal data of the contact erased on {when(now)}: requested by {requester}, "
            f"confirmed by {by.full_name}.")
    erasure = Erasure(request.id, by.id, note)
    erased = {step.key: step.erase(session, scope, erasure) for step in STEPS}
    request.erased = erased
    session.flush()
    audit.record(session=session, action="contact_erased", user_id=by.id, username=by.username,
                 entity_type="contact", entity_id=request.contact_id,
                 after={"request_id": request.id, "requested_by": requester, "erased": erased})
    return erased


def withdraw_erasure(*, session: Session, request_id: int, expected_version: int, by: UserInfo,
                     now: datetime) -> None:
    """Call off a pending erasure (either administrator may): nothing was erased."""
    _admin_only(by)
    request = _load_request(session, request_id)
    if request.status != "pending" or request.version != expected_version:
        raise StaleEditError(_stale(session, request_id)())
    write_if_unchanged(session, request, expected_version, _stale(session, request_id),
                       status="withdrawn", decided_by_id=by.id, decided_at=now)
    audit.record(session=session, action="erasure_withdrawn", user_id=by.id,
                 username=by.username, entity_type="contact", entity_id=request.contact_id,
                 after={"request_id": request.id})


def is_erased(*, session: Session, contact_id: int) -> bool:
    return session.scalar(select(ErasureRequest.id).where(
        ErasureRequest.contact_id == contact_id, ErasureRequest.status == "erased")) is not None

