"""Peppol e-invoices: what the UBL document needs beyond the printed invoice, and where each
invoice's e-invoice is (sent, delivered, rejected with the receiver's reason, or not possible
because the customer is not on Peppol)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services.invoices import InvoiceDetail, get_invoice
from db.models import Customer, Invoice, Order

ENTERPRISE_NUMBER_SCHEME = "0208"  # Belgian KBO/BCE number
LUXEMBOURG_VAT_SCHEME = "9938"


class NoPeppolAddress(ValueError):
    """The customer has no Peppol address on file."""


@dataclass(frozen=True)
class Buyer:
    """What the e-invoice needs of the customer beyond the printed address."""

    endpoint_scheme: str
    endpoint_id: str
    vat_number: str | None       # compact, with its country prefix
    order_reference: str | None  # the customer's purchase order number
    email: str | None


@dataclass(frozen=True)
class Delivery:
    state: str | None    # None: not sent
    reason: str | None   # Peppol status reason code when rejected
    note: str | None     # the receiver's own words
    at: datetime | None


def endpoint_of(country: str, vat_number: str | None) -> str | None:
    """The Peppol address a VAT number gives: the enterprise number in Belgium (the
    Belgian mandate registers every company under 0208), the VAT number in Luxembourg."""
    if not vat_number:
        return None
    if country == "BE":
        return f"{ENTERPRISE_NUMBER_SCHEME}:{vat_number[2:]}"
    if country == "LU":
        return f"{LUXEMBOURG_VAT_SCHEME}:{vat_number}"
    return None


def e_invoice_source(*, session: Session, invoice_id: int
                     ) -> tuple[InvoiceDetail, Buyer] | None:
    """The invoice and its buyer's Peppol details; ``NoPeppolAddress`` if it has none."""
    detail = get_invoice(session=session, invoice_id=invoice_id)
    if detail is None:
        return None
    row = session.execute(
        select(Customer.peppol_endpoint, Customer.vat_number, Customer.email,
               Order.customer_po)
        .select_from(Invoice).join(Customer, Customer.id == Invoice.customer_id)
        .outerjoin(Order, Order.id == Invoice.order_id)
        .where(Invoice.id == invoice_id)).one()
    endpoint, vat_number, email, po = row
    if not endpoint or ":" not in endpoint:
        raise NoPeppolAddress(
            f"{detail.bill_to.name} has no Peppol address on file (no enterprise or VAT "
            "number): the e-invoice cannot be addressed.")
    scheme, identifier = endpoint.split(":", 1)
    return detail, Buyer(scheme, identifier, vat_number, po, email)


def delivery(*, session: Session, invoice_id: int) -> Delivery:
    row = session.execute(
        select(Invoice.einvoice_state, Invoice.einvoice_reason, Invoice.einvoice_note,
               Invoice.einvoice_at).where(Invoice.id == invoice_id)).one()
    return Delivery(*row)


def issued_between(*, session: Session, since: date, until: date | None = None) -> list[int]:
    """Ids of the invoices and credit notes issued from ``since`` (to ``until``), in order."""
    query = select(Invoice.id).where(Invoice.issue_date >= since)
    if until is not None:
        query = query.where(Invoice.issue_date <= until)
    return list(session.scalars(query.order_by(Invoice.issue_date, Invoice.number)))
