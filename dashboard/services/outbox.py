"""The outbox: every outgoing e-mail is a row first, and a sender delivers it (DESIGN §2.6).

Writers call ``enqueue`` inside their own transaction, so a reply and the e-mail that carries it
are committed together or not at all. The sender (``dashboard.mail.sender``) claims due rows, sends
them over SMTP, and records the outcome here.

A claimed row has status ``sending`` and ``next_attempt_at`` set to the end of its lease: if the
sender dies mid-delivery the row becomes due again when the lease runs out, and the next claim
puts it back in the queue.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, func, or_, select, update
from sqlalchemy.orm import Session

from dashboard.services import audit, settings, templates
from db.models import OUTBOUND_KINDS, Attachment, Enquiry, OutboundMessage
from db.types import utcnow

# The retry policy while none is saved on the settings page (``settings.outbox_retry``).
MAX_ATTEMPTS = settings.OutboxRetry().max_attempts
SENDING_LEASE = timedelta(minutes=10)
LIST_LIMIT = 50
MAX_SUBJECT_LENGTH = 400  # the column's size
MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit
MAX_MESSAGE_ID_LENGTH = 300  # the in_reply_to column's size

# A deliberately plain address: ASCII local part without quoting, a dotted domain. Anything
# fancier (quoted local parts, IP literals, UTF-8) is not what customers' finance desks use.
ADDRESS_PATTERN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
CONTENT_TYPE_PATTERN = re.compile(r"(application|audio|font|image|model|text|video)/[\w.+-]+")


@dataclass(frozen=True)
class OutboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """What the sender needs to build one e-mail, read in one short transaction."""

    id: int
    to_address: str
    subject: str
    body_text: str
    message_id: str
    in_reply_to: str | None
    references: str | None
    attempts: int
    attachments: tuple[OutboundAttachment, ...]


@dataclass(frozen=True)
class DeliveryState:
    """One outgoing e-mail as a page shows it."""

    id: int
    kind: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    next_attempt_at: datetime | None


# --- queueing -----------------------------------------------------------------------------

def enqueue(
    *,
    session: Session,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    customer_id: int | None = None,
    enquiry_id: int | None = None,
    attachments: Iterable[OutboundAttachment] = (),
    created_by: int | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    sender_domain: str = "csol.example",
    now: datetime | None = None,
) -> int:
    """Queue one e-mail in the caller's transaction; raises ValueError saying what is wrong."""
    if kind not in OUTBOUND_KINDS:
        raise ValueError(f"Kind must be one of {', '.join(OUTBOUND_KINDS)}.")
    address = valid_address(to_address)
    subject = _single_line(subject, "The subject").strip()
    if not subject:
        raise ValueError("Enter a subject.")
    if gaps := templates.holes(subject, body_text):  # nothing leaves with a hole
        raise ValueError(" ".join(templates.hole_messages(gaps)))
    files = [_valid_attachment(a) for a in attachments]
    if enquiry_id is not None:
        subject, customer_id = _about_enquiry(session, enquiry_id, subject, customer_id)
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"The subject is longer than {MAX_SUBJECT_LENGTH} characters.")
    moment = now or utcnow()
    message = OutboundMessage(
        kind=kind, enquiry_id=enquiry_id, customer_id=customer_id, to_address=address,
        subject=subject, body_text=body_text, message_id=make_msgid(domain=sender_domain),
        in_reply_to=_optional_line(in_reply_to, "In-Reply-To", MAX_MESSAGE_ID_LENGTH),
        references=_optional_line(references, "References"),
        status="queued", attempts=0, next_attempt_at=moment, created_by_id=created_by,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    session.add_all(_attachment_row(message.id, f) for f in files)
    audit.record(session=session, action="email_queued", user_id=created_by,
                 entity_type="outbound_message", entity_id=message.id,
                 after={"kind": kind, "to": address, "subject": subject,
                        "enquiry_id": enquiry_id, "attachments": [f.filename for f in files]})
    return message.id


def _about_enquiry(session: Session, enquiry_id: int, subject: str,
                   customer_id: int | None) -> tuple[str, int | None]:
    """The subject with the enquiry's reference, and the enquiry's customer if none was given
    (so the customer's page lists the reply too)."""
    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is None:
        raise ValueError(f"There is no enquiry {enquiry_id}.")
    subject = with_enquiry_reference(subject, enquiry.reference)
    return subject, customer_id if customer_id is not None else enquiry.customer_id


def valid_address(address: str) -> str:
    """The address without surrounding blanks, or ValueError if it is not a plain address."""
    candidate = address.strip()
    if (len(candidate) > MAX_ADDRESS_LENGTH or _has_line_break(address)
            or not ADDRESS_PATTERN.fullmatch(candidate)):
        raise ValueError(f"Enter a valid e-mail address (not {address!r}).")
    return candidate


def with_enquiry_reference(subject: str, reference: str) -> str:
    """Replies carry ``[ENQ-…]`` so that the customer's answer threads back to the enquiry."""
    if f"[{reference}]".lower() in subject.lower():
        return subject
    return f"{subject} [{reference}]"


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text


def _single_line(text: str, what: str) -> str:
    # A CR/LF in a header value would let the text add headers of its own (header injection).
    if _has_line_break(text) or "\0" in text:
        raise ValueError(f"{what} must be a single line.")
    return text


def _optional_line(text: str | None, what: str, max_length: int | None = None) -> str | None:
    if not text or not text.strip():
        return None
    value = _single_line(text, what).strip()
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{what} is longer than {max_length} characters.")
    return value


def _valid_attachment(attachment: OutboundAttachment) -> OutboundAttachment:
    filename = _single_line(attachment.filename, "An attachment's file name").strip()
    if not filename or "/" in filename or "\\" in filename:
        raise ValueError(f"{attachment.filename!r} is not a usable attachment file name.")
    content_type = attachment.content_type.strip().lower()
    if not CONTENT_TYPE_PATTERN.fullmatch(content_type):
        raise ValueError(f"{attachment.content_type!r} is not a content type we can attach.")
    return OutboundAttachment(filename, content_type, bytes(attachment.content))


def _attachment_row(outbound_message_id: int, attachment: OutboundAttachment) -> Attachment:
    return Attachment(
        outbound_message_id=outbound_message_id, filename=attachment.filename,
        content_type=attachment.content_type, size_bytes=len(attachment.content),
        sha256=hashlib.sha256(attachment.content).hexdigest(), content=attachment.content,
    )


# --- claiming -----------------------------------------------------------------------------

def claim_due(*, session: Session, now: datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due messages as ``sending`` and return their ids.

    Safe with several senders: on PostgreSQL rows another sender has locked are skipped;
    on SQLite each row is taken by a conditional UPDATE, and a row someone else took first
    updates nothing. The caller commits.
    """
    requeue_interrupted(session=session, now=now)
    due = (OutboundMessage.status == "queued",
           or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now))
    taken = (_take(session, message_id, due, now) for message_id in _lock_ids(session, due, limit))
    return [message_id for message_id, ok in taken if ok]


def requeue_interrupted(*, session: Session, now: datetime) -> int:
    """Put back messages whose sender's lease ran out (it crashed or was killed mid-send).

    The interrupted try counts as an attempt: a message that keeps killing the sender must
    end up ``failed`` rather than loop for ever.
    """
    stalled = (OutboundMessage.status == "sending", OutboundMessage.next_attempt_at <= now)
    ids = _lock_ids(session, stalled, limit=None)
    if not ids:
        return 0
    error = "Delivery was interrupted (the sender stopped); it will be tried again."
    tries = settings.outbox_retry(session=session).max_attempts
    last_try = OutboundMessage.attempts >= tries - 1
    _execute(session, update(OutboundMessage)
             .where(OutboundMessage.id.in_(ids), *stalled, last_try)
             .values(status="failed", attempts=OutboundMessage.attempts + 1, last_error=error))
    _execute(session, update(OutboundMessage)
             .where(OutboundMessage.id.in_(ids), *stalled)
             .values(status="queued", attempts=OutboundMessage.attempts + 1, last_error=error,
                     next_attempt_at=now))
    for message_id, status in session.execute(select(OutboundMessage.id, OutboundMessage.status)
                                              .where(OutboundMessage.id.in_(ids))):
        audit.record(session=session, action="email_interrupted",
                     entity_type="outbound_message", entity_id=message_id,
                     before={"status": "sending"}, after={"status": status, "error": error})
    return len(ids)


def _lock_ids(session: Session, conditions: Sequence[ColumnElement[bool]],
              limit: int | None) -> list[int]:
    query = select(OutboundMessage.id).where(*conditions).order_by(OutboundMessage.id)
    if limit is not None:
        query = query.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _take(session: Session, message_id: int, due: Sequence[ColumnElement[bool]],
          now: datetime) -> tuple[int, bool]:
    claimed = _execute(session, update(OutboundMessage)
                       .where(OutboundMessage.id == message_id, *due)
                       .values(status="sending", next_attempt_at=now + SENDING_LEASE))
    return message_id, claimed == 1


def _execute(session: Session, statement: Update) -> int:
    """Run a bulk UPDATE and say how many rows it changed."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount


def load_outgoing(*, session: Session, outbound_message_id: int) -> OutgoingMessage:
    message = session.get_one(OutboundMessage, outbound_message_id)
    files = session.scalars(select(Attachment)
                            .where(Attachment.outbound_message_id == outbound_message_id)
                            .order_by(Attachment.id))
    return OutgoingMessage(
        id=message.id, to_address=message.to_address, subject=message.subject,
        body_text=message.body_text, message_id=message.message_id,
        in_reply_to=message.in_reply_to, references=message.references,
        attempts=message.attempts,
        attachments=tuple(OutboundAttachment(f.filename, f.content_type, f.content)
                          for f in files),
    )


# --- outcomes -----------------------------------------------------------------------------

def record_sent(*, session: Session, outbound_message_id: int, now: datetime) -> None:
    _execute(session, _while_sending(outbound_message_id).values(
        status="sent", sent_at=now, attempts=OutboundMessage.attempts + 1,
        next_attempt_at=None, last_error=None))
    audit.record(session=session, action="email_sent", entity_type="outbound_message",
                 entity_id=outbound_message_id)


def record_failure(*, session: Session, outbound_message_id: int, now: datetime, error: str,
                   permanent: bool) -> str:
    """Count the failed attempt; back to the queue with a delay, or ``failed`` for good.

    Returns the new status.
    """
    attempts = session.scalar(select(OutboundMessage.attempts)
                              .where(OutboundMessage.id == outbound_message_id))
    attempts = (attempts or 0) + 1
    policy = settings.outbox_retry(session=session)
    if permanent or attempts >= policy.max_attempts:
        _execute(session, _while_sending(outbound_message_id).values(
            status="failed", attempts=attempts, last_error=error, next_attempt_at=None))
        audit.record(session=session, action="email_failed", entity_type="outbound_message",
                     entity_id=outbound_message_id, after={"attempts": attempts, "error": error})
        return "failed"
    retry_at = now + policy.delay(attempts)
    _execute(session, _while_sending(outbound_message_id).values(
        status="queued", attempts=attempts, last_error=error, next_attempt_at=retry_at))
    audit.record(session=session, action="email_deferred", entity_type="outbound_message",
                 entity_id=outbound_message_id,
                 after={"attempts": attempts, "error": error, "next_attempt_at":
                        retry_at.isoformat()})
    return "queued"


def retry_delay(attempts: int) -> timedelta:
    """The default policy's wait: 1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at
    most an hour."""
    return settings.OutboxRetry().delay(attempts)


def _while_sending(outbound_message_id: int) -> Update:
    # Only the sender holding the claim may record an outcome.
    return update(OutboundMessage).where(OutboundMessage.id == outbound_message_id,
                                         OutboundMessage.status == "sending")


# --- delivery state for pages -------------------------------------------------------------

def delivery_state(*, session: Session, outbound_message_id: int) -> DeliveryState | None:
    message = session.get(OutboundMessage, outbound_message_id)
    return _state(message) if message is not None else None


def list_for_customer(*, session: Session, customer_id: int,
                      limit: int = LIST_LIMIT) -> list[DeliveryState]:
    return _newest_first(session, OutboundMessage.customer_id == customer_id, limit)


def list_for_enquiry(*, session: Session, enquiry_id: int,
                     limit: int = LIST_LIMIT) -> list[DeliveryState]:
    return _newest_first(session, OutboundMessage.enquiry_id == enquiry_id, limit)


def _newest_first(session: Session, condition: ColumnElement[bool],
                  limit: int) -> list[DeliveryState]:
    query = (select(OutboundMessage).where(condition)
             .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
             .limit(limit))
    return [_state(m) for m in session.scalars(query)]


def _state(message: OutboundMessage) -> DeliveryState:
    return DeliveryState(
        id=message.id, kind=message.kind, to_address=message.to_address,
        subject=message.subject, status=message.status, attempts=message.attempts,
        last_error=message.last_error, sent_at=message.sent_at, created_at=message.created_at,
        next_attempt_at=message.next_attempt_at,
    )


# --- the outbox as admins see it ----------------------------------------------------------

ADMIN_LIST_LIMIT = 200


@dataclass(frozen=True)
class OutboxFilter:
    statuses: tuple[str, ...] = ()   # none: all
    since: datetime | None = None    # created at or after (UTC)
    until: datetime | None = None    # created before (UTC)
    recipient: str = ""              # part of the address


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    enquiry_reference: str | None

    @property
    def error_in_words(self) -> str | None:
        return explain_error(self.last_error) if self.last_error else None


def list_outbox(*, session: Session, filters: OutboxFilter, limit: int = ADMIN_LIST_LIMIT,
                offset: int = 0) -> tuple[list[OutboxRow], int]:
    """Outgoing e-mail newest first, filtered in SQL; and how many match in all."""
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses:
        conditions.append(OutboundMessage.status.in_(filters.statuses))
    if filters.since is not None:
        conditions.append(OutboundMessage.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(OutboundMessage.created_at < filters.until)
    if filters.recipient.strip():
        needle = filters.recipient.strip().lower().replace("\\", "\\\\").replace(
            "%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(OutboundMessage.to_address).like(f"%{needle}%",
                                                                      escape="\\"))
    total = session.scalar(select(func.count()).select_from(OutboundMessage)
                           .where(*conditions)) or 0
    rows = session.execute(
        select(OutboundMessage.id, OutboundMessage.kind, OutboundMessage.to_address,
               OutboundMessage.subject, OutboundMessage.status, OutboundMessage.attempts,
               OutboundMessage.last_error, OutboundMessage.created_at, OutboundMessage.sent_at,
               OutboundMessage.next_attempt_at, Enquiry.reference)
        .outerjoin(Enquiry, Enquiry.id == OutboundMessage.enquiry_id)
        .where(*conditions)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        .limit(limit).offset(offset))
    return [OutboxRow(*row) for row in rows], total


def _not_failed(session: Session, outbound_message_id: int, doing: str) -> ValueError:
    status = session.scalar(select(OutboundMessage.status)
                            .where(OutboundMessage.id == outbound_message_id))
    if status is None:
        return ValueError("That e-mail no longer exists.")
    return ValueError(f"Only an e-mail that was not delivered can be {doing}; this one is "
                      f"{status} now (someone may have done it already). Reload the list.")


def resend(*, session: Session, outbound_message_id: int, by_id: int | None,
           by_username: str | None, now: datetime) -> None:
    """Put a failed e-mail back in the queue, with a fresh count of attempts; the sender
    delivers it on its next run. Refused unless it is still ``failed``."""
    before = session.execute(select(OutboundMessage.attempts, OutboundMessage.last_error)
                             .where(OutboundMessage.id == outbound_message_id)).first()
    changed = _execute(session, update(OutboundMessage).where(
        OutboundMessage.id == outbound_message_id, OutboundMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now))
    if changed != 1 or before is None:
        raise _not_failed(session, outbound_message_id, "sent again")
    audit.record(session=session, action="email_resent", user_id=by_id, username=by_username,
                 entity_type="outbound_message", entity_id=outbound_message_id,
                 before={"status": "failed", "attempts": before[0], "error": before[1]},
                 after={"status": "queued", "attempts": 0})


def cancel(*, session: Session, outbound_message_id: int, by_id: int | None,
           by_username: str | None) -> None:
    """Give up on a failed e-mail for good: it stays listed as cancelled, never sent."""
    changed = _execute(session, update(OutboundMessage).where(
        OutboundMessage.id == outbound_message_id, OutboundMessage.status == "failed")
        .values(status="cancelled", next_attempt_at=None))
    if changed != 1:
        raise _not_failed(session, outbound_message_id, "cancelled")
    audit.record(session=session, action="email_cancelled", user_id=by_id,
                 username=by_username, entity_type="outbound_message",
                 entity_id=outbound_message_id, before={"status": "failed"},
                 after={"status": "cancelled"})


# --- what went wrong, in words ------------------------------------------------------------

# The server's reply code leads the stored error (``describe`` in the sender), also after
# "SMTP server host:port unavailable: " when the relay itself refused us.
SMTP_REPLY = re.compile(r"^(?:SMTP server \S+ unavailable: )?([245]\d\d)[ -]"
                        r"(?:([245]\.\d{1,3}\.\d{1,3})\s*)?")
ENHANCED = {  # RFC 3463 enhanced status codes, the ones relays send in practice
    "5.1.1": "The recipient's mail server says this mailbox does not exist. Check the "
             "address with the customer.",
    "5.1.2": "The recipient's domain does not exist or takes no mail. Check the part after "
             "the @.",
    "5.1.3": "The address is not written correctly.",
    "5.2.1": "The recipient's mailbox is disabled.",
    "5.2.2": "The recipient's mailbox is full.",
    "4.2.2": "The recipient's mailbox is full for now.",
    "5.2.3": "The message is larger than the recipient's server accepts. Send fewer or "
             "smaller attachments.",
    "5.3.4": "The message is larger than the recipient's server accepts. Send fewer or "
             "smaller attachments.",
    "5.7.1": "The recipient's server refused the message (a policy or spam rule).",
    "5.7.26": "The recipient's server refused the message: our domain's sender checks "
              "(SPF/DKIM/DMARC) did not pass. Ask IT.",
}
SMTP_CODES = {
    421: "The mail server closed the connection for now (too busy, or shutting down).",
    450: "The recipient's mailbox is not available for now.",
    451: "The mail server had a temporary problem processing the message.",
    452: "The mail server has no room for the message for now.",
    454: "The mail server could not start a secure connection for now.",
    500: "The mail server did not understand what was sent to it.",
    501: "The mail server refused an address or parameter as badly written.",
    503: "The mail server refused the order of the commands (a sender problem).",
    530: "The mail server wants us to sign in first: check the SMTP user in the settings.",
    535: "The mail server refused our sign-in: the SMTP user or password is wrong.",
    550: "The recipient's mail server refused the message: the mailbox does not exist or "
         "does not accept mail.",
    551: "The recipient is not known at that server.",
    552: "The message is larger than the recipient's mailbox or server accepts.",
    553: "The recipient's address is not accepted as written.",
    554: "The recipient's server refused the message.",
}
EXCEPTIONS = (
    ("ConnectionRefusedError", "Our mail server refused the connection: it is not running "
                               "or not at that address. Ask IT to check the SMTP settings."),
    ("timed out", "Our mail server did not answer in time."),
    ("TimeoutError", "Our mail server did not answer in time."),
    ("gaierror", "The mail server's name could not be looked up: check the SMTP host."),
    ("Name or service not known", "The mail server's name could not be looked up: check "
                                  "the SMTP host."),
    ("SSL", "A secure connection to the mail server could not be made (certificate or TLS "
            "settings)."),
    ("SMTPServerDisconnected", "The mail server hung up during delivery."),
    ("interrupted", "Delivery was interrupted because the sender stopped."),
    ("Cannot build the e-mail", "The e-mail could not be built from what is stored (an "
                                "address or attachment the mail library refuses)."),
)


def explain_error(error: str) -> str:
    """A stored delivery error as a sentence a person can act on, with the server's own
    words kept after it."""
    first = error.strip().splitlines()[0] if error.strip() else ""
    found = SMTP_REPLY.search(first)
    if found:
        code, enhanced = int(found.group(1)), found.group(2)
        words = ENHANCED.get(enhanced or "") or SMTP_CODES.get(code)
        if words is None:
            words = ("The mail server refused the message for good." if code >= 500
                     else "The mail server refused the message for now.")
        retry = (" It is not tried again by itself." if code >= 500
                 else " It is tried again by itself unless it has run out of attempts.")
        return f"{words}{retry} (Server said: {first})"
    for needle, words in EXCEPTIONS:
        if needle.lower() in first.lower():
            return f"{words} (Detail: {first})"
    return f"The e-mail could not be delivered. (Detail: {first})" if first else \
        "The e-mail could not be delivered."
