"""Sending documents to a customer: the e-mail in their language, queued in the outbox,
and only as far as the caller on the line may be told.

Invoices and statements go to a contact on file for the customer, at the request of a
verified caller whose tier allows financial documents. An address that is not on file
needs such a caller *and* a reason, and the override is kept in the audit log. A disputed
invoice goes with a text that does not ask for payment.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.formatting import LOCALES, day, money
from dashboard.services import audit, outbox
from dashboard.services.customers import FINANCE_TIERS, Caller
from dashboard.services.errors import ValidationError
from dashboard.services.invoices import InvoiceDetail
from dashboard.services.outbox import OutboundAttachment
from dashboard.services.statement import Statement
from dashboard.services.users import UserInfo
from db.models import Contact

MIN_REASON_LENGTH = 5

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
DISPUTED_LINE = {
    "en": "This invoice is under review following your query; no payment is asked for it "
          "until the review is complete.\n",
    "nl": "Deze factuur wordt nagekeken naar aanleiding van uw vraag; er wordt geen betaling "
          "gevraagd zolang dat onderzoek loopt.\n",
    "fr": "Cette facture est en cours de vérification suite à votre demande ; aucun paiement "
          "n'est demandé tant que la vérification n'est pas terminée.\n",
    "de": "Diese Rechnung wird aufgrund Ihrer Rückfrage geprüft; bis zum Abschluss der Prüfung "
          "wird keine Zahlung verlangt.\n",
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


def invoice_email(detail: InvoiceDetail, recipient: str, sender: str, vendor: str,
                  language: str | None = None) -> tuple[str, str]:
    """Subject and body, in ``language`` (the contact's) or else the customer's."""
    wanted = language or detail.bill_to.language
    lang = wanted if wanted in INVOICE_MAIL else "en"
    locale = LOCALES[lang]
    kind, kind_lower = KIND_WORDS[lang][detail.kind]
    pay = ""
    if detail.kind == "invoice" and detail.is_disputed:
        pay = DISPUTED_LINE[lang]
    elif detail.kind == "invoice" and detail.open_cents > 0:
        pay = PAY_LINE[lang].format(open=money(detail.open_cents, locale),
                                    due=day(detail.due_date, locale),
                                    ref=detail.structured_reference)
    subject, body = INVOICE_MAIL[lang]
    values = {"kind": kind, "kind_lower": kind_lower, "number": detail.number,
              "date": day(detail.issue_date, locale),
              "total": money(abs(detail.total_cents), locale), "pay": pay, "name": recipient,
              "sender": sender, "vendor": vendor}
    return subject.format(**values), body.format(**values)


def statement_email(stmt: Statement, recipient: str, sender: str, vendor: str,
                    language: str | None = None) -> tuple[str, str]:
    wanted = language or stmt.bill_to.language
    lang = wanted if wanted in STATEMENT_MAIL else "en"
    locale = LOCALES[lang]
    subject, body = STATEMENT_MAIL[lang]
    values = {"number": stmt.bill_to.customer_number, "date": day(stmt.as_of, locale),
              "total": money(stmt.total_cents, locale), "name": recipient, "sender": sender,
              "vendor": vendor}
    return subject.format(**values), body.format(**values)


def contacts_on_file(session: Session, customer_id: int) -> dict[str, int]:
    """The customer's contact e-mail addresses (lower case) and whose they are."""
    rows = session.execute(select(func.lower(Contact.email), Contact.id)
                           .where(Contact.customer_id == customer_id,
                                  Contact.email.is_not(None)))
    return {email.strip(): contact_id for email, contact_id in rows if email}


def refusal(*, caller: Caller, on_file: bool, reason: str) -> str | None:
    """Why this document may not be sent now, or None when it may."""
    if not caller.verified:
        return (f"{caller.name} is not verified: nothing may be sent at the request of an "
                "unverified caller. Confirm who is calling in the caller panel first.")
    if caller.tier not in FINANCE_TIERS:
        return (f"{caller.name} is a {caller.tier} contact: invoices and statements are sent "
                "only at the request of an entitled contact.")
    if not on_file and len(reason.strip()) < MIN_REASON_LENGTH:
        return ("That address is not on file for this customer. Choose a contact, or say why "
                "it must go to this address (kept in the audit log).")
    return None


def send_document(*, session: Session, kind: str, customer_id: int, to_address: str,
                  subject: str, body: str, filename: str, pdf: bytes, by: UserInfo,
                  caller: Caller, reason: str = "") -> int:
    """Queue the e-mail with the PDF attached, if the caller may have it sent; the outbox
    sender delivers it. Raises ValidationError with the reason when it may not go."""
    address = to_address.strip()
    if not address:
        raise ValidationError(["Choose a contact or type an address."])
    on_file = contacts_on_file(session, customer_id)
    recipient = on_file.get(address.lower())
    if why := refusal(caller=caller, on_file=recipient is not None, reason=reason):
        raise ValidationError([why])
    outbound_id = outbox.enqueue(
        session=session, kind=kind, to_address=address, subject=subject, body_text=body,
        customer_id=customer_id, created_by=by.id,
        attachments=(OutboundAttachment(filename, "application/pdf", pdf),))
    audit.record(session=session, action="document_sent" if recipient is not None
                 else "document_sent_to_typed_address", user_id=by.id, username=by.username,
                 entity_type="outbound_message", entity_id=outbound_id,
                 after={"customer_id": customer_id, "kind": kind, "file": filename,
                        "to": address, "contact_id": recipient,
                        "caller_contact_id": caller.contact_id, "caller_tier": caller.tier,
                        "verification": caller.verification,
                        **({"reason": reason.strip()} if recipient is None else {})})
    return outbound_id
