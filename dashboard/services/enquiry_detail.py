"""One enquiry as the enquiry page shows it: header, links, timeline, attachments, replies,
the canned replies in its language, and who else has it open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from dashboard.services import audit
from dashboard.services.enquiries import EnquiryRow, enquiry_row
from dashboard.services.outbox import DeliveryState, list_for_enquiry
from dashboard.services.users import UserInfo
from db.models import (
    Attachment,
    AuditLog,
    CannedReply,
    Contact,
    Contract,
    Customer,
    Enquiry,
    EnquiryEvent,
    InboundMessage,
    InstalledItem,
    Invoice,
    Order,
    SlaPolicy,
    User,
)

PRESENCE_WINDOW = timedelta(minutes=3)
REFERENCE = re.compile(r"^ENQ-\d{4}-\d{6}$")


@dataclass(frozen=True)
class LinkedDocument:
    kind: str        # "order", "invoice", "contract", "item"
    id: int
    label: str


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    actor: str | None
    body: str
    data: dict[str, Any]
    delivery: DeliveryState | None
    inbound_message_id: int | None


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class EnquiryDetail:
    row: EnquiryRow
    version: int
    language: str
    assignee_id: int | None
    assignee: str | None
    team_id: int | None
    customer_number: str | None
    contact_id: int | None
    contact_name: str | None
    contact_email: str | None
    from_address: str | None
    verification: str
    reopen_count: int
    paused_seconds: int
    merged_into: str | None
    links: tuple[LinkedDocument, ...]
    events: tuple[TimelineEvent, ...]
    attachments: tuple[AttachmentInfo, ...]

    @property
    def reply_to(self) -> str | None:
        """Where a reply goes: the contact's e-mail, else the address it came from."""
        if self.contact_email:
            return self.contact_email
        if self.from_address and "@" in self.from_address:
            return self.from_address
        return None


def find_id(*, session: Session, reference: str) -> int | None:
    text = reference.strip().upper()
    if not REFERENCE.match(text):
        return None
    return session.scalar(select(Enquiry.id).where(Enquiry.reference == text))


def reference_of(*, session: Session, enquiry_id: int) -> str | None:
    return session.scalar(select(Enquiry.reference).where(Enquiry.id == enquiry_id))


def detail(*, session: Session, enquiry_id: int, now: datetime) -> EnquiryDetail | None:
    row = session.execute(
        select(Enquiry, Customer.name, Customer.customer_number, SlaPolicy.first_response_minutes,
               SlaPolicy.resolution_minutes, User.full_name)
        .outerjoin(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Enquiry.sla_policy_id)
        .outerjoin(User, User.id == Enquiry.assignee_id)
        .where(Enquiry.id == enquiry_id)).first()
    if row is None:
        return None
    e, customer_name, customer_number, first, resolution, assignee = row
    contact = session.get(Contact, e.contact_id) if e.contact_id else None
    merged_into = (session.scalar(select(Enquiry.reference)
                                  .where(Enquiry.id == e.merged_into_id))
                   if e.merged_into_id else None)
    return EnquiryDetail(
        row=enquiry_row(e, customer_name, first, resolution, now), version=e.version,
        language=e.language, assignee_id=e.assignee_id, assignee=assignee,
        team_id=e.team_id, customer_number=customer_number, contact_id=e.contact_id,
        contact_name=contact.full_name if contact else None,
        contact_email=contact.email if contact else None, from_address=e.from_address,
        verification=e.verification, reopen_count=e.reopen_count,
        paused_seconds=e.paused_seconds, merged_into=merged_into,
        links=_links(session, e), events=_events(session, e.id),
        attachments=tuple(AttachmentInfo(a.id, a.filename, a.content_type, a.size_bytes)
                          for a in session.execute(
                              select(Attachment.id, Attachment.filename,
                                     Attachment.content_type, Attachment.size_bytes)
                              .where(Attachment.enquiry_id == e.id)
                              .order_by(Attachment.id))),
    )


def _links(session: Session, e: Enquiry) -> tuple[LinkedDocument, ...]:
    found = []
    if e.order_id:
        found.append(LinkedDocument("order", e.order_id, "Order " + str(
            session.scalar(select(Order.order_number).where(Order.id == e.order_id)))))
    if e.invoice_id:
        number = session.scalar(select(Invoice.number).where(Invoice.id == e.invoice_id))
        found.append(LinkedDocument("invoice", e.invoice_id, f"Invoice {number}"))
    if e.contract_id:
        number = session.scalar(select(Contract.contract_number)
                                .where(Contract.id == e.contract_id))
        found.append(LinkedDocument("contract", e.contract_id, f"Contract {number}"))
    if e.installed_item_id:
        serial = session.scalar(select(InstalledItem.serial_number)
                                .where(InstalledItem.id == e.installed_item_id))
        found.append(LinkedDocument("item", e.installed_item_id, f"Item {serial}"))
    return tuple(found)


def _events(session: Session, enquiry_id: int) -> tuple[TimelineEvent, ...]:
    deliveries = {d.id: d for d in list_for_enquiry(session=session, enquiry_id=enquiry_id,
                                                    limit=500)}
    rows = session.execute(
        select(EnquiryEvent, User.full_name).outerjoin(User, User.id == EnquiryEvent.actor_id)
        .where(EnquiryEvent.enquiry_id == enquiry_id)
        .order_by(EnquiryEvent.occurred_at, EnquiryEvent.id))
    return tuple(
        TimelineEvent(ev.occurred_at, ev.kind, actor, ev.body, ev.data or {},
                      deliveries.get(ev.outbound_message_id) if ev.outbound_message_id
                      else None, ev.inbound_message_id)
        for ev, actor in rows)


def attachment(*, session: Session, attachment_id: int, enquiry_id: int
               ) -> tuple[str, str, bytes] | None:
    found = session.execute(
        select(Attachment.filename, Attachment.content_type, Attachment.content)
        .where(Attachment.id == attachment_id, Attachment.enquiry_id == enquiry_id)).first()
    return (found[0], found[1], found[2]) if found else None


def inbound_text(*, session: Session, inbound_message_id: int) -> tuple[str, str] | None:
    """Sender and subject of a received message, for the timeline."""
    found = session.execute(select(InboundMessage.from_address, InboundMessage.subject)
                            .where(InboundMessage.id == inbound_message_id)).first()
    return (found[0] or "", found[1] or "") if found else None


# --- canned replies ------------------------------------------------------------------------

@dataclass(frozen=True)
class CannedText:
    id: int
    name: str
    language: str
    category: str | None
    subject: str
    body: str


def canned_replies(*, session: Session, language: str, category: str | None
                   ) -> list[CannedText]:
    """Active canned replies in ``language``, those of the enquiry's category first."""
    rows = session.scalars(select(CannedReply).where(CannedReply.language == language,
                                                     CannedReply.is_active.is_(True)))
    found = [CannedText(r.id, r.name, r.language, r.category, r.subject, r.body) for r in rows]
    return sorted(found, key=lambda c: (c.category != category, c.name))


# --- presence --------------------------------------------------------------------------------

def note_viewing(*, session: Session, enquiry_id: int, user: UserInfo, now: datetime) -> None:
    """Record that ``user`` has the enquiry open (at most once a minute)."""
    recent = session.scalar(
        select(AuditLog.id).where(AuditLog.action == "enquiry_viewed",
                                  AuditLog.entity_id == enquiry_id,
                                  AuditLog.entity_type == "enquiry",
                                  AuditLog.user_id == user.id,
                                  AuditLog.occurred_at >= now - timedelta(minutes=1)).limit(1))
    if recent is None:
        audit.record(session=session, action="enquiry_viewed", user_id=user.id,
                     username=user.username, entity_type="enquiry", entity_id=enquiry_id)


def others_viewing(*, session: Session, enquiry_id: int, user: UserInfo, now: datetime
                   ) -> list[str]:
    """Colleagues who had this enquiry open in the last few minutes."""
    rows = session.execute(
        select(User.full_name).join(AuditLog, and_(AuditLog.user_id == User.id))
        .where(AuditLog.action == "enquiry_viewed", AuditLog.entity_type == "enquiry",
               AuditLog.entity_id == enquiry_id, AuditLog.user_id != user.id,
               AuditLog.occurred_at >= now - PRESENCE_WINDOW)
        .group_by(User.full_name).order_by(User.full_name))
    return [name for (name,) in rows]
