"""Sending documents to a customer: the e-mail in their language, queued in the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.formatting import LOCALES, day, money
from dashboard.services import outbox
from dashboard.services.invoices import InvoiceDetail
from dashboard.services.outbox import OutboundAttachment
from dashboard.services.statement import Statement
from dashboard.services.users import UserInfo

INVOICE_MAIL = {
    "en": ("{kind} {number}", "Dear {name},\n\nPlease find attached {kind_lower} {number} of "
           "{date}, amount {total}.\n{pay}\nKind regards,\n{sender}\n{vendor}"),
    "nl": ("{kind} {number}", "Beste {name},\n\nIn bijlage vindt u {kind_lower} {number} van "
           "{date}, bedrag {total}.\n{pay}\nMet vriendelijke groeten,\n{sender}\n{vendor}"),
    "fr": ("{kind} {number}", "Bonjour {name},\n\nVeuillez trouver ci-joint {kind_lower} "
           "{number} du {date}, montant {total}.\n{pay}\nCordialement,\n{sender}\n{vendor}"),
    "de": ("{kind} {number}", "Guten Tag {name},\n\nanbei erhalten Sie {kind_lower} {number} "
           "vom {date} über {total}.\n{pay}\nMit freundlichen Grüßen\n{sender}\n{vendor}"),
}
KIND_WORDS = {
    "en": {"invoice": ("Invoice", "invoice"), "credit_note": ("Credit note", "credit note")},
    "nl": {"invoice": ("Factuur", "factuur"), "credit_note": ("Creditnota", "creditnota")},
    "fr": {"invoice": ("Facture", "la facture"), "credit_note": ("Note de crédit",
                                                                  "la note de crédit")},
    "de": {"invoice": ("Rechnung", "die Rechnung"), "credit_note": ("Gutschrift",
                                                                     "die Gutschrift")},
}
PAY_LINE = {
    "en": "Please pay {open} by {due} with the structured reference {ref}.\n",
    "nl": "Gelieve {open} te betalen vóór {due} met de gestructureerde mededeling {ref}.\n",
    "fr": "Merci de régler {open} avant le {due} avec la communication structurée {ref}.\n",
    "de": "Bitte überweisen Sie {open} bis {due} mit der strukturierten Mitteilung {ref}.\n",
}
STATEMENT_MAIL = {
    "en": ("Statement of account {number} on {date}", "Dear {name},\n\nPlease find attached "
           "your statement of account on {date}. Open balance: {total}.\n\nKind regards,\n"
           "{sender}\n{vendor}"),
    "nl": ("Rekeninguittreksel {number} op {date}", "Beste {name},\n\nIn bijlage vindt u uw "
           "rekeninguittreksel op {date}. Openstaand saldo: {total}.\n\nMet vriendelijke "
           "groeten,\n{sender}\n{vendor}"),
    "fr": ("Relevé de compte {number} au {date}", "Bonjour {name},\n\nVeuillez trouver "
           "ci-joint votre relevé de compte au {date}. Solde ouvert : {total}.\n\n"
           "Cordialement,\n{sender}\n{vendor}"),
    "de": ("Kontoauszug {number} zum {date}", "Guten Tag {name},\n\nanbei erhalten Sie Ihren "
           "Kontoauszug zum {date}. Offener Saldo: {total}.\n\nMit freundlichen Grüßen\n"
           "{sender}\n{vendor}"),
}


def invoice_email(detail: InvoiceDetail, recipient: str, sender: str, vendor: str
                  ) -> tuple[str, str]:
    lang = detail.bill_to.language if detail.bill_to.language in INVOICE_MAIL else "en"
    locale = LOCALES[lang]
    kind, kind_lower = KIND_WORDS[lang][detail.kind]
    pay = ""
    if detail.kind == "invoice" and detail.open_cents > 0:
        pay = PAY_LINE[lang].format(open=money(detail.open_cents, locale),
                                    due=day(detail.due_date, locale),
                                    ref=detail.structured_reference)
    subject, body = INVOICE_MAIL[lang]
    values = {"kind": kind, "kind_lower": kind_lower, "number": detail.number,
              "date": day(detail.issue_date, locale),
              "total": money(abs(detail.total_cents), locale), "pay": pay, "name": recipient,
              "sender": sender, "vendor": vendor}
    return subject.format(**values), body.format(**values)


def statement_email(stmt: Statement, recipient: str, sender: str, vendor: str
                    ) -> tuple[str, str]:
    lang = stmt.bill_to.language if stmt.bill_to.language in STATEMENT_MAIL else "en"
    locale = LOCALES[lang]
    subject, body = STATEMENT_MAIL[lang]
    values = {"number": stmt.bill_to.customer_number, "date": day(stmt.as_of, locale),
              "total": money(stmt.total_cents, locale), "name": recipient, "sender": sender,
              "vendor": vendor}
    return subject.format(**values), body.format(**values)


def send_document(*, session: Session, kind: str, customer_id: int, to_address: str,
                  subject: str, body: str, filename: str, pdf: bytes, by: UserInfo) -> int:
    """Queue the e-mail with the PDF attached; the outbox sender delivers it."""
    return outbox.enqueue(
        session=session, kind=kind, to_address=to_address, subject=subject, body_text=body,
        customer_id=customer_id, created_by=by.id,
        attachments=(OutboundAttachment(filename, "application/pdf", pdf),))
