"""Account balance over time: invoiced, credited and paid per month, and the balance after.

The same computation serves the customer page and, for many customers at once, the
portfolio charts: monthly sums in SQL, the running balance added up over those few rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import Invoice, Payment


@dataclass(frozen=True)
class BalanceMonth:
    month: date            # first day of the month
    invoiced_cents: int
    credited_cents: int    # negative
    paid_cents: int        # positive, money received
    balance_cents: int     # at the end of the month


def month_of(session: Session, column: Any) -> Any:
    """'YYYY-MM' of a date column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _first_of_month(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def balance_history(*, session: Session, customer_id: int, today: date,
                    months: int = 24) -> list[BalanceMonth]:
    start = _months_back(today, months)
    live = Invoice.status != "cancelled"
    opening_docs = session.scalar(
        select(func.coalesce(func.sum(Invoice.total_cents), 0))
        .where(Invoice.customer_id == customer_id, live, Invoice.issue_date < start)) or 0
    opening_paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.customer_id == customer_id, Payment.received_on < start)) or 0
    doc_month = month_of(session, Invoice.issue_date)
    docs = {
        key: (int(inv), int(cred)) for key, inv, cred in session.execute(
            select(doc_month,
                   func.sum(case((Invoice.kind == "invoice", Invoice.total_cents), else_=0)),
                   func.sum(case((Invoice.kind == "credit_note", Invoice.total_cents), else_=0)))
            .where(Invoice.customer_id == customer_id, live, Invoice.issue_date >= start,
                   Invoice.issue_date <= today)
            .group_by(doc_month))
    }
    pay_month = month_of(session, Payment.received_on)
    paid = {
        key: int(amount) for key, amount in session.execute(
            select(pay_month, func.sum(Payment.amount_cents))
            .where(Payment.customer_id == customer_id, Payment.received_on >= start,
                   Payment.received_on <= today)
            .group_by(pay_month))
    }
    balance = int(opening_docs) - int(opening_paid)
    result = []
    month = start
    while month <= today:
        key = f"{month.year:04d}-{month.month:02d}"
        invoiced, credited = docs.get(key, (0, 0))
        received = paid.get(key, 0)
        balance += invoiced + credited - received
        result.append(BalanceMonth(month, invoiced, credited, received, balance))
        month = _first_of_month(f"{month.year + month.month // 12:04d}-{month.month % 12 + 1:02d}")
    return result
