"""Invoices and credit notes of a customer: the filtered list (paged in SQL) and one in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from stdnum.be import ogm_vcs

from dashboard import vat
from dashboard.formatting import format_vat
from dashboard.services.paging import Page
from db.models import (
    Contract,
    Customer,
    Invoice,
    InvoiceLine,
    Order,
    Payment,
    PaymentAllocation,
)

# What the representative can filter on; "overdue" is derived from the due date.
STATUS_FILTERS = ("open", "overdue", "partially_paid", "paid", "disputed", "cancelled")


@dataclass(frozen=True)
class InvoiceFilter:
    kinds: tuple[str, ...] = ()           # "invoice", "credit_note"; empty = both
    statuses: tuple[str, ...] = ()        # from STATUS_FILTERS; empty = all
    issued_from: date | None = None
    issued_to: date | None = None


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    kind: str
    issue_date: date
    due_date: date
    total_cents: int
    open_cents: int
    status: str
    is_disputed: bool
    order_number: str | None
    payment_reference: str

    def is_overdue(self, today: date) -> bool:
        return self.kind == "invoice" and self.open_cents > 0 and self.due_date < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_date).days if self.is_overdue(today) else 0


def structured_reference(digits: str) -> str:
    """'090933755493' -> '+++090/9337/55493+++' (the Belgian OGM/VCS layout)."""
    return f"+++{ogm_vcs.format(digits).strip('+')}+++" if digits else ""


def _filtered(customer_id: int, flt: InvoiceFilter, today: date) -> Select[Any]:
    query = select(Invoice).where(Invoice.customer_id == customer_id)
    if flt.kinds:
        query = query.where(Invoice.kind.in_(flt.kinds))
    if flt.issued_from:
        query = query.where(Invoice.issue_date >= flt.issued_from)
    if flt.issued_to:
        query = query.where(Invoice.issue_date <= flt.issued_to)
    if flt.statuses:
        conditions: list[ColumnElement[bool]] = []
        for status in flt.statuses:
            if status == "overdue":
                conditions.append(and_(Invoice.kind == "invoice", Invoice.open_cents > 0,
                                       Invoice.due_date < today))
            elif status == "disputed":
                conditions.append(Invoice.is_disputed.is_(True))
            elif status == "open":
                conditions.append(Invoice.open_cents != 0)
            else:
                conditions.append(Invoice.status == status)
        query = query.where(or_(*conditions))
    return query


def list_invoices(*, session: Session, customer_id: int, flt: InvoiceFilter, today: date,
                  limit: int = 50, offset: int = 0) -> Page[InvoiceRow]:
    base = _filtered(customer_id, flt, today).subquery()
    total = session.scalar(select(func.count()).select_from(base)) or 0
    inv = aliased(Invoice, base)
    rows = session.execute(
        select(inv, Order.order_number)
        .outerjoin(Order, Order.id == inv.order_id)
        .order_by(inv.issue_date.desc(), inv.id.desc())
        .limit(limit).offset(offset)
    )
    return Page(
        rows=[InvoiceRow(i.id, i.number, i.kind, i.issue_date, i.due_date, i.total_cents,
                         i.open_cents, i.status, i.is_disputed, order_number,
                         i.payment_reference)
              for i, order_number in rows],
        total=int(total), limit=limit, offset=offset,
    )


@dataclass(frozen=True)
class LineDetail:
    line_no: int
    description: str
    quantity: int
    unit_price_cents: int
    vat_rate_pct: int
    net_cents: int
    vat_cents: int
    vat_category: str = "S"  # UNCL 5305, see dashboard.vat


@dataclass(frozen=True)
class VatGroup:
    rate_pct: int
    net_cents: int
    vat_cents: int
    category: str = "S"


@dataclass(frozen=True)
class Settlement:
    """Money or a credit note applied to the invoice (or, for a credit note, where it went)."""

    on: date
    source: str       # "payment" or "credit_note"
    reference: str    # bank reference or document number
    amount_cents: int


@dataclass(frozen=True)
class BillTo:
    name: str
    customer_number: str
    vat_number: str | None
    street: str
    postal_code: str
    city: str
    country: str
    language: str


@dataclass(frozen=True)
class InvoiceDetail:
    id: int
    customer_id: int
    number: str
    kind: str
    status: str
    is_disputed: bool
    dispute_reason: str | None
    issue_date: date
    due_date: date
    payment_reference: str
    net_cents: int
    vat_cents: int
    total_cents: int
    open_cents: int
    bill_to: BillTo
    order_number: str | None
    contract_number: str | None
    credited_invoice: str | None            # for a credit note: the invoice it credits
    credit_notes: tuple[str, ...] = ()       # for an invoice: credit notes against it
    lines: tuple[LineDetail, ...] = ()
    vat_groups: tuple[VatGroup, ...] = ()
    settlements: tuple[Settlement, ...] = field(default_factory=tuple)

    @property
    def structured_reference(self) -> str:
        return structured_reference(self.payment_reference)

    @property
    def paid_cents(self) -> int:
        return self.total_cents - self.open_cents

    @property
    def reverse_charged(self) -> bool:
        """Some line is reverse-charged: the document must carry the legal mention."""
        return any(ln.vat_category == vat.REVERSE_CHARGE for ln in self.lines)


def get_invoice(*, session: Session, invoice_id: int) -> InvoiceDetail | None:
    row = session.execute(
        select(Invoice, Customer, Order.order_number, Contract.contract_number)
        .join(Customer, Customer.id == Invoice.customer_id)
        .outerjoin(Order, Order.id == Invoice.order_id)
        .outerjoin(Contract, Contract.id == Invoice.contract_id)
        .where(Invoice.id == invoice_id)
    ).first()
    if row is None:
        return None
    inv, customer, order_number, contract_number = row
    lines = tuple(
        LineDetail(ln.line_no, ln.description, ln.quantity, ln.unit_price_cents,
                   ln.vat_rate_pct, ln.net_cents, ln.vat_cents, ln.vat_category)
        for ln in session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)
                                  .order_by(InvoiceLine.line_no))
    )
    groups: dict[tuple[int, str], list[int]] = {}
    for ln in lines:
        group = groups.setdefault((ln.vat_rate_pct, ln.vat_category), [0, 0])
        group[0] += ln.net_cents
        group[1] += ln.vat_cents
    credited = (session.scalar(select(Invoice.number)
                               .where(Invoice.id == inv.credited_invoice_id))
                if inv.credited_invoice_id else None)
    credit_notes = tuple(session.scalars(
        select(Invoice.number).where(Invoice.credited_invoice_id == inv.id)
        .order_by(Invoice.issue_date, Invoice.id)))
    return InvoiceDetail(
        id=inv.id, customer_id=customer.id, number=inv.number, kind=inv.kind,
        status=inv.status, is_disputed=inv.is_disputed, dispute_reason=inv.dispute_reason,
        issue_date=inv.issue_date, due_date=inv.due_date,
        payment_reference=inv.payment_reference, net_cents=inv.net_cents,
        vat_cents=inv.vat_cents, total_cents=inv.total_cents, open_cents=inv.open_cents,
        bill_to=BillTo(customer.name, customer.customer_number,
                       format_vat(customer.vat_number), customer.street,
                       customer.postal_code, customer.city, customer.country,
                       customer.language),
        order_number=order_number, contract_number=contract_number,
        credited_invoice=credited, credit_notes=credit_notes, lines=lines,
        vat_groups=tuple(VatGroup(rate, net, tax, category)
                         for (rate, category), (net, tax) in sorted(groups.items())),
        settlements=_settlements(session, inv),
    )


def _settlements(session: Session, inv: Invoice) -> tuple[Settlement, ...]:
    credit_note = aliased(Invoice)
    target = aliased(Invoice)
    if inv.kind == "invoice":
        query = (
            select(PaymentAllocation.allocated_on, PaymentAllocation.amount_cents,
                   Payment.bank_reference, credit_note.number)
            .outerjoin(Payment, Payment.id == PaymentAllocation.payment_id)
            .outerjoin(credit_note, credit_note.id == PaymentAllocation.credit_note_id)
            .where(PaymentAllocation.invoice_id == inv.id)
        )
    else:  # where this credit note was used
        query = (
            select(PaymentAllocation.allocated_on, PaymentAllocation.amount_cents,
                   Payment.bank_reference, target.number)
            .outerjoin(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(target, target.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.credit_note_id == inv.id)
        )
    rows = session.execute(query.order_by(PaymentAllocation.allocated_on,
                                          PaymentAllocation.id))
    return tuple(
        Settlement(on, "payment" if bank_ref else "credit_note", bank_ref or number, amount)
        for on, amount, bank_ref, number in rows
    )
