"""Statement of account: open items as of a date, running balance and ageing buckets.

Each item is listed with its days past due on the statement date; the ageing follows the
one definition in ``receivables`` (credits set against the oldest amounts due first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dashboard.formatting import format_vat
from dashboard.services.invoices import BillTo, structured_reference
from dashboard.services.receivables import (
    BUCKET_DAYS,
    BUCKET_LABELS,
    BUCKETS,
    bucket_for,
    counted,
    position,
)
from db.models import Customer, Invoice, Payment, PaymentAllocation

__all__ = ["BUCKETS", "BUCKET_DAYS", "BUCKET_LABELS", "Statement", "StatementItem",
           "bucket_for", "statement"]


@dataclass(frozen=True)
class StatementItem:
    kind: str              # "invoice", "credit_note" or "payment"
    number: str            # document number, or the payment's bank reference
    document_date: date
    due_date: date
    original_cents: int    # signed: invoices +, credit notes and payments -
    open_cents: int        # signed, what is still open on the statement date
    balance_cents: int     # running balance after this item
    days_past_due: int
    bucket: str            # by its own due date (the ageing sets credits against debts)
    reference: str         # structured reference to pay with, when there is one


@dataclass(frozen=True)
class Statement:
    customer_id: int
    bill_to: BillTo
    as_of: date
    items: tuple[StatementItem, ...]
    ageing: dict[str, int]

    @property
    def total_cents(self) -> int:
        return sum(self.ageing.values())

    @property
    def overdue_cents(self) -> int:
        return sum(v for k, v in self.ageing.items() if k != "current")


def statement(*, session: Session, customer_id: int, as_of: date) -> Statement | None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    entries = _open_documents(session, customer_id, as_of) + _open_payments(
        session, customer_id, as_of)
    entries.sort(key=lambda e: (e[2], e[1]))
    items: list[StatementItem] = []
    balance = 0
    for kind, number, doc_date, due, original, open_cents, reference in entries:
        balance += open_cents
        days = (as_of - due).days
        bucket = bucket_for(days)
        items.append(StatementItem(kind, number, doc_date, due, original, open_cents, balance,
                                   max(days, 0), bucket, reference))
    return Statement(
        customer_id=customer.id,
        bill_to=BillTo(customer.name, customer.customer_number, format_vat(customer.vat_number),
                       customer.street, customer.postal_code, customer.city, customer.country,
                       customer.language),
        as_of=as_of, items=tuple(items),
        ageing=position(((i.due_date, i.open_cents) for i in items), as_of).ageing,
    )


Entry = tuple[str, str, date, date, int, int, str]


def _open_documents(session: Session, customer_id: int, as_of: date) -> list[Entry]:
    # What was settled by the statement date, on each side of an allocation.
    # Only this customer's documents: the allocations are reached through their indexes.
    mine = select(Invoice.id).where(Invoice.customer_id == customer_id)
    received = (
        select(PaymentAllocation.invoice_id.label("doc_id"),
               func.sum(PaymentAllocation.amount_cents).label("amount"))
        .where(PaymentAllocation.allocated_on <= as_of, PaymentAllocation.invoice_id.in_(mine))
        .group_by(PaymentAllocation.invoice_id).subquery()
    )
    used = (
        select(PaymentAllocation.credit_note_id.label("doc_id"),
               func.sum(PaymentAllocation.amount_cents).label("amount"))
        .where(PaymentAllocation.allocated_on <= as_of,
               PaymentAllocation.credit_note_id.in_(mine))
        .group_by(PaymentAllocation.credit_note_id).subquery()
    )
    open_amount = (Invoice.total_cents - func.coalesce(received.c.amount, 0)
                   + func.coalesce(used.c.amount, 0))
    rows = session.execute(
        select(Invoice.kind, Invoice.number, Invoice.issue_date, Invoice.due_date,
               Invoice.total_cents, open_amount, Invoice.payment_reference)
        .outerjoin(received, received.c.doc_id == Invoice.id)
        .outerjoin(used, used.c.doc_id == Invoice.id)
        .where(Invoice.customer_id == customer_id, Invoice.issue_date <= as_of,
               counted(), open_amount != 0)
    )
    return [(kind, number, issued, due, int(total), int(open_cents),
             structured_reference(ref) if kind == "invoice" else "")
            for kind, number, issued, due, total, open_cents, ref in rows]


def _open_payments(session: Session, customer_id: int, as_of: date) -> list[Entry]:
    payments = select(Payment.id).where(Payment.customer_id == customer_id)
    allocated = (
        select(PaymentAllocation.payment_id.label("payment_id"),
               func.sum(PaymentAllocation.amount_cents).label("amount"))
        .where(PaymentAllocation.allocated_on <= as_of,
               PaymentAllocation.payment_id.in_(payments))
        .group_by(PaymentAllocation.payment_id).subquery()
    )
    unallocated = Payment.amount_cents - func.coalesce(allocated.c.amount, 0)
    rows = session.execute(
        select(Payment.bank_reference, Payment.received_on, Payment.amount_cents, unallocated)
        .outerjoin(allocated, and_(allocated.c.payment_id == Payment.id))
        .where(Payment.customer_id == customer_id, Payment.received_on <= as_of,
               unallocated != 0)
    )
    return [("payment", ref, received, received, -int(amount), -int(open_cents), "")
            for ref, received, amount, open_cents in rows]
