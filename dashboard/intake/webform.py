"""The public enquiry form: validated, then filed through the same pipeline as e-mail.

The form becomes an RFC 5322 message (source ``web``) that is stored raw and committed first,
then processed, exactly like mail from the SMTP listener; the representative sees the same
kind of enquiry, and the raw submission is there if anything goes wrong.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy.orm import Session

from dashboard.intake import mime, pipeline
from dashboard.intake import settings as intake_settings
from dashboard.services.errors import ValidationError
from dashboard.services.outbox import valid_address
from dashboard.services.search import normalise_phone

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


def validate(name: str, email: str, phone: str | None, customer_number: str | None,
             subject: str, message: str) -> list[str]:
    """Each problem in plain words, in the order of the form's fields."""
    problems: list[str] = []
    if not 2 <= len(name.strip()) <= MAX_NAME or not _single_line(name):
        problems.append(f"Enter your name (2 to {MAX_NAME} characters, one line).")
    try:
        valid_address(email)
    except ValueError:
        problems.append("Enter a valid e-mail address, e.g. name@company.be.")
    if phone and phone.strip() and normalise_phone(phone) is None:
        problems.append("Enter a phone number such as +32 2 123 45 67, or leave it empty.")
    if customer_number and customer_number.strip() and not CUSTOMER_NUMBER.fullmatch(
            customer_number.strip().upper()):
        problems.append("A customer number looks like C100123 (see your invoices), "
                        "or leave it empty.")
    if not 3 <= len(subject.strip()) <= MAX_SUBJECT or not _single_line(subject):
        problems.append(f"Give your question a subject (3 to {MAX_SUBJECT} characters, "
                        "one line).")
    if not MIN_MESSAGE <= len(message.strip()) <= MAX_MESSAGE:
        problems.append(f"Write your question ({MIN_MESSAGE} to {MAX_MESSAGE:,} characters).")
    if "\0" in message:
        problems.append("The message contains characters that cannot be sent.")
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
