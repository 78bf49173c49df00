"""The public enquiry form: validated, then filed through the same pipeline as e-mail.

The form becomes an RFC 5322 message (source ``web``) that is stored raw and committed first,
then processed, exactly like mail from the SMTP listener; the representative sees the same
kind of enquiry, and the raw submission is there if anything goes wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.intake import mime, pipeline
from dashboard.intake import settings as intake_settings
from dashboard.services import outbox
from dashboard.services.errors import ValidationError
from dashboard.services.outbox import valid_address
from dashboard.services.search import normalise_phone
from db.models import Enquiry

WEB_DOMAIN = "web.csol.example"
CUSTOMER_NUMBER = re.compile(r"C\d{6}")
MAX_NAME = 120
MAX_SUBJECT = 200
MIN_MESSAGE, MAX_MESSAGE = 10, 20_000


class SubmissionDeferred(RuntimeError):
    """The form was saved but could not be filed as an enquiry yet (it is in quarantine)."""

    def __init__(self, inbound_id: int) -> None:
        super().__init__("Your message was received and saved; we could not give it a "
                         "reference right now, but it will be handled.")
        self.inbound_id = inbound_id


def _single_line(text: str) -> bool:
    return not any(ch in text for ch in "\r\n\0")


def _same(text: str) -> str:
    return text


def validate(name: str, email: str, phone: str | None, customer_number: str | None,
             subject: str, message: str, tr: Callable[[str], str] = _same) -> list[str]:
    """Each problem in plain words (in the language ``tr`` translates to), in the order of
    the form's fields."""
    problems: list[str] = []
    if not 2 <= len(name.strip()) <= MAX_NAME or not _single_line(name):
        problems.append(tr("Enter your name (2 to {most} characters, one line).")
                        .format(most=MAX_NAME))
    try:
        valid_address(email)
    except ValueError:
        problems.append(tr("Enter a valid e-mail address, e.g. name@company.be."))
    if phone and phone.strip() and normalise_phone(phone) is None:
        problems.append(tr("Enter a phone number such as +32 2 123 45 67, or leave it empty."))
    if customer_number and customer_number.strip() and not CUSTOMER_NUMBER.fullmatch(
            customer_number.strip().upper()):
        problems.append(tr("A customer number looks like C100123 (see your invoices), "
                           "or leave it empty."))
    if not 3 <= len(subject.strip()) <= MAX_SUBJECT or not _single_line(subject):
        problems.append(tr("Give your question a subject (3 to {most} characters, one line).")
                        .format(most=MAX_SUBJECT))
    if not MIN_MESSAGE <= len(message.strip()) <= MAX_MESSAGE:
        problems.append(tr("Write your question ({least} to {most} characters).")
                        .format(least=MIN_MESSAGE, most=f"{MAX_MESSAGE:,}"))
    if "\0" in message:
        problems.append(tr("The message contains characters that cannot be sent."))
    return problems


def build(name: str, email: str, phone: str | None, customer_number: str | None,
          subject: str, message: str, now: datetime, to_address: str) -> bytes:
    """The form as an e-mail message (validated input only)."""
    number = customer_number.strip().upper() if customer_number and customer_number.strip() \
        else None
    e164 = normalise_phone(phone) if phone and phone.strip() else None
    mail = EmailMessage()
    mail["From"] = Address(display_name=name.strip(), addr_spec=email.strip().lower())
    mail["To"] = to_address
    mail["Subject"] = subject.strip()
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=WEB_DOMAIN)
    mail["X-Csol-Source"] = "web-form"
    if number:
        mail["X-Csol-Customer-Number"] = number
    if e164:
        mail["X-Csol-Phone"] = e164
    details = [f"Name: {name.strip()}", f"E-mail: {email.strip()}"]
    if e164:
        details.append(f"Phone: {e164}")
    if number:
        details.append(f"Customer number: {number}")
    mail.set_content(message.strip() + "\n\n-- \n" + "\n".join(details) + "\n")
    return mime.build_message(mail)


def submit_web_form(session: Session, name: str, email: str, phone: str | None,
                    customer_number: str | None, subject: str, message: str,
                    now: datetime) -> str:
    """Validate and file a web enquiry; returns its reference (ENQ-…).

    Commits twice: the raw submission first, then its processing. Call it with a session
    that is not inside ``session.begin()``. Raises ValidationError listing what to fix, or
    SubmissionDeferred when the submission is saved but in quarantine.
    """
    problems = validate(name, email, phone, customer_number, subject, message)
    if problems:
        raise ValidationError(problems)
    to_address = intake_settings.load(session).intake_address
    raw = build(name, email, phone, customer_number, subject, message, now, to_address)
    inbound, _ = pipeline.store_raw(session, raw, "web", received_at=now)
    inbound_id = inbound.id
    session.commit()
    outcome = pipeline.process(session, inbound_id, now)
    session.commit()
    if outcome.reference is None:
        raise SubmissionDeferred(inbound_id)
    return outcome.reference


# --- The public online forms, one per subject ---------------------------------------------

# What each subject's form asks for beyond the question, and what a valid answer looks like.
TOPICS = ("orders", "invoices", "contracts", "inventory", "other")
DOCUMENT_FIELD = {"orders": "Order number", "invoices": "Invoice number",
                  "contracts": "Contract number", "inventory": "Serial number"}
DOCUMENT_PATTERN = {"orders": re.compile(r"SO-\d{4}-\d{6}"),
                    "invoices": re.compile(r"(INV|CN)-\d{4}-\d{6}"),
                    "contracts": re.compile(r"CT-\d{4}-\d{5}"),
                    "inventory": re.compile(r"[A-Z0-9][A-Z0-9-]{4,39}")}
DOCUMENT_PROBLEM = {
    "orders": "Enter the order number as on your order confirmation, e.g. SO-2026-000123.",
    "invoices": "Enter the invoice or credit note number, e.g. INV-2026-000123.",
    "contracts": "Enter the contract number, e.g. CT-2024-00098.",
    "inventory": "Enter the serial number on the device's label.",
}
MIN_CHANGE, MAX_CHANGE = 5, 1000
ACKNOWLEDGEMENT = ("We received your question",
                   "Dear {name},\n\nThank you for your message “{subject}”. It has reached our "
                   "representatives, who will answer it; its reference is {reference}. Reply "
                   "to this e-mail to add anything.\n\nCustomer Support")


@dataclass(frozen=True)
class OnlineForm:
    topic: str
    name: str
    email: str
    phone: str
    customer_number: str
    subject: str
    message: str
    document: str = ""   # the order, invoice or contract number, or the serial number
    change: str = ""     # inventory: what should change (add, move, remove, and where)


def validate_online_form(form: OnlineForm, tr: Callable[[str], str] = _same) -> list[str]:
    problems = validate(form.name, form.email, form.phone, form.customer_number, form.subject,
                        form.message, tr)
    if form.topic not in TOPICS:
        problems.insert(0, tr("Choose what your question is about."))
    pattern = DOCUMENT_PATTERN.get(form.topic)
    if pattern is not None and not pattern.fullmatch(form.document.strip().upper()):
        problems.append(tr(DOCUMENT_PROBLEM[form.topic]))
    if form.topic == "inventory" and not MIN_CHANGE <= len(form.change.strip()) <= MAX_CHANGE:
        problems.append(tr("Say what should change in your installed inventory: add, move "
                           "or remove, and where ({least} to {most} characters).")
                        .format(least=MIN_CHANGE, most=MAX_CHANGE))
    return problems


def _question(form: OnlineForm) -> str:
    """The question with the form's own fields, in the words the intake links documents by."""
    lines = [form.message.strip()]
    if form.topic in DOCUMENT_FIELD:
        lines.append(f"{DOCUMENT_FIELD[form.topic]}: {form.document.strip().upper()}")
    if form.topic == "inventory":
        lines.append(f"Requested change: {form.change.strip()}")
    return "\n\n".join(lines)


def submit_online_form(session: Session, form: OnlineForm, language: str, now: datetime,
                       tr: Callable[[str], str] = _same) -> str:
    """File the form as a web enquiry and queue the sender's acknowledgement (in their
    language, carrying the reference); returns the reference."""
    problems = validate_online_form(form, tr)
    if problems:
        raise ValidationError(problems)
    reference = submit_web_form(session, form.name, form.email, form.phone,
                                form.customer_number, form.subject, _question(form), now)
    enquiry_id = session.scalar(select(Enquiry.id).where(Enquiry.reference == reference))
    subject, body = ACKNOWLEDGEMENT
    outbox.enqueue(session=session, kind="reply", to_address=form.email.strip(),
                   subject=tr(subject), enquiry_id=enquiry_id,
                   body_text=tr(body).format(name=form.name.strip(),
                                             subject=form.subject.strip(), reference=reference),
                   now=now)
    session.commit()
    return reference
