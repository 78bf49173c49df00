"""Portfolio receivables: ageing now and at past month ends, DSO, overdue and disputed.

The definitions are ``receivables`` (in words: ``metrics.BALANCE_DEFINITIONS``). Past months
come from the closed months (``closes``), kept per slice of the portfolio; today's ageing,
money on account and this month's sales are read live from the open items. The portfolio's
ageing is the sum of its customers' (each with their credits set against their own oldest
debts), so a customer's row here, their header and their statement agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, union_all
from sqlalchemy.orm import Session

from dashboard.services import closes, receivables
from dashboard.services.balances import (
    ON_ACCOUNT,
    STILL_OPEN,
    BalanceMonth,
    Customers,
    roomy_aggregates,
    scanned,
)
from dashboard.services.receivables import BUCKET_DAYS, BUCKETS, Position, bucket_for, counted
from db.models import Customer, Invoice, Payment, User

MONTH_ENDS = 12
TOP_LIMIT = 20
DSO_MONTHS = 3
# Closed months the page reads: DSO at the oldest month end shown needs the months before it.
HISTORY_MONTHS = MONTH_ENDS + DSO_MONTHS - 1


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


@dataclass(frozen=True)
class _Today:
    buckets: dict[str, int]
    disputed: dict[str, int]
    on_account_cents: int


def _bucket_of(due: Any, today: date) -> Any:
    """Index into BUCKETS of an amount due on ``due``, as ``bucket_for`` on today."""
    edges = [(due >= today - timedelta(days=last), i)
             for i, (_, last) in enumerate(BUCKET_DAYS.values()) if last is not None]
    return case(*edges, else_=len(BUCKETS) - 1)


def _counted_open(customers: Customers, today: date) -> list[ColumnElement[bool]]:
    """Open documents that count, issued by today. The issue date is ``scanned``: served by
    an index of every document by issue date (or by customer), SQLite would walk all of
    them rather than the few percent open (the partial index)."""
    return [STILL_OPEN, counted(), scanned(Invoice.issue_date) <= today,
            *customers.restrict(Invoice.customer_id)]


def _credits(customers: Customers, today: date) -> Any:
    """Customers with credit to set against what they owe (open credit notes, money on
    account), and how much: columns cid, credit. Few customers have any."""
    parts = union_all(
        select(Invoice.customer_id.label("cid"), (-Invoice.open_cents).label("credit"))
        .where(*_counted_open(customers, today), Invoice.open_cents < 0),
        select(Payment.customer_id.label("cid"), Payment.unallocated_cents.label("credit"))
        .where(ON_ACCOUNT, Payment.received_on <= today,
               *customers.restrict(Payment.customer_id))).subquery("parts")
    return (select(parts.c.cid, func.sum(parts.c.credit).label("credit"))
            .group_by(parts.c.cid)).cte("credits")  # read twice, worked out once


def _credits_applied(customers: Customers, today: date) -> Any:
    """``receivables.position`` in SQL for the customers with credit: one row per customer
    and bucket they owe in, with what is owed there and what is still owed once their credit
    is set against their oldest buckets first. Columns: cid, bucket, owed, aged."""
    credits = _credits(customers, today)
    bucket = _bucket_of(Invoice.due_date, today).label("bucket")
    # "+ 0": read from the few open items (partial index), not customer by customer.
    owed = (select(Invoice.customer_id.label("cid"), bucket,
                   func.sum(Invoice.open_cents).label("owed"))
            .where(*_counted_open(customers, today), Invoice.open_cents > 0,
                   (Invoice.customer_id + 0).in_(select(credits.c.cid)))
            .group_by(Invoice.customer_id, bucket)).subquery("owed")
    older = func.coalesce(func.sum(owed.c.owed).over(
        partition_by=owed.c.cid, order_by=owed.c.bucket.desc(), rows=(None, -1)), 0)
    left = credits.c.credit - older   # credit left for this bucket
    covered = case((left <= 0, 0), (left >= owed.c.owed, owed.c.owed), else_=left)
    return (select(owed.c.cid, owed.c.bucket, owed.c.owed,
                   (owed.c.owed - covered).label("aged"))
            .select_from(owed.join(credits, credits.c.cid == owed.c.cid))
            .subquery("applied"))


def _open_today(session: Session, customers: Customers, today: date) -> _Today:
    """Today's ageing (the sum of the customers' positions), the disputed open amounts by
    their due dates, and the money on account. What customers owe is summed by due date;
    only the customers with credit need it set against their own oldest debts."""
    buckets, disputed = dict.fromkeys(BUCKETS, 0), dict.fromkeys(BUCKETS, 0)
    owed_total = credit_notes = 0
    for due, owed, credited, disputed_cents in session.execute(
            select(Invoice.due_date,
                   func.sum(case((Invoice.open_cents > 0, Invoice.open_cents), else_=0)),
                   func.sum(case((Invoice.open_cents < 0, Invoice.open_cents), else_=0)),
                   func.sum(case((Invoice.is_disputed.is_(True), Invoice.open_cents),
                                 else_=0)))
            .where(*_counted_open(customers, today)).group_by(Invoice.due_date)):
        bucket = bucket_for((today - due).days)
        buckets[bucket] += int(owed)
        disputed[bucket] += int(disputed_cents)
        owed_total += int(owed)
        credit_notes += int(credited)
    applied = _credits_applied(customers, today)
    for index, covered in session.execute(
            select(applied.c.bucket, func.sum(applied.c.owed - applied.c.aged))
            .group_by(applied.c.bucket)):
        buckets[BUCKETS[int(index)]] -= int(covered)
    on_account = int(session.scalar(
        select(func.coalesce(func.sum(Payment.unallocated_cents), 0))
        .where(ON_ACCOUNT, Payment.received_on <= today,
               *customers.restrict(Payment.customer_id))) or 0)
    # Credit left over once a customer's debts are all covered shows as a negative current:
    # what the buckets must still lose so that they add up to the balance.
    balance = owed_total + credit_notes - on_account
    buckets["current"] -= sum(buckets.values()) - balance
    return _Today(buckets, disputed, on_account)


def _positions(session: Session, ids: list[int], today: date) -> dict[int, Position]:
    """The positions of a few customers, item by item (``receivables.position``)."""
    items: dict[int, list[tuple[date, int]]] = {cid: [] for cid in ids}
    for cid, due, cents in session.execute(
            select(Invoice.customer_id, Invoice.due_date, Invoice.open_cents)
            .where(Invoice.customer_id.in_(ids), STILL_OPEN, counted(),
                   Invoice.issue_date <= today)):
        items[cid].append((due, int(cents)))
    for cid, cents in session.execute(
            select(Payment.customer_id, Payment.unallocated_cents)
            .where(Payment.customer_id.in_(ids), ON_ACCOUNT, Payment.received_on <= today)):
        items[cid].append((today, -int(cents)))
    return {cid: receivables.position(mine, today) for cid, mine in items.items()}


def _this_month(session: Session, customers: Customers, today: date, balance_before: int
                ) -> BalanceMonth:
    """Invoiced, credited and paid from the first of the month up to today."""
    first = today.replace(day=1)
    is_invoice = Invoice.kind == "invoice"
    invoiced, credited = session.execute(
        select(func.coalesce(func.sum(case((is_invoice, Invoice.total_cents), else_=0)), 0),
               func.coalesce(func.sum(case((is_invoice, 0), else_=Invoice.total_cents)), 0))
        .where(Invoice.issue_date >= first, Invoice.issue_date <= today,
               counted(), *customers.restrict(Invoice.customer_id))).one()
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.received_on >= first, Payment.received_on <= today,
               *customers.restrict(Payment.customer_id))) or 0
    invoiced, credited, paid = int(invoiced), int(credited), int(paid)
    return BalanceMonth(first, invoiced, credited, paid,
                        balance_before + invoiced + credited - paid)


def portfolio(*, session: Session, customers: Customers, today: date,
              month_end_count: int = MONTH_ENDS) -> Portfolio:
    """Everything the balances page charts, for the customers chosen."""
    roomy_aggregates(session)
    history = closes.closed_months(
        session=session, customers=customers,
        months=closes.months_before(today, month_end_count + DSO_MONTHS - 1))
    now = _open_today(session, customers, today)
    ageing = [Ageing(m.month_end, m.buckets) for m in history[-month_end_count:]]
    ageing.append(Ageing(today, now.buckets))
    months = [BalanceMonth(m.month, m.invoiced_cents, m.credited_cents, m.paid_cents,
                           m.balance_cents) for m in history]
    months.append(_this_month(session, customers, today,
                              history[-1].balance_cents if history else 0))
    return Portfolio(
        customers=customers, today=today, ageing=tuple(ageing),
        months=tuple(months[-(month_end_count + 1):]),
        dso=tuple(dso_trend(ageing, months)),
        disputed_cents=sum(now.disputed.values()), disputed_by_bucket=now.disputed,
        on_account_cents=now.on_account_cents)


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
    # Credit only lowers what its holders owe: the largest of them, once it is set against
    # their debts, and the largest of everyone else, as owed.
    applied = _credits_applied(customers, today)
    overdue = func.sum(applied.c.aged)
    holders = session.execute(
        select(applied.c.cid, overdue).where(applied.c.bucket > 0).group_by(applied.c.cid)
        .having(overdue > 0).order_by(overdue.desc(), applied.c.cid).limit(limit)).all()
    past_due = func.sum(Invoice.open_cents)
    others = session.execute(
        select(Invoice.customer_id, past_due)
        .where(*_counted_open(customers, today), Invoice.open_cents > 0,
               Invoice.due_date < today,
               (Invoice.customer_id + 0).not_in(select(_credits(customers, today).c.cid)))
        .group_by(Invoice.customer_id).order_by(past_due.desc(), Invoice.customer_id)
        .limit(limit)).all()
    ids = [int(cid) for cid, _ in sorted([*holders, *others],
                                         key=lambda r: (-int(r[1]), int(r[0])))[:limit]]
    if not ids:
        return []
    positions = _positions(session, ids, today)
    details = {r[0]: r for r in session.execute(
        select(Customer.id, Customer.customer_number, Customer.name, Customer.segment,
               Customer.country, User.full_name)
        .outerjoin(User, User.id == Customer.account_manager_id)
        .where(Customer.id.in_(ids)))}
    disputed: dict[int, int] = {cid: int(cents or 0) for cid, cents in session.execute(
        select(Invoice.customer_id,
               func.sum(case((Invoice.is_disputed.is_(True), Invoice.open_cents), else_=0)))
        .where(Invoice.customer_id.in_(ids), STILL_OPEN, counted(),
               Invoice.issue_date <= today)
        .group_by(Invoice.customer_id))}
    result = []
    for cid in ids:
        _, number, name, segment, country, manager = details[cid]
        p = positions[cid]
        result.append(OverdueCustomer(
            cid, number, name, segment, country, manager, p.overdue_cents,
            p.severely_overdue_cents, p.oldest_due or today, p.balance_cents,
            disputed.get(cid, 0)))
    return result


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
                counted(), *customers.restrict(Invoice.customer_id)]
    total = session.scalar(select(func.count()).select_from(Invoice).where(*disputed)) or 0
    rows = session.execute(
        select(Invoice.id, Invoice.number, Customer.customer_number, Customer.name,
               Invoice.issue_date, Invoice.due_date, Invoice.open_cents,
               Invoice.dispute_reason)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*disputed).order_by(Invoice.open_cents.desc(), Invoice.id).limit(limit)).all()
    return [DisputedInvoice(*r) for r in rows], int(total)


@dataclass(frozen=True)
class OpenItem:
    invoice_id: int
    number: str
    kind: str                  # invoice or credit_note
    customer_number: str
    customer_name: str
    issue_date: date
    due_date: date
    days_past_due: int
    open_cents: int
    is_disputed: bool


@dataclass(frozen=True)
class BucketItems:
    """What makes up one bucket of today's ageing."""

    bucket: str
    rows: tuple[OpenItem, ...]      # the largest amounts first
    count: int                      # open invoices aged into the bucket
    documents_cents: int            # what they owe
    credits_cents: int              # credit notes and money on account set against them

    @property
    def total_cents(self) -> int:
        return self.documents_cents - self.credits_cents


def _aged_into(column: Any, bucket: str, today: date) -> list[ColumnElement[bool]]:
    """``column`` (a due date) puts an amount in ``bucket`` today."""
    first, last = BUCKET_DAYS[bucket]
    where = []
    if first is not None:
        where.append(column <= today - timedelta(days=first))
    if last is not None:
        where.append(column >= today - timedelta(days=last))
    return where


def bucket_items(*, session: Session, customers: Customers, today: date, bucket: str,
                 limit: int = TOP_LIMIT) -> BucketItems:
    """The open amounts owed in one bucket of today's ageing, largest first, and the credits
    set against them."""
    documents = [STILL_OPEN, Invoice.open_cents > 0, counted(), Invoice.issue_date <= today,
                 *_aged_into(Invoice.due_date, bucket, today),
                 *customers.restrict(Invoice.customer_id)]
    count, documents_cents = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.open_cents), 0))
        .where(*documents)).one()
    rows = session.execute(
        select(Invoice.id, Invoice.number, Invoice.kind, Customer.customer_number,
               Customer.name, Invoice.issue_date, Invoice.due_date, Invoice.open_cents,
               Invoice.is_disputed)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*documents)
        .order_by(Invoice.open_cents.desc(), Invoice.id).limit(limit))
    aged = _open_today(session, customers, today).buckets[bucket]
    return BucketItems(
        bucket,
        tuple(OpenItem(invoice_id, number, kind, customer_number, name, issued, due,
                       (today - due).days, int(open_cents), bool(disputed))
              for invoice_id, number, kind, customer_number, name, issued, due, open_cents,
              disputed in rows),
        int(count), int(documents_cents), int(documents_cents) - aged)


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
