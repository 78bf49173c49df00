"""From received bytes to an enquiry: store raw, parse, thread or create, route (DESIGN §2.5).

The order is what makes "a message is never lost" true:

1. ``store_raw`` keeps the exact bytes in ``inbound_messages`` (status ``received``) and the
   caller commits that on its own, before anything reads the message. A re-delivery or a
   re-import finds the row by hash or Message-ID and adds nothing.
2. ``process`` parses and acts inside a savepoint. Whatever goes wrong rolls back to the
   savepoint and marks the message ``quarantined`` with the error text; the raw bytes stay.
   It threads the message onto an enquiry (In-Reply-To/References against our inbound and
   outbound Message-IDs, then ``[ENQ-…]`` in the subject), notes an automatic message
   (``ignored``), or creates, links and routes a new enquiry.
3. ``receive`` does both, each in its own transaction, for the SMTP listener, the importer
   and the web form.

Functions for the "Intake problems" view (``quarantine_list``, ``raw_message``,
``reprocess``, ``make_enquiry_by_hand``) return frozen dataclasses.

What is recorded: ``inbound_messages.status`` is ``processed`` (with the enquiry), ``ignored``
(``error`` says why: an auto-reply, a bounce…; with the enquiry it was noted on, if any) or
``quarantined`` (``error`` holds the exception and the last frames). The ``message_in`` event
of the message that opened an enquiry has ``data["opened"] = True``; a fax's inbound row gets
source ``fax`` and the fax number as its sender, as the demo data has them.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.intake import classify, mime
from dashboard.intake import settings as intake_settings
from dashboard.intake.mime import AttachmentData, ParsedMessage
from dashboard.services import audit, sla, workflow
from dashboard.services.enquiries import CATEGORY_FOR_DOCUMENT, insert_with_reference, route_team
from dashboard.services.errors import ValidationError
from dashboard.services.search import normalise_phone
from dashboard.services.users import UserInfo
from db.models import (
    CATEGORIES,
    INBOUND_SOURCES,
    OPEN_ENQUIRY_STATUSES,
    Attachment,
    Contact,
    Contract,
    Customer,
    Enquiry,
    EnquiryEvent,
    InboundMessage,
    InstalledItem,
    Invoice,
    Order,
    OutboundMessage,
    Team,
    User,
)
from db.types import utcnow

logger = logging.getLogger(__name__)

CREATED, THREADED, IGNORED, QUARANTINED, PENDING = (
    "created", "threaded", "ignored", "quarantined", "pending")
RESULTS = (CREATED, THREADED, IGNORED, QUARANTINED, PENDING)
MAX_THREAD_IDS = 50
MAX_MERGE_HOPS = 10
MAX_ERROR_CHARS = 4000
LIST_LIMIT = 50
DOCUMENT_KINDS = ("order", "invoice", "contract", "item")
LINK_COLUMNS = {"order": "order_id", "invoice": "invoice_id", "contract": "contract_id",
                "item": "installed_item_id"}


@dataclass(frozen=True)
class Outcome:
    """What became of one inbound message."""

    inbound_id: int
    result: str  # created, threaded, ignored, quarantined or pending
    enquiry_id: int | None = None
    reference: str | None = None
    detail: str = ""  # why it was ignored, or the error that quarantined it
    duplicate: bool = False  # received before (same bytes, or same Message-ID and content)
    reuses_message_id_of: int | None = None  # an earlier, different message with its ID


@dataclass(frozen=True)
class InboundSummary:
    """One stored message as the "Intake problems" view lists it (without the bytes)."""

    id: int
    received_at: datetime
    source: str
    status: str
    message_id: str | None
    from_address: str | None
    subject: str | None
    error: str | None
    size_bytes: int
    enquiry_id: int | None


# --- 1. store -----------------------------------------------------------------------------

def _quick_facts(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """Message-ID, sender and subject read from the header bytes; None where unreadable."""
    try:
        message_id = mime.first_message_id(mime.quick_header(raw, "Message-ID"))
    except Exception:  # storing must not depend on the message being sane
        message_id = None
    try:
        name, address = mime.sender(mime.quick_header(raw, "From"))
        from_address = address or name or None
    except Exception:
        from_address = None
    try:
        subject = mime.decode_header(mime.quick_header(raw, "Subject")) or None
    except Exception:
        subject = None
    return (message_id[:300] if message_id else None,
            from_address[:254] if from_address else None,
            subject[:400] if subject else None)


def store_raw(session: Session, raw: bytes, source: str, *,
              received_at: datetime | None = None) -> tuple[InboundMessage, bool]:
    """Keep the bytes as received; ``(row, False)`` when this message was stored before.

    Stored before means the same bytes, or the same Message-ID with the same content
    (:func:`mime.content_digest`: a re-delivery through another relay). A message that
    reuses a Message-ID with other content is another message: it is stored, and the reuse
    is audited here and noted on its enquiry when it is processed. The caller commits,
    before it parses anything, so that a failure later can never lose the message.
    """
    if source not in INBOUND_SOURCES:
        raise ValueError(f"Source must be one of {', '.join(INBOUND_SOURCES)}.")
    data = bytes(raw)
    digest = hashlib.sha256(data).hexdigest()
    message_id, from_address, subject = _quick_facts(data)
    existing = session.scalar(select(InboundMessage).where(InboundMessage.sha256 == digest))
    if existing is not None:
        return existing, False
    reused_by: list[int] = []
    if message_id:
        content = mime.content_digest(data)
        for earlier_id, earlier_raw in session.execute(
                select(InboundMessage.id, InboundMessage.raw)
                .where(InboundMessage.message_id == message_id).order_by(InboundMessage.id)):
            if mime.content_digest(bytes(earlier_raw)) == content:
                earlier = session.get(InboundMessage, earlier_id)
                assert earlier is not None
                return earlier, False
            reused_by.append(earlier_id)
    inbound = InboundMessage(
        sha256=digest, message_id=message_id, source=source, raw=data,
        received_at=received_at or utcnow(), from_address=from_address, subject=subject,
        status="received")
    try:
        with session.begin_nested():
            session.add(inbound)
            session.flush()
    except IntegrityError:  # another receiver stored the same bytes a moment ago
        existing = session.scalar(select(InboundMessage).where(InboundMessage.sha256 == digest))
        if existing is None:
            raise
        return existing, False
    if reused_by:
        logger.warning("Message %s reuses the Message-ID %s of message(s) %s with other "
                       "content; kept as a message of its own", inbound.id, message_id,
                       reused_by)
        audit.record(session=session, action="intake_message_id_reused",
                     entity_type="inbound_message", entity_id=inbound.id,
                     after={"message_id": message_id, "earlier_inbound_ids": reused_by})
    return inbound, True


def earlier_with_same_message_id(session: Session, inbound: InboundMessage) -> int | None:
    """The first message stored before this one under the same Message-ID (with other
    content, or it would not have been stored again), if any."""
    if not inbound.message_id:
        return None
    found: int | None = session.scalar(
        select(InboundMessage.id).where(InboundMessage.message_id == inbound.message_id,
                                        InboundMessage.id < inbound.id)
        .order_by(InboundMessage.id).limit(1))
    return found


# --- 2. process ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Sender:
    contact: Contact | None
    customer: Customer | None
    by_email: bool = False
    number: str | None = None  # the number (E.164) it was matched by


def _fax_number(fax: classify.FaxMatch, who: _Sender) -> str:
    """The fax's sender number: the one a contact or customer was found by, else the first
    number read, else the text as the gateway wrote it."""
    return who.number or fax.number or fax.number_text


@dataclass(frozen=True)
class _Document:
    kind: str  # order, invoice, contract, item, customer
    id: int
    customer_id: int
    position: int


def process(session: Session, inbound_id: int, now: datetime,
            config: intake_settings.IntakeSettings | None = None) -> Outcome:
    """Parse and file one stored message, in a savepoint of the caller's transaction.

    A message that is not ``received`` any more is left alone and its outcome returned, so
    processing twice does nothing twice. ``config`` saves reading the settings again when
    many messages are processed in a row.
    """
    inbound = session.get(InboundMessage, inbound_id)
    if inbound is None:
        raise LookupError(f"No inbound message {inbound_id}.")
    if inbound.status != "received":
        return outcome_of(session, inbound)
    try:
        with session.begin_nested():
            outcome = _process(session, inbound, now,
                               config or intake_settings.load(session))
            earlier = earlier_with_same_message_id(session, inbound)
            if earlier is not None:
                outcome = _note_reused_message_id(session, inbound, earlier, outcome)
            if outcome.result == IGNORED:  # created and threaded ones are audited as such
                audit.record(session=session, action="intake_ignored",
                             entity_type="inbound_message", entity_id=inbound.id,
                             after={"reason": outcome.detail, "enquiry_id": outcome.enquiry_id})
    except Exception as exc:  # anything that fails is kept in quarantine
        logger.warning("Inbound message %s quarantined: %s", inbound_id, exc)
        return quarantine(session, inbound_id, exc)
    return outcome


def _note_reused_message_id(session: Session, inbound: InboundMessage, earlier_id: int,
                            outcome: Outcome) -> Outcome:
    """Say on the enquiry that this message shares its Message-ID with another one, so
    nobody takes the two for one (the audit log has it from when it was stored)."""
    if outcome.enquiry_id is not None:
        session.add(EnquiryEvent(
            enquiry_id=outcome.enquiry_id, occurred_at=inbound.received_at, kind="note",
            actor_id=None, inbound_message_id=inbound.id,
            body=(f"This message has the same Message-ID ({inbound.message_id}) as an "
                  f"earlier, different message (intake message {earlier_id}); both are kept."),
            data={"message_id_reused": inbound.message_id, "earlier_inbound_id": earlier_id}))
    return replace(outcome, reuses_message_id_of=earlier_id)


def quarantine(session: Session, inbound_id: int, exc: BaseException) -> Outcome:
    """Mark a stored message as quarantined with the error that stopped it."""
    inbound = session.get(InboundMessage, inbound_id, populate_existing=True)
    if inbound is None:
        raise LookupError(f"No inbound message {inbound_id}.")
    detail = mime.clean_text(f"{type(exc).__name__}: {exc}")
    frames = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4))
    inbound.status = "quarantined"
    inbound.error = mime.clean_text(f"{detail}\n\n{frames}")[:MAX_ERROR_CHARS]
    inbound.enquiry_id = None
    inbound.processed_at = None
    session.flush()
    audit.record(session=session, action="intake_quarantined", entity_type="inbound_message",
                 entity_id=inbound_id, after={"error": detail[:400]})
    return Outcome(inbound_id, QUARANTINED, detail=detail)


def _process(session: Session, inbound: InboundMessage, now: datetime,
             config: intake_settings.IntakeSettings) -> Outcome:
    parsed = mime.parse(inbound.raw)
    if parsed.subject:
        inbound.subject = parsed.subject[:400]
    if parsed.from_address:
        inbound.from_address = parsed.from_address[:254]
    is_web = inbound.source == "web"
    fax = None if is_web else classify.match_fax(parsed, list(config.fax_patterns))
    automatic = None
    if fax is None and not is_web:
        automatic = classify.automatic_reason(parsed, config.own_addresses, config.automatic)
    who = _match_sender(session, parsed, fax, is_web)
    if fax is not None:
        inbound.source = "fax"
        inbound.from_address = (_fax_number(fax, who) or inbound.from_address or "")[
            :254] or None
    target, ours = _thread_target(session, parsed, who)
    if ours and automatic is None and fax is None and not is_web:
        automatic = "our own outgoing message"
    if target is not None:
        if automatic is not None and config.automatic.note_on_enquiry:
            return _note_automatic(session, inbound, target, parsed, automatic, now)
        if automatic is not None:
            inbound.status, inbound.error, inbound.processed_at = "ignored", automatic, now
            return Outcome(inbound.id, IGNORED, detail=automatic)
        return _thread(session, inbound, target, parsed, fax, now)
    if automatic is not None:
        inbound.status, inbound.error, inbound.processed_at = "ignored", automatic, now
        return Outcome(inbound.id, IGNORED, detail=automatic)
    channel = "fax" if fax else "web" if is_web else "email"
    from_address = _fax_number(fax, who) if fax else parsed.from_address
    enquiry = _create(session, config, inbound, parsed, who, channel, from_address,
                      _text(parsed, fax), now)
    return Outcome(inbound.id, CREATED, enquiry.id, enquiry.reference)


def _text(parsed: ParsedMessage, fax: classify.FaxMatch | None) -> str:
    if parsed.body.strip():
        return parsed.body.strip()
    if fax is not None:
        return f"Fax received through {fax.gateway} from {fax.number_text or 'an unknown number'}."
    return "(no text)"


# --- sender and documents -----------------------------------------------------------------

def _contact_by(session: Session, *conditions: ColumnElement[bool]) -> _Sender | None:
    """The best contact matching (active, then primary, then oldest) with its customer."""
    row = session.execute(
        select(Contact, Customer).join(Customer, Customer.id == Contact.customer_id)
        .where(*conditions)
        .order_by(Contact.is_active.desc(), Contact.is_primary.desc(), Contact.id).limit(1)
    ).first()
    return _Sender(row[0], row[1]) if row is not None else None


def _match_sender(session: Session, parsed: ParsedMessage, fax: classify.FaxMatch | None,
                  is_web: bool) -> _Sender:
    if fax is not None:
        for number in fax.numbers:  # the subject's number, then the caller-ID lines
            by_number = _match_number(session, number, ("fax", "phone", "mobile"))
            if by_number.contact is not None or by_number.customer is not None:
                return by_number
        return _Sender(None, None)
    customer = None
    if is_web:
        number = parsed.header("x-csol-customer-number").strip().upper()
        if number:
            customer = session.scalar(select(Customer).where(Customer.customer_number == number))
    address = parsed.from_address
    if address:
        conditions: list[ColumnElement[bool]] = [Contact.email == address]
        if customer is not None:
            conditions.append(Contact.customer_id == customer.id)
        found = _contact_by(session, *conditions)
        if found is not None:
            return replace(found, by_email=True)
    if is_web:
        phone = normalise_phone(parsed.header("x-csol-phone")) if parsed.header(
            "x-csol-phone") else None
        by_phone = _match_number(session, phone, ("phone", "mobile"))
        if by_phone.contact is not None and (customer is None
                                             or by_phone.contact.customer_id == customer.id):
            return by_phone
    if customer is None and address:
        customer = session.scalars(select(Customer).where(func.lower(Customer.email) == address)
                                   .order_by(Customer.id).limit(1)).first()
    return _Sender(None, customer)


def _match_number(session: Session, number: str | None, columns: Iterable[str]) -> _Sender:
    """A contact by fax, then phone, then mobile number; else the company's own number."""
    if not number:
        return _Sender(None, None)
    for column in columns:
        found = _contact_by(session, getattr(Contact, column) == number)
        if found is not None:
            return replace(found, number=number)
    customer = session.scalars(select(Customer).where(Customer.phone == number)
                               .order_by(Customer.id).limit(1)).first()
    return _Sender(None, customer, number=number if customer is not None else None)


def _documents(session: Session, mentions: list[classify.Mention]) -> list[_Document]:
    """The mentioned numbers that exist, with their owners, in the order they were named."""
    by_kind: dict[str, dict[str, int]] = {}
    for mention in mentions:
        by_kind.setdefault(mention.kind, {}).setdefault(mention.value, mention.position)
    found: list[_Document] = []

    def add(kind: str, rows: Iterable[tuple[int, int, str]], positions: dict[str, int]) -> None:
        found.extend(_Document(kind, row_id, owner, positions[value])
                     for row_id, owner, value in rows if value in positions)

    if orders := by_kind.get("order"):
        add("order", session.execute(select(Order.id, Order.customer_id, Order.order_number)
                                     .where(Order.order_number.in_(orders))), orders)
    if invoices := by_kind.get("invoice"):
        add("invoice", session.execute(select(Invoice.id, Invoice.customer_id, Invoice.number)
                                       .where(Invoice.number.in_(invoices))), invoices)
    if references := by_kind.get("payment_reference"):
        add("invoice", session.execute(
            select(Invoice.id, Invoice.customer_id, Invoice.payment_reference)
            .where(Invoice.payment_reference.in_(references))), references)
    if contracts := by_kind.get("contract"):
        add("contract", session.execute(
            select(Contract.id, Contract.customer_id, Contract.contract_number)
            .where(Contract.contract_number.in_(contracts))), contracts)
    if serials := by_kind.get("item"):
        add("item", session.execute(
            select(InstalledItem.id, InstalledItem.customer_id, InstalledItem.serial_number)
            .where(InstalledItem.serial_number.in_(serials))), serials)
    if customers := by_kind.get("customer"):
        add("customer", session.execute(
            select(Customer.id, Customer.id, Customer.customer_number)
            .where(Customer.customer_number.in_(customers))), customers)
    found.sort(key=lambda d: d.position)
    return found


# --- threading ----------------------------------------------------------------------------

def _follow_merges(session: Session, enquiry: Enquiry) -> Enquiry:
    for _ in range(MAX_MERGE_HOPS):
        if enquiry.merged_into_id is None:
            break
        target = session.get(Enquiry, enquiry.merged_into_id)
        if target is None:
            break
        enquiry = target
    return enquiry


def _thread_target(session: Session, parsed: ParsedMessage, who: _Sender
                   ) -> tuple[Enquiry | None, bool]:
    """The enquiry this message answers: by its headers, else by ``[ENQ-…]`` in the subject;
    and whether the message is one of our own outgoing ones (a mail loop).

    Headers carry Message-IDs nobody can guess, so they are trusted; a subject tag is
    followed only when the sender is not known as a contact of a different customer.
    """
    wanted = list(dict.fromkeys([*reversed(parsed.in_reply_to),
                                 *reversed(parsed.references)]))[:MAX_THREAD_IDS]
    wanted = [mid for mid in wanted if mid != parsed.message_id]
    own = [parsed.message_id] if parsed.message_id else []
    known: dict[str, int] = {}
    ours = False
    if wanted or own:
        for message_id, enquiry_id in session.execute(
                select(OutboundMessage.message_id, OutboundMessage.enquiry_id)
                .where(OutboundMessage.message_id.in_(wanted + own))):
            if message_id in own:
                ours = True
            elif enquiry_id is not None:
                known.setdefault(message_id, enquiry_id)
    if wanted:
        for inbound_message_id, inbound_enquiry_id in session.execute(
                select(InboundMessage.message_id, InboundMessage.enquiry_id)
                .where(InboundMessage.message_id.in_(wanted),
                       InboundMessage.enquiry_id.is_not(None)).order_by(InboundMessage.id)):
            if inbound_message_id is not None and inbound_enquiry_id is not None:
                known.setdefault(inbound_message_id, inbound_enquiry_id)
        for message_id in wanted:
            if message_id in known:
                enquiry = session.get(Enquiry, known[message_id])
                if enquiry is not None:
                    return _follow_merges(session, enquiry), ours
    sender_customer = who.contact.customer_id if who.contact is not None else None
    for tag in classify.enquiry_tags(parsed.subject):
        enquiry = session.scalar(select(Enquiry).where(Enquiry.reference == tag))
        if enquiry is None:
            continue
        enquiry = _follow_merges(session, enquiry)
        if (sender_customer is not None and enquiry.customer_id is not None
                and enquiry.customer_id != sender_customer):
            logger.info("Tag %s from a contact of another customer: not threaded", tag)
            continue
        return enquiry, ours
    return None, ours


def _thread(session: Session, inbound: InboundMessage, enquiry: Enquiry,
            parsed: ParsedMessage, fax: classify.FaxMatch | None, now: datetime) -> Outcome:
    workflow.record_customer_message(session=session, enquiry_id=enquiry.id,
                                     inbound_message_id=inbound.id,
                                     body=_text(parsed, fax), now=inbound.received_at)
    _attach(session, parsed.attachments, inbound.id, enquiry.id)
    inbound.status, inbound.enquiry_id, inbound.processed_at = "processed", enquiry.id, now
    return Outcome(inbound.id, THREADED, enquiry.id, enquiry.reference)


def _note_automatic(session: Session, inbound: InboundMessage, enquiry: Enquiry,
                    parsed: ParsedMessage, reason: str, now: datetime) -> Outcome:
    """An auto-reply or bounce about an enquiry: noted on it, nothing reopened or sent."""
    session.add(EnquiryEvent(
        enquiry_id=enquiry.id, occurred_at=inbound.received_at, kind="note", actor_id=None,
        body=f"Automatic message received ({reason}): {parsed.subject or '(no subject)'}",
        data={"automatic": reason, "from": parsed.from_address},
        inbound_message_id=inbound.id))
    inbound.status, inbound.error = "ignored", reason
    inbound.enquiry_id, inbound.processed_at = enquiry.id, now
    return Outcome(inbound.id, IGNORED, enquiry.id, enquiry.reference, detail=reason)


# --- new enquiries ------------------------------------------------------------------------

def _attach(session: Session, attachments: Iterable[AttachmentData], inbound_id: int,
            enquiry_id: int) -> None:
    session.add_all(Attachment(
        enquiry_id=enquiry_id, inbound_message_id=inbound_id, filename=a.filename[:255],
        content_type=a.content_type[:120], size_bytes=len(a.content),
        sha256=hashlib.sha256(a.content).hexdigest(), content=a.content)
        for a in attachments)


def _links(documents: list[_Document], customer_id: int | None
           ) -> tuple[dict[str, int], str | None]:
    """The first document of each kind that belongs to the customer, and the kind named
    first (which decides the category)."""
    links: dict[str, int] = {}
    first_kind = None
    for document in documents:
        if (customer_id is None or document.customer_id != customer_id
                or document.kind not in DOCUMENT_KINDS):
            continue
        first_kind = first_kind or document.kind
        links.setdefault(document.kind, document.id)
    return links, first_kind


def least_loaded_member(session: Session, team_id: int, language: str,
                        match_language: bool) -> int | None:
    """The active representative of the team with the fewest open enquiries; with
    ``match_language``, one who works in the enquiry's language when the team has one."""
    open_load = (select(func.count()).select_from(Enquiry)
                 .where(Enquiry.assignee_id == User.id,
                        Enquiry.status.in_(OPEN_ENQUIRY_STATUSES))
                 .correlate(User).scalar_subquery())
    members = session.execute(
        select(User.id, User.role, User.language, open_load)
        .where(User.team_id == team_id, User.is_active.is_(True))).all()
    candidates = [m for m in members if m.role == "rep"] or list(members)
    if match_language:
        candidates = [m for m in candidates if m.language == language] or candidates
    if not candidates:
        return None
    best: int = min(candidates, key=lambda m: (m[3], m.id)).id
    return best


def _subject(parsed: ParsedMessage, text: str) -> str:
    subject = classify.clean_subject(parsed.subject)
    if not subject:
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        subject = first_line[:80] or "(no subject)"
    return subject[:200]


def _language(parsed: ParsedMessage, contact: Contact | None, customer: Customer | None,
              channel: str) -> str:
    """Detected from the sender's own words with the language on file (the contact's, else
    the customer's) as the prior; else the one on file."""
    on_file = (contact.language if contact is not None
               else customer.language if customer is not None else None)
    if channel == "fax":  # the text is the gateway's, not the customer's
        return on_file or classify.detect_language(parsed.body) or "en"
    detected = classify.detect_language(
        f"{classify.clean_subject(parsed.subject)}\n{classify.own_words(parsed.body)}",
        prior=on_file)
    return detected or on_file or "en"


def _create(session: Session, config: intake_settings.IntakeSettings, inbound: InboundMessage,
            parsed: ParsedMessage, who: _Sender, channel: str, from_address: str | None,
            text: str, now: datetime, *, by_hand: bool = False, customer_id: int | None = None,
            subject: str | None = None, category: str | None = None) -> Enquiry:
    """A new enquiry for the message: customer and contact, linked documents, language,
    category, SLA, team and (with ``auto_assign``) the least-loaded representative.

    By hand the representative's customer (or none) is taken as given; otherwise the
    sender's customer, else the owner of the first document the message names.
    """
    documents = _documents(session, classify.document_mentions(f"{parsed.subject}\n{text}"))
    if by_hand:
        chosen_customer = customer_id
    else:
        chosen_customer = who.customer.id if who.customer is not None else None
        if chosen_customer is None and documents:
            chosen_customer = documents[0].customer_id
    links, first_kind = _links(documents, chosen_customer)
    customer = session.get(Customer, chosen_customer) if chosen_customer else None
    contact = who.contact if (who.contact is not None and customer is not None
                              and who.contact.customer_id == customer.id) else None
    language = _language(parsed, contact, customer, channel)
    if category is None:
        category = (CATEGORY_FOR_DOCUMENT[first_kind] if first_kind
                    else classify.guess_category(parsed.subject, text))
    policy = sla.policy_for(session=session, priority="normal", channel=channel,
                            segment=customer.segment if customer else None)
    due = sla.deadlines(inbound.received_at, policy)
    team_id = route_team(session=session, category=category, language=language)
    assignee_id = (least_loaded_member(session, team_id, language, config.match_language)
                   if config.auto_assign and team_id is not None else None)
    enquiry = Enquiry(
        subject=subject or _subject(parsed, text), channel=channel, category=category,
        priority="normal", status="open" if assignee_id else "new", language=language,
        customer_id=customer.id if customer else None,
        contact_id=contact.id if contact else None,
        from_address=from_address[:254] if from_address else None,
        verification="email_on_file" if contact is not None and who.by_email
        and channel == "email" else "none",
        team_id=team_id, assignee_id=assignee_id,
        sla_policy_id=policy.id if policy else None, created_at=inbound.received_at,
        updated_at=now, **due.values(),
        **{LINK_COLUMNS[kind]: document_id for kind, document_id in links.items()},
    )
    insert_with_reference(session, enquiry, inbound.received_at)
    session.add(EnquiryEvent(
        enquiry_id=enquiry.id, occurred_at=inbound.received_at, kind="message_in",
        actor_id=None, body=text, inbound_message_id=inbound.id,
        data={"channel": channel, "from": from_address, "subject": parsed.subject[:400],
              "opened": True}))
    if assignee_id is not None:
        session.add(EnquiryEvent(enquiry_id=enquiry.id, occurred_at=now, kind="assignment",
                                 actor_id=None, data={"from": None, "to": assignee_id,
                                                      "auto": True}))
    _attach(session, parsed.attachments, inbound.id, enquiry.id)
    inbound.status, inbound.enquiry_id, inbound.processed_at = "processed", enquiry.id, now
    inbound.error = None
    audit.record(session=session, action="enquiry_received", entity_type="enquiry",
                 entity_id=enquiry.id,
                 after={"reference": enquiry.reference, "channel": channel,
                        "category": category, "inbound_message_id": inbound.id,
                        "assignee_id": assignee_id})
    return enquiry


# --- what intake would do, without storing anything ---------------------------------------

@dataclass(frozen=True)
class DryRun:
    """What processing a message would do, worked out by the same steps and read-only."""

    sender: str
    subject: str
    fax_gateway: str | None  # the gateway that took it for a fax, or None: e-mail
    fax_number: str | None   # the fax's sender number (E.164 where it could be read)
    automatic: str | None    # why it would be set aside as automatic mail
    contact: str | None      # "name (customer name, C…)" found for the sender
    customer: str | None     # "customer name (C…)"
    matched_by: str | None   # what the contact or customer was found by
    thread_reference: str | None  # the enquiry it would join
    result: str              # created, threaded or ignored
    channel: str | None = None
    category: str | None = None
    language: str | None = None
    team: str | None = None
    links: tuple[str, ...] = ()  # the business numbers it would link


def dry_run(session: Session, raw: bytes, source: str = "smtp",
            config: intake_settings.IntakeSettings | None = None) -> DryRun:
    """Parse and classify ``raw`` exactly as ``process`` would and say what would become of
    it; nothing is written. Raises ``mime.UnreadableMessage`` for bytes that are no message."""
    config = config or intake_settings.load(session)
    parsed = mime.parse(raw)
    is_web = source == "web"
    fax = None if is_web else classify.match_fax(parsed, list(config.fax_patterns))
    automatic = None
    if fax is None and not is_web:
        automatic = classify.automatic_reason(parsed, config.own_addresses, config.automatic)
    who = _match_sender(session, parsed, fax, is_web)
    target, ours = _thread_target(session, parsed, who)
    if ours and automatic is None and fax is None and not is_web:
        automatic = "our own outgoing message"
    sender = (f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name
              and parsed.from_address else parsed.from_address or parsed.from_name)
    customer = who.customer
    contact_text = None
    if who.contact is not None and customer is not None:
        contact_text = (f"{who.contact.full_name} ({customer.name}, "
                        f"{customer.customer_number})")
    matched_by = (f"the e-mail address {parsed.from_address}" if who.by_email
                  else f"the number {who.number}" if who.number
                  else None)
    base = DryRun(
        sender=sender, subject=parsed.subject, fax_gateway=fax.gateway if fax else None,
        fax_number=(_fax_number(fax, who) or None) if fax else None, automatic=automatic,
        contact=contact_text,
        customer=f"{customer.name} ({customer.customer_number})" if customer else None,
        matched_by=matched_by if (who.contact or customer) else None,
        thread_reference=None, result=IGNORED)
    if target is not None:
        noted = automatic is None or config.automatic.note_on_enquiry
        return replace(base, thread_reference=target.reference if noted else None,
                       result=THREADED if automatic is None else IGNORED)
    if automatic is not None:
        return base
    text = _text(parsed, fax)
    channel = "fax" if fax else "web" if is_web else "email"
    documents = _documents(session, classify.document_mentions(f"{parsed.subject}\n{text}"))
    chosen = customer.id if customer is not None else (
        documents[0].customer_id if documents else None)
    links, first_kind = _links(documents, chosen)
    owner = session.get(Customer, chosen) if chosen is not None else None
    if customer is None and owner is not None:
        base = replace(base, customer=f"{owner.name} ({owner.customer_number})",
                       matched_by="a document number in the message")
    contact = who.contact if (who.contact is not None and chosen is not None
                              and who.contact.customer_id == chosen) else None
    language = _language(parsed, contact, owner, channel)
    category = (CATEGORY_FOR_DOCUMENT[first_kind] if first_kind
                else classify.guess_category(parsed.subject, text))
    team_id = route_team(session=session, category=category, language=language)
    team = session.scalar(select(Team.name).where(Team.id == team_id)) if team_id else None
    numbers: dict[str, tuple[Any, Any]] = {
        "order": (Order.id, Order.order_number), "invoice": (Invoice.id, Invoice.number),
        "contract": (Contract.id, Contract.contract_number),
        "item": (InstalledItem.id, InstalledItem.serial_number)}
    shown = []
    for kind, document_id in links.items():
        id_column, number_column = numbers[kind]
        number = session.scalar(select(number_column).where(id_column == document_id))
        if number:
            shown.append(str(number))
    return replace(base, result=CREATED, channel=channel, category=category,
                   language=language, team=team, links=tuple(shown))


# --- outcomes and the "Intake problems" view ----------------------------------------------

def outcome_of(session: Session, inbound: InboundMessage) -> Outcome:
    """The outcome recorded for a message already processed (or not yet)."""
    reference = (session.scalar(select(Enquiry.reference).where(Enquiry.id == inbound.enquiry_id))
                 if inbound.enquiry_id else None)
    if inbound.status == "received":
        return Outcome(inbound.id, PENDING)
    if inbound.status == "quarantined":
        return Outcome(inbound.id, QUARANTINED, detail=(inbound.error or "").split("\n")[0])
    if inbound.status == "ignored":
        return Outcome(inbound.id, IGNORED, inbound.enquiry_id, reference,
                       detail=inbound.error or "")
    data = session.scalar(
        select(EnquiryEvent.data)
        .where(EnquiryEvent.enquiry_id == inbound.enquiry_id,
               EnquiryEvent.inbound_message_id == inbound.id,
               EnquiryEvent.kind == "message_in").limit(1))
    result = CREATED if isinstance(data, dict) and data.get("opened") else THREADED
    return Outcome(inbound.id, result, inbound.enquiry_id, reference)


def _summaries(session: Session, status: str, limit: int) -> list[InboundSummary]:
    rows = session.execute(
        select(InboundMessage.id, InboundMessage.received_at, InboundMessage.source,
               InboundMessage.status, InboundMessage.message_id, InboundMessage.from_address,
               InboundMessage.subject, InboundMessage.error,
               func.length(InboundMessage.raw), InboundMessage.enquiry_id)
        .where(InboundMessage.status == status)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(limit))
    return [InboundSummary(*row) for row in rows]


def quarantine_list(session: Session, limit: int = LIST_LIMIT) -> list[InboundSummary]:
    """Messages that could not be processed, newest first."""
    return _summaries(session, "quarantined", limit)


def ignored_list(session: Session, limit: int = LIST_LIMIT) -> list[InboundSummary]:
    """Messages taken for auto-replies, bounces or receipts (``error`` says why)."""
    return _summaries(session, "ignored", limit)


def pending_ids(session: Session, limit: int | None = None) -> list[int]:
    """Stored messages not processed yet (left behind by a crash), oldest first."""
    query = select(InboundMessage.id).where(InboundMessage.status == "received").order_by(
        InboundMessage.id)
    return list(session.scalars(query.limit(limit) if limit else query))


def raw_message(session: Session, inbound_id: int) -> bytes:
    """The bytes exactly as received (to download as .eml)."""
    raw = session.scalar(select(InboundMessage.raw).where(InboundMessage.id == inbound_id))
    if raw is None:
        raise LookupError(f"No inbound message {inbound_id}.")
    return bytes(raw)


def reprocess(session: Session, inbound_id: int, by: UserInfo | None,
              now: datetime) -> Outcome:
    """Try a quarantined (or never processed) message again, e.g. after a fix."""
    inbound = session.get(InboundMessage, inbound_id)
    if inbound is None:
        raise ValidationError(["That message no longer exists."])
    if inbound.status not in ("quarantined", "received"):
        raise ValidationError([f"Only quarantined messages can be processed again; this one "
                               f"is {inbound.status}."])
    before = inbound.status
    inbound.status, inbound.error = "received", None
    session.flush()
    outcome = process(session, inbound_id, now)
    audit.record(session=session, action="intake_reprocessed",
                 user_id=by.id if by else None, username=by.username if by else None,
                 entity_type="inbound_message", entity_id=inbound_id,
                 before={"status": before},
                 after={"result": outcome.result, "enquiry_id": outcome.enquiry_id})
    return outcome


def make_enquiry_by_hand(session: Session, inbound_id: int, customer_id: int | None,
                         subject: str, category: str, by: UserInfo,
                         now: datetime) -> Outcome:
    """Turn a quarantined or ignored message into an enquiry the representative describes.

    The text and attachments are taken from the message as far as it can be read; when it
    cannot be parsed at all the raw message itself is attached, so nothing is hidden.
    """
    inbound = session.get(InboundMessage, inbound_id)
    problems: list[str] = []
    if inbound is None:
        raise ValidationError(["That message no longer exists."])
    if inbound.status == "processed":
        reference = session.scalar(select(Enquiry.reference)
                                   .where(Enquiry.id == inbound.enquiry_id))
        problems.append(f"This message is already part of {reference or 'an enquiry'}.")
    if not 3 <= len(subject.strip()) <= 200:
        problems.append("Give the enquiry a subject (3 to 200 characters).")
    if category not in CATEGORIES:
        problems.append("Choose a category.")
    if customer_id is not None and session.get(Customer, customer_id) is None:
        problems.append("The customer no longer exists.")
    if problems:
        raise ValidationError(problems)
    before = inbound.status
    error = inbound.error
    try:
        parsed = mime.parse(inbound.raw)
    except Exception as exc:  # keep what we have: the raw bytes
        parsed = ParsedMessage(
            message_id=None, in_reply_to=(), references=(), from_address=None, from_name="",
            subject=inbound.subject or "",
            body=mime.clean_text(mime.decode_text(inbound.raw)[:mime.MAX_BODY_CHARS]),
            attachments=(AttachmentData("message.eml", "message/rfc822", inbound.raw),),
            content_type="text/plain", defects=(type(exc).__name__,))
    config = intake_settings.load(session)
    fax = None if inbound.source == "web" else classify.match_fax(
        parsed, list(config.fax_patterns))
    channel = ("fax" if fax or inbound.source == "fax" else
               "web" if inbound.source == "web" else "email")
    who = _match_sender(session, parsed, fax, inbound.source == "web")
    from_address = (_fax_number(fax, who) if fax
                    else parsed.from_address or inbound.from_address)
    enquiry = _create(session, config, inbound, parsed, who, channel, from_address,
                      _text(parsed, fax), now, by_hand=True, customer_id=customer_id,
                      subject=subject.strip(), category=category)
    session.add(EnquiryEvent(
        enquiry_id=enquiry.id, occurred_at=now, kind="note", actor_id=by.id,
        body=f"Made into an enquiry by hand from a message that was {before}.",
        data={"inbound_message_id": inbound.id, "was": before,
              "error": (error or "").split("\n")[0][:400]}))
    audit.record(session=session, action="intake_enquiry_by_hand", user_id=by.id,
                 username=by.username, entity_type="inbound_message", entity_id=inbound.id,
                 before={"status": before},
                 after={"enquiry_id": enquiry.id, "reference": enquiry.reference})
    return Outcome(inbound.id, CREATED, enquiry.id, enquiry.reference)


# --- 3. receive: both steps, each in its own transaction ---------------------------------

def process_one(engine: Engine, inbound_id: int, now: datetime | None = None,
                config: intake_settings.IntakeSettings | None = None) -> Outcome:
    """Process a stored message in its own transaction; even a failure outside the savepoint
    (a lost connection, a failed commit) ends in quarantine, in a fresh transaction."""
    moment = now or utcnow()
    try:
        with Session(engine) as session, session.begin():
            return process(session, inbound_id, moment, config)
    except Exception as exc:
        logger.exception("Processing inbound message %s failed", inbound_id)
        with Session(engine) as session, session.begin():
            return quarantine(session, inbound_id, exc)


def receive(engine: Engine, raw: bytes, source: str, *, now: datetime | None = None,
            config: intake_settings.IntakeSettings | None = None) -> Outcome:
    """Store (committed) and then process one message; a message seen before is not filed
    again (unless it was never processed)."""
    moment = now or utcnow()
    with Session(engine) as session, session.begin():
        inbound, created = store_raw(session, raw, source, received_at=moment)
        inbound_id, status = inbound.id, inbound.status
        if not created and status != "received":
            return replace(outcome_of(session, inbound), duplicate=True)
    return replace(process_one(engine, inbound_id, moment, config), duplicate=not created)
