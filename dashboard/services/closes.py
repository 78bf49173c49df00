"""Closed months of the receivables portfolio: each month's sales and payments, and the
balance and ageing at its last day.

Working out a past month end means reading every document and every allocation made since
(seconds over a million invoices), so a month is worked out once, the first time it is
needed after it has ended, and kept in ``receivable_months``. It is kept per *slice*: the
customers of one segment, country and account manager, as they were when the month was
closed, which is what the balances page filters by. A payment allocated later but dated
inside a closed month does not change it, as in any ledger with closed periods;
``close_months(recompute=True)`` (``python -m dashboard balances close --recompute``) works
such months out again.

How a month end is reconstructed: an amount open at a month end is what is open now plus
what was allocated after that month end; money on account likewise. What counts and how it
ages is ``receivables``: per customer, their credits set against their oldest debts, then
added up per slice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, aliased

from dashboard.services import audit
from dashboard.services.balances import (
    ON_ACCOUNT,
    STILL_OPEN,
    Customers,
    month_of,
    roomy_aggregates,
)
from dashboard.services.receivables import BUCKET_DAYS, BUCKETS, apply_credits, counted
from db.models import (
    Customer,
    Invoice,
    Payment,
    PaymentAllocation,
    ReceivableClose,
    ReceivableMonth,
)

log = logging.getLogger(__name__)

Slice = tuple[str, str, int | None]   # segment, country, account manager
# The last day past due of each bucket but the open-ended one.
_BUCKET_EDGES = np.array([last for _, last in BUCKET_DAYS.values() if last is not None])
_BUCKET_COLUMNS = ("current_cents", "days_1_30_cents", "days_31_60_cents",
                   "days_61_90_cents", "days_90_plus_cents")
_FLOW_COLUMNS = ("invoiced_cents", "credited_cents", "paid_cents", "balance_cents")
_ALWAYS = 10**6  # a month index after any month


def bucket_index(days_past_due: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """receivables.bucket_for for many at once: index into BUCKETS."""
    return np.asarray(np.searchsorted(_BUCKET_EDGES, days_past_due, side="left"),
                      dtype=np.int64)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)


def months_before(today: date, count: int) -> list[date]:
    """First days of the ``count`` months before today's, oldest first."""
    current = month_index(today)
    return [date(i // 12, i % 12 + 1, 1) for i in range(current - count, current)]


@dataclass(frozen=True)
class ClosedMonth:
    """One month of the customers chosen (or of one slice)."""

    month: date                # its first day
    invoiced_cents: int
    credited_cents: int        # negative
    paid_cents: int
    balance_cents: int         # documents less payments, at the month end
    buckets: dict[str, int]    # receivables by ageing bucket at the month end

    @property
    def month_end(self) -> date:
        return month_end(self.month)


@dataclass(frozen=True)
class CloseReport:
    months: tuple[date, ...]
    slices: int
    stored: bool               # False when another process closed these months first
    seconds: float


# --- working a month out ---------------------------------------------------------------------

@dataclass
class _Ledger:
    """Signed amounts per customer (owed +, credits -), the day they age from, and the months
    they count in; each customer belongs to one slice."""

    slices: dict[Slice, int] = field(default_factory=dict)
    customers: dict[int, int] = field(default_factory=dict)
    slice_of: list[int] = field(default_factory=list)    # per customer index
    key: list[int] = field(default_factory=list)         # customer index
    ages_from: list[int] = field(default_factory=list)   # date ordinals
    cents: list[int] = field(default_factory=list)
    since: list[int] = field(default_factory=list)       # counts from this month index on
    until: list[int] = field(default_factory=list)       # ... and before this one

    def slice_key(self, segment: str, country: str, manager: int | None) -> int:
        return self.slices.setdefault((segment, country, manager), len(self.slices))

    def customer_key(self, customer_id: int, segment: str, country: str,
                     manager: int | None) -> int:
        key = self.customers.get(customer_id)
        if key is None:
            key = self.customers[customer_id] = len(self.customers)
            self.slice_of.append(self.slice_key(segment, country, manager))
        return key

    def add(self, key: int, ages_from: date, cents: int, since: int, until: int) -> None:
        self.key.append(key)
        self.ages_from.append(ages_from.toordinal())
        self.cents.append(cents)
        self.since.append(since)
        self.until.append(until)

    def buckets_at(self, day: date) -> npt.NDArray[np.int64]:
        """Cents per slice and bucket open at the end of ``day``: shape (slices, buckets)."""
        month = month_index(day)
        since, until = np.array(self.since), np.array(self.until)
        counts = (since <= month) & (month < until)
        cents = np.array(self.cents, dtype=np.int64)[counts]
        who = np.array(self.key, dtype=np.int64)[counts]
        days = day.toordinal() - np.array(self.ages_from, dtype=np.int64)[counts]
        customers = len(self.customers)
        owed = np.bincount(who * len(BUCKETS) + bucket_index(days),
                           weights=np.maximum(cents, 0).astype(np.float64),
                           minlength=customers * len(BUCKETS))
        credit = np.bincount(who, weights=np.maximum(-cents, 0).astype(np.float64),
                             minlength=customers)
        aged = apply_credits(np.rint(owed).astype(np.int64).reshape(customers, len(BUCKETS)),
                             np.rint(credit).astype(np.int64))
        per_slice = np.zeros((len(self.slices), len(BUCKETS)), dtype=np.int64)
        np.add.at(per_slice, np.array(self.slice_of, dtype=np.int64), aged)
        return per_slice


def _slice_columns() -> tuple[Any, ...]:
    return Customer.segment, Customer.country, Customer.account_manager_id


def _first(key: Any) -> date:
    """The first day of a 'YYYY-MM' key."""
    year, month = str(key).split("-")
    return date(int(year), int(month), 1)


Flows = dict[tuple[int, int], list[int]]  # (slice key, month index) -> invoiced, credited, paid


def _flows(session: Session, ledger: _Ledger, flows: Flows, since: date | None,
           last_day: date) -> None:
    """Invoiced and credited by issue month, paid by month received, from ``since`` (all
    history when None) to ``last_day``."""
    issued = month_of(session, Invoice.issue_date)
    is_invoice = Invoice.kind == "invoice"
    in_range = [Invoice.issue_date <= last_day]
    if since is not None:
        in_range.append(Invoice.issue_date >= since)
    documents: Iterable[Any] = session.execute(
        select(*_slice_columns(), issued,
               func.sum(case((is_invoice, Invoice.total_cents), else_=0)),
               func.sum(case((is_invoice, 0), else_=Invoice.total_cents)))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(counted(), *in_range)
        .group_by(*_slice_columns(), issued))
    for segment, country, manager, issue_key, invoiced, credited in documents:
        sums = flows.setdefault((ledger.slice_key(segment, country, manager),
                                 month_index(_first(issue_key))), [0, 0, 0])
        sums[0] += int(invoiced)
        sums[1] += int(credited)
    received = month_of(session, Payment.received_on)
    in_range = [Payment.received_on <= last_day]
    if since is not None:
        in_range.append(Payment.received_on >= since)
    payments: Iterable[Any] = session.execute(
        select(*_slice_columns(), received, func.sum(Payment.amount_cents))
        .join(Customer, Customer.id == Payment.customer_id)
        .where(*in_range).group_by(*_slice_columns(), received))
    for segment, country, manager, month_key, amount in payments:
        flows.setdefault((ledger.slice_key(segment, country, manager),
                          month_index(_first(month_key))), [0, 0, 0])[2] += int(amount)


def _open_now(session: Session, ledger: _Ledger, last_day: date) -> None:
    """Documents issued and money received by ``last_day`` that are open now: open at every
    month end since their issue (or receipt), until allocations say otherwise."""
    issued = month_of(session, Invoice.issue_date)
    documents: Iterable[Any] = session.execute(
        select(Customer.id, *_slice_columns(), issued, Invoice.due_date,
               func.sum(Invoice.open_cents))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(STILL_OPEN, counted(), Invoice.issue_date <= last_day)
        .group_by(Customer.id, *_slice_columns(), issued, Invoice.due_date,
                  Invoice.open_cents > 0))
    for customer_id, segment, country, manager, issue_key, due, open_cents in documents:
        ledger.add(ledger.customer_key(customer_id, segment, country, manager), due,
                   int(open_cents), month_index(_first(issue_key)), _ALWAYS)
    payments: Iterable[Any] = session.execute(
        select(Customer.id, *_slice_columns(), Payment.received_on,
               func.sum(Payment.unallocated_cents))
        .join(Customer, Customer.id == Payment.customer_id)
        .where(ON_ACCOUNT, Payment.received_on <= last_day)
        .group_by(Customer.id, *_slice_columns(), Payment.received_on))
    for customer_id, segment, country, manager, received, unallocated in payments:
        ledger.add(ledger.customer_key(customer_id, segment, country, manager), received,
                   -int(unallocated), month_index(received), _ALWAYS)


def _allocations(session: Session, ledger: _Ledger, after: date, last_day: date) -> None:
    """Allocations made after ``after``: open again at the month ends before them."""
    allocated = month_of(session, PaymentAllocation.allocated_on)
    later = PaymentAllocation.allocated_on > after
    paid = aliased(Payment)
    rows: Iterable[Any] = session.execute(
        select(Customer.id, *_slice_columns(), paid.received_on, allocated,
               func.sum(PaymentAllocation.amount_cents))
        .join(paid, paid.id == PaymentAllocation.payment_id)
        .join(Customer, Customer.id == paid.customer_id)
        .where(later, paid.received_on <= last_day)
        .group_by(allocated, Customer.id, *_slice_columns(), paid.received_on))
    for customer_id, segment, country, manager, received, month_key, cents in rows:
        ledger.add(ledger.customer_key(customer_id, segment, country, manager), received,
                   -int(cents), month_index(received), month_index(_first(month_key)))
    for link, sign in ((PaymentAllocation.invoice_id, 1), (PaymentAllocation.credit_note_id, -1)):
        doc = aliased(Invoice)
        issued = month_of(session, doc.issue_date)
        # Grouped by the allocation month first, SQLite reads the allocations and looks each
        # document up by its key, instead of walking every document by due date.
        rows = session.execute(
            select(Customer.id, *_slice_columns(), doc.due_date, issued, allocated,
                   func.sum(PaymentAllocation.amount_cents))
            .join(doc, doc.id == link)
            .join(Customer, Customer.id == doc.customer_id)
            .where(later, counted(doc), doc.issue_date <= last_day)
            .group_by(allocated, Customer.id, *_slice_columns(), doc.due_date, issued))
        for customer_id, segment, country, manager, due, issue_key, month_key, cents in rows:
            ledger.add(ledger.customer_key(customer_id, segment, country, manager), due,
                       sign * int(cents), month_index(_first(issue_key)),
                       month_index(_first(month_key)))


def work_out(*, session: Session, months: Sequence[date],
             opening: dict[Slice, int] | None = None) -> dict[Slice, list[ClosedMonth]]:
    """Every slice's figures for ``months`` (first days, each already ended).

    ``opening`` is each slice's balance at the end of the month before the first, as kept
    when that month was closed; then only the flows since are read. Without it, the balances
    sum all history.
    """
    roomy_aggregates(session)
    months = sorted(months)
    last_day = month_end(months[-1])
    ledger = _Ledger()
    flows: Flows = {}
    for segment, country, manager in opening or {}:
        ledger.slice_key(segment, country, manager)
    _flows(session, ledger, flows, months[0] if opening is not None else None, last_day)
    _open_now(session, ledger, last_day)
    _allocations(session, ledger, month_end(months[0]), last_day)
    ageing = {m: ledger.buckets_at(month_end(m)) for m in months}
    by_slice: dict[int, dict[int, list[int]]] = {}
    for (key, month), sums in flows.items():
        by_slice.setdefault(key, {})[month] = sums
    result: dict[Slice, list[ClosedMonth]] = {}
    for slice_, key in ledger.slices.items():
        mine = by_slice.get(key, {})
        ordered = sorted(mine.items())
        balance, done, figures = (opening or {}).get(slice_, 0), 0, []
        for m in months:
            index = month_index(m)
            while done < len(ordered) and ordered[done][0] <= index:
                invoiced, credited, paid = ordered[done][1]
                balance += invoiced + credited - paid
                done += 1
            invoiced, credited, paid = mine.get(index, (0, 0, 0))
            figures.append(ClosedMonth(m, invoiced, credited, paid, balance,
                                       {b: int(v) for b, v in
                                        zip(BUCKETS, ageing[m][key], strict=True)}))
        result[slice_] = figures
    return result


# --- keeping and reading closed months -------------------------------------------------------

def _is_empty(m: ClosedMonth) -> bool:
    return not (m.invoiced_cents or m.credited_cents or m.paid_cents or m.balance_cents
                or any(m.buckets.values()))


def opening_balances(session: Session, first: date) -> dict[Slice, int] | None:
    """Each slice's balance at the end of the month before ``first``, if that one is closed."""
    before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    if before not in closed(session=session, months=[before]):
        return None
    rows: Iterable[Any] = session.execute(
        select(ReceivableMonth.segment, ReceivableMonth.country,
               ReceivableMonth.account_manager_id, ReceivableMonth.balance_cents)
        .where(ReceivableMonth.month == before))
    return {(segment, country, manager): int(balance)
            for segment, country, manager, balance in rows}


def close_months(*, session: Session, months: Sequence[date], recompute: bool = False
                 ) -> tuple[CloseReport, dict[Slice, list[ClosedMonth]]]:
    """Work ``months`` out and keep them, unless another process has just done so.

    With ``recompute``, months already closed are worked out again and replaced.
    """
    started = time.perf_counter()
    months = sorted(months)
    figures = work_out(session=session, months=months, opening=opening_balances(session, months[0]))
    stored = True
    try:
        with session.begin_nested():
            if recompute:
                session.execute(delete(ReceivableClose).where(ReceivableClose.month.in_(months)))
            session.add_all(ReceivableClose(month=m) for m in months)
            session.flush()
            session.add_all(
                ReceivableMonth(month=m.month, segment=segment, country=country,
                                account_manager_id=manager, invoiced_cents=m.invoiced_cents,
                                credited_cents=m.credited_cents, paid_cents=m.paid_cents,
                                balance_cents=m.balance_cents,
                                **dict(zip(_BUCKET_COLUMNS, m.buckets.values(), strict=True)))
                for (segment, country, manager), slice_months in figures.items()
                for m in slice_months if not _is_empty(m))
            audit.record(session=session, action="receivables.close",
                         entity_type="receivable_close",
                         after={"months": [m.isoformat() for m in months],
                                "slices": len(figures), "recomputed": recompute})
            session.flush()
    except (IntegrityError, OperationalError) as error:
        # Closed meanwhile by another process: the same figures, already kept.
        log.warning("months %s not kept (closed meanwhile?): %s", months, error.orig)
        stored = False
    report = CloseReport(tuple(sorted(months)), len(figures), stored,
                         round(time.perf_counter() - started, 2))
    return report, figures


def closed(*, session: Session, months: Sequence[date]) -> set[date]:
    return set(session.scalars(select(ReceivableClose.month)
                               .where(ReceivableClose.month.in_(months))))


def _total(month: date, parts: Iterable[ClosedMonth]) -> ClosedMonth:
    sums = [0, 0, 0, 0]
    buckets = dict.fromkeys(BUCKETS, 0)
    for p in parts:
        for i, v in enumerate((p.invoiced_cents, p.credited_cents, p.paid_cents,
                               p.balance_cents)):
            sums[i] += v
        for b in BUCKETS:
            buckets[b] += p.buckets[b]
    return ClosedMonth(month, sums[0], sums[1], sums[2], sums[3], buckets)


def closed_months(*, session: Session, customers: Customers, months: Sequence[date]
                  ) -> list[ClosedMonth]:
    """The figures of ``months`` (first days, each already ended) for the customers chosen,
    closing first the months not closed yet."""
    if customers.customer_id is not None:
        raise ValueError("closed months are kept per slice, not per customer")
    months = sorted(months)
    missing = [m for m in months if m not in closed(session=session, months=months)]
    fresh: dict[Slice, list[ClosedMonth]] = {}
    if missing:
        report, fresh = close_months(session=session, months=missing)
        log.info("closed %s in %.2f s", [m.isoformat() for m in missing], report.seconds)
    sums = {row.month: row for row in session.execute(
        select(ReceivableMonth.month,
               *(func.sum(getattr(ReceivableMonth, c)).label(c)
                 for c in _FLOW_COLUMNS + _BUCKET_COLUMNS))
        .where(ReceivableMonth.month.in_(months),
               *customers.on(ReceivableMonth.segment, ReceivableMonth.country,
                             ReceivableMonth.account_manager_id))
        .group_by(ReceivableMonth.month))}
    result = []
    for m in months:
        if m in sums:
            row = sums[m]
            result.append(ClosedMonth(
                m, int(row.invoiced_cents), int(row.credited_cents), int(row.paid_cents),
                int(row.balance_cents), {b: int(getattr(row, c)) for b, c in
                                         zip(BUCKETS, _BUCKET_COLUMNS, strict=True)}))
        else:  # nothing kept: an empty month, or one closed just now by another process
            result.append(_total(m, (f for s, slice_months in fresh.items()
                                     if customers.includes(*s)
                                     for f in slice_months if f.month == m)))
    return result


def close_before(*, session: Session, today: date, count: int, recompute: bool = False
                 ) -> CloseReport | None:
    """Close the ``count`` months before today's that are not closed yet (all of them with
    ``recompute``); None when there is nothing to do."""
    months = months_before(today, count)
    if not recompute:
        done = closed(session=session, months=months)
        months = [m for m in months if m not in done]
    if not months:
        return None
    return close_months(session=session, months=months, recompute=recompute)[0]
