"""Portfolio receivables: ageing now and at past month ends, DSO, overdue and disputed.

The definitions are ``metrics.BALANCE_DEFINITIONS``. Ageing is the statement's
(``statement.bucket_for`` on days past the due date; money on account by the day received),
for many customers at once. Amounts are summed in SQL into groups by due date (and issue
and allocation month); the buckets of each month end are added up over those groups.

An amount open at a past month end is what is open now plus what was allocated after that
month end, so only allocations since the first month end shown are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from dashboard.services.balances import (
    BalanceMonth,
    Customers,
    DocumentGroup,
    PaymentDay,
    document_groups,
    month_of,
    monthly_balances,
    payment_days,
    roomy_aggregates,
)
from dashboard.services.statement import BUCKETS
from db.models import Customer, Invoice, Payment, PaymentAllocation, User

MONTH_ENDS = 12
TOP_LIMIT = 20
DSO_MONTHS = 3
# Upper day limits of the buckets but the last, as statement.bucket_for draws them.
_BUCKET_EDGES = np.array([0, 30, 60, 90])


def bucket_index(days_past_due: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """statement.bucket_for for many at once: index into BUCKETS."""
    return np.asarray(np.searchsorted(_BUCKET_EDGES, days_past_due, side="left"),
                      dtype=np.int64)


def month_ends(today: date, count: int = MONTH_ENDS) -> list[date]:
    """The last ``count`` month ends before today, oldest first, then today."""
    ends: list[date] = []
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(count):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return [*reversed(ends), today]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True)
class Ageing:
    as_of: date
    buckets: dict[str, int]    # cents per BUCKETS key

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values())

    @property
    def overdue_cents(self) -> int:
        return sum(v for k, v in self.buckets.items() if k != "current")


@dataclass
class _Amounts:
    """Signed amounts, the day they age from, and the months that decide if they count."""

    ages_from: list[int]       # date ordinals (due date, or payment received)
    cents: list[int]
    since_month: list[int]     # counts at month ends from this month index on
    until_month: list[int]     # ... and before this one (allocated after the month end)

    def add(self, ages_from: date, cents: int, since: int, until: int) -> None:
        self.ages_from.append(ages_from.toordinal())
        self.cents.append(cents)
        self.since_month.append(since)
        self.until_month.append(until)

    def buckets_at(self, as_of: date) -> dict[str, int]:
        month = _month_index(as_of)
        since, until = np.array(self.since_month), np.array(self.until_month)
        counts = (since <= month) & (month < until)
        days = as_of.toordinal() - np.array(self.ages_from, dtype=np.int64)[counts]
        sums = np.bincount(bucket_index(days), minlength=len(BUCKETS),
                           weights=np.array(self.cents, dtype=np.float64)[counts])
        return {b: round(float(v)) for b, v in zip(BUCKETS, sums, strict=True)}


_ALWAYS = 10**6  # a month index after any month end


def _allocated_after(session: Session, customers: Customers, side: str, after: date
                     ) -> list[tuple[date, date | None, str, int]]:
    """Allocations made after ``after``, per (due or received date, issue month, month
    allocated): what they settled (``side`` "invoice"), used ("credit_note") or
    spent ("payment")."""
    allocated = month_of(session, PaymentAllocation.allocated_on)
    group: tuple[Any, ...]
    if side == "payment":
        paid = aliased(Payment)
        keys: tuple[Any, ...] = (paid.received_on, None)
        source = (select(paid.received_on, allocated, func.sum(PaymentAllocation.amount_cents))
                  .join(paid, paid.id == PaymentAllocation.payment_id)
                  .where(*customers.restrict(paid.customer_id)))
        group = (allocated, paid.received_on)
    else:
        doc = aliased(Invoice)
        link = PaymentAllocation.invoice_id if side == "invoice" else (
            PaymentAllocation.credit_note_id)
        issued = month_of(session, doc.issue_date)
        keys = (doc.due_date, issued)
        source = (select(doc.due_date, issued, allocated,
                         func.sum(PaymentAllocation.amount_cents))
                  .join(doc, doc.id == link)
                  .where(doc.status != "cancelled", *customers.restrict(doc.customer_id)))
        group = (allocated, doc.due_date, issued)
    # Grouped by the allocation month first, SQLite reads the allocations and looks each
    # document up by its key, instead of walking every document by due date.
    rows = session.execute(source.where(PaymentAllocation.allocated_on > after)
                           .group_by(*group)).all()
    if keys[1] is None:
        return [(day, None, month, int(cents)) for day, month, cents in rows]
    return [(due, _first(issued_key), month, int(cents))
            for due, issued_key, month, cents in rows]


def _first(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _key_index(key: str) -> int:
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def ageing_over_time(*, session: Session, customers: Customers, groups: Sequence[DocumentGroup],
                     payments: Sequence[PaymentDay], as_of: Sequence[date]) -> list[Ageing]:
    """Receivables by ageing bucket on each day of ``as_of`` (month ends, and today last)."""
    amounts = _Amounts([], [], [], [])
    for g in groups:  # open now: counts wherever the document was issued by then
        amounts.add(g.due_date, g.open_cents, _month_index(g.issue_month), _ALWAYS)
    for p in payments:  # on account now, since the month it came in
        amounts.add(p.received_on, -p.unallocated_cents, _month_index(p.received_on), _ALWAYS)
    first = min(as_of)
    for side, sign in (("invoice", 1), ("credit_note", -1), ("payment", -1)):
        for day, issued, allocated, cents in _allocated_after(session, customers, side, first):
            since = _month_index(issued or day)
            amounts.add(day, sign * cents, since, _key_index(allocated))
    return [Ageing(day, amounts.buckets_at(day)) for day in as_of]


@dataclass(frozen=True)
class DsoPoint:
    month_end: date
    receivables_cents: int
    sales_cents: int          # invoiced less credit notes in the DSO window
    days: int                 # calendar days in that window

    @property
    def dso(self) -> float | None:
        return self.receivables_cents / self.sales_cents * self.days if self.sales_cents > 0 \
            else None


def dso_trend(ageing: Sequence[Ageing], months: Sequence[BalanceMonth]) -> list[DsoPoint]:
    """DSO on each ageing day: its receivables over the sales of the DSO_MONTHS months up to
    it (the current month up to today)."""
    sales = {m.month: m.invoiced_cents + m.credited_cents for m in months}
    points = []
    for point in ageing:
        first = point.as_of.replace(day=1)
        for _ in range(DSO_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        window = [m for m in sales if first <= m <= point.as_of]
        points.append(DsoPoint(point.as_of, point.total_cents, sum(sales[m] for m in window),
                               (point.as_of - first).days + 1))
    return points


@dataclass(frozen=True)
class Portfolio:
    customers: Customers
    today: date
    ageing: tuple[Ageing, ...]      # month ends, then today
    months: tuple[BalanceMonth, ...]
    dso: tuple[DsoPoint, ...]
    disputed_cents: int
    disputed_by_bucket: dict[str, int]
    on_account_cents: int

    @property
    def now(self) -> Ageing:
        return self.ageing[-1]


def portfolio(*, session: Session, customers: Customers, today: date,
              month_end_count: int = MONTH_ENDS) -> Portfolio:
    """Everything the balances page charts, for the customers chosen."""
    roomy_aggregates(session)
    groups = document_groups(session=session, customers=customers, today=today)
    payments = payment_days(session=session, customers=customers, today=today)
    ends = month_ends(today, month_end_count)
    ageing = ageing_over_time(session=session, customers=customers, groups=groups,
                              payments=payments, as_of=ends)
    months = monthly_balances(groups, payments, today, month_end_count + DSO_MONTHS)
    disputed = _Amounts([], [], [], [])
    for g in groups:
        disputed.add(g.due_date, g.disputed_open_cents, 0, _ALWAYS)
    by_bucket = disputed.buckets_at(today)
    return Portfolio(
        customers=customers, today=today, ageing=tuple(ageing),
        months=tuple(months[-(month_end_count + 1):]),
        dso=tuple(dso_trend(ageing, months)),
        disputed_cents=sum(by_bucket.values()), disputed_by_bucket=by_bucket,
        on_account_cents=sum(p.unallocated_cents for p in payments))


# --- lists behind the numbers ----------------------------------------------------------------

@dataclass(frozen=True)
class OverdueCustomer:
    customer_id: int
    customer_number: str
    name: str
    segment: str
    country: str
    account_manager: str | None
    overdue_cents: int
    over_90_cents: int
    oldest_due: date
    balance_cents: int
    disputed_cents: int


def top_overdue(*, session: Session, customers: Customers, today: date,
                limit: int = TOP_LIMIT) -> list[OverdueCustomer]:
    """The customers who owe most past due (the customer header's "Overdue"), largest first."""
    roomy_aggregates(session)
    overdue = and_(Invoice.open_cents > 0, Invoice.due_date < today,
                   Invoice.status != "cancelled")
    severe = Invoice.due_date < today - timedelta(days=90)
    worst = (select(Invoice.customer_id, func.sum(Invoice.open_cents).label("overdue"),
                    func.sum(case((severe, Invoice.open_cents), else_=0)).label("severe"),
                    func.min(Invoice.due_date).label("oldest"))
             .where(overdue, *customers.restrict(Invoice.customer_id))
             .group_by(Invoice.customer_id)
             .order_by(func.sum(Invoice.open_cents).desc(), Invoice.customer_id)
             .limit(limit)).subquery()
    rows = session.execute(
        select(Customer.id, Customer.customer_number, Customer.name, Customer.segment,
               Customer.country, User.full_name, worst.c.overdue, worst.c.severe,
               worst.c.oldest)
        .join(worst, worst.c.customer_id == Customer.id)
        .outerjoin(User, User.id == Customer.account_manager_id)
        .order_by(worst.c.overdue.desc(), Customer.id)).all()
    ids = [r[0] for r in rows]
    balances, disputed = _balances_of(session, ids)
    return [OverdueCustomer(cid, number, name, segment, country, manager, int(over),
                            int(severe_cents), oldest, balances.get(cid, 0),
                            disputed.get(cid, 0))
            for cid, number, name, segment, country, manager, over, severe_cents, oldest
            in rows]


def _balances_of(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Balance (open documents less money on account) and disputed open amount per customer."""
    if not ids:
        return {}, {}
    docs = session.execute(
        select(Invoice.customer_id, func.sum(Invoice.open_cents),
               func.sum(case((Invoice.is_disputed.is_(True), Invoice.open_cents), else_=0)))
        .where(Invoice.customer_id.in_(ids), Invoice.status != "cancelled",
               Invoice.open_cents != 0)
        .group_by(Invoice.customer_id)).all()
    on_account = dict(session.execute(
        select(Payment.customer_id, func.sum(Payment.unallocated_cents))
        .where(Payment.customer_id.in_(ids)).group_by(Payment.customer_id)).all())
    balances = {cid: int(open_cents) - int(on_account.get(cid) or 0)
                for cid, open_cents, _ in docs}
    for cid, cents in on_account.items():
        balances.setdefault(cid, -int(cents or 0))
    return balances, {cid: int(d) for cid, _, d in docs}


@dataclass(frozen=True)
class DisputedInvoice:
    invoice_id: int
    number: str
    customer_number: str
    customer_name: str
    issue_date: date
    due_date: date
    open_cents: int
    reason: str | None


def disputed_invoices(*, session: Session, customers: Customers, limit: int = TOP_LIMIT
                      ) -> tuple[list[DisputedInvoice], int]:
    """The largest open disputed invoices, and how many there are in all."""
    disputed = [Invoice.is_disputed.is_(True), Invoice.open_cents != 0,
                Invoice.status != "cancelled", *customers.restrict(Invoice.customer_id)]
    total = session.scalar(select(func.count()).select_from(Invoice).where(*disputed)) or 0
    rows = session.execute(
        select(Invoice.id, Invoice.number, Customer.customer_number, Customer.name,
               Invoice.issue_date, Invoice.due_date, Invoice.open_cents,
               Invoice.dispute_reason)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*disputed).order_by(Invoice.open_cents.desc(), Invoice.id).limit(limit)).all()
    return [DisputedInvoice(*r) for r in rows], int(total)


@dataclass(frozen=True)
class ManagerOption:
    id: int
    name: str


def account_managers(*, session: Session) -> list[ManagerOption]:
    """People who manage at least one customer."""
    managers = select(Customer.account_manager_id).where(
        Customer.account_manager_id.is_not(None)).distinct()
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(managers))
                           .order_by(User.full_name))
    return [ManagerOption(*r) for r in rows]
