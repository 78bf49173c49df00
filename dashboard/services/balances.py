"""Account balance over time: invoiced, credited and paid per month, and the balance after.

The customer page's balance chart: one customer's documents and payments summed in SQL into
groups (issue and due date; payments per day) and added up per month in Python. The
portfolio's months (``closes``) follow the same rules per slice of customers; a test checks
that the customers' months add up to the portfolio's. Also the pieces both share: whose
money (``Customers``) and the conditions the partial indexes of open items are built on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select, text
from sqlalchemy.orm import Session

from dashboard.services.receivables import counted
from db.models import Customer, Invoice, Payment

# Written as the partial indexes' conditions (a literal 0, not a parameter), so that both
# databases read the few open items from them.
STILL_OPEN = Invoice.open_cents != literal_column("0")
ON_ACCOUNT = Payment.unallocated_cents != literal_column("0")


@dataclass(frozen=True)
class BalanceMonth:
    month: date            # first day of the month
    invoiced_cents: int
    credited_cents: int    # negative
    paid_cents: int        # positive, money received
    balance_cents: int     # at the end of the month


@dataclass(frozen=True)
class Customers:
    """Whose money: one customer, or every customer matching the filters (all when none)."""

    customer_id: int | None = None
    segments: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    account_manager_id: int | None = None

    def restrict(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions on a ``customer_id`` column."""
        if self.customer_id is not None:
            return [column == self.customer_id]
        chosen = self.on(Customer.segment, Customer.country, Customer.account_manager_id)
        # "+ 0": the chosen customers are many, and the open items few and indexed by their
        # own columns; served by the index on customer_id, SQLite would instead visit every
        # document of each customer chosen.
        return [(column + 0).in_(select(Customer.id).where(*chosen))] if chosen else []

    def on(self, segment: Any, country: Any, manager: Any) -> list[ColumnElement[bool]]:
        """The filters as conditions on these columns (of customers, or of closed months)."""
        chosen: list[ColumnElement[bool]] = []
        if self.segments:
            chosen.append(segment.in_(self.segments))
        if self.countries:
            chosen.append(country.in_(self.countries))
        if self.account_manager_id is not None:
            chosen.append(manager == self.account_manager_id)
        return chosen

    def includes(self, segment: str, country: str, manager: int | None) -> bool:
        """The same filters, on one customer's (or slice's) values."""
        return ((not self.segments or segment in self.segments)
                and (not self.countries or country in self.countries)
                and (self.account_manager_id is None or manager == self.account_manager_id))


@dataclass(frozen=True)
class DocumentGroup:
    """Live invoices and credit notes issued in one month and due on one day."""

    issue_month: date      # first day of the month
    due_date: date
    invoiced_cents: int    # invoices' totals
    credited_cents: int    # credit notes' totals (negative)
    open_cents: int        # signed, open now
    disputed_open_cents: int  # of which on invoices marked disputed


@dataclass(frozen=True)
class PaymentDay:
    received_on: date
    amount_cents: int
    unallocated_cents: int  # still on account now


def month_of(session: Session, column: Any) -> Any:
    """'YYYY-MM' of a date column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)  # SQLite keeps dates as 'YYYY-MM-DD'


def roomy_aggregates(session: Session) -> None:
    """For this transaction, let PostgreSQL sum a whole table in memory and skip JIT.

    Grouping a million rows into a few thousand groups, PostgreSQL over-estimates the groups
    and, with the default 4 MB of work memory, sorts on disk (several times slower); JIT
    compilation costs more than it saves on these short queries. SQLite: nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))


def scanned(column: Any) -> Any:
    """The column, in a form no index serves. Summing a whole table, SQLite otherwise walks
    an index (customer and issue date, or due date) and reads the rows in random order,
    several times slower than a plain scan; PostgreSQL plans the same either way."""
    return func.coalesce(column, column)


def _first_of_month(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def document_groups(*, session: Session, customers: Customers, today: date
                    ) -> list[DocumentGroup]:
    """Every document that counts (``receivables.counted``) issued by ``today``, summed
    into groups.

    Grouped by the plain issue and due dates (a few thousand pairs): a function of the
    date per row would cost more than the groups it saves.
    """
    issued, due = scanned(Invoice.issue_date), scanned(Invoice.due_date)
    is_invoice = Invoice.kind == "invoice"
    rows = session.execute(
        select(issued, due, func.sum(case((is_invoice, Invoice.total_cents), else_=0)),
               func.sum(case((is_invoice, 0), else_=Invoice.total_cents)),
               func.sum(Invoice.open_cents),
               func.sum(case((Invoice.is_disputed.is_(True), Invoice.open_cents), else_=0)))
        .where(counted(), issued <= today,
               *customers.restrict(Invoice.customer_id))
        .group_by(issued, due))
    return [DocumentGroup(_day(issue_day).replace(day=1), _day(due_day), *(int(v) for v in sums))
            for issue_day, due_day, *sums in rows]


def _day(value: Any) -> date:
    """A date, also when SQLite hands back the text of an expression over a date column."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def payment_days(*, session: Session, customers: Customers, today: date) -> list[PaymentDay]:
    """Money received per day up to ``today``, and how much of it is still on account."""
    received = scanned(Payment.received_on)
    rows = session.execute(
        select(received, func.sum(Payment.amount_cents), func.sum(Payment.unallocated_cents))
        .where(received <= today, *customers.restrict(Payment.customer_id))
        .group_by(received))
    return [PaymentDay(_day(day), int(amount), int(unallocated))
            for day, amount, unallocated in rows]


def monthly_balances(groups: Iterable[DocumentGroup], payments: Iterable[PaymentDay],
                     today: date, months: int) -> list[BalanceMonth]:
    """Per month of the last ``months``: invoiced, credited, paid, and the balance after."""
    start = _months_back(today, months)
    invoiced: dict[date, int] = {}
    credited: dict[date, int] = {}
    balance = 0  # everything before the window
    for g in groups:
        if g.issue_month < start:
            balance += g.invoiced_cents + g.credited_cents
        else:
            invoiced[g.issue_month] = invoiced.get(g.issue_month, 0) + g.invoiced_cents
            credited[g.issue_month] = credited.get(g.issue_month, 0) + g.credited_cents
    paid: dict[date, int] = {}
    for p in payments:
        month = p.received_on.replace(day=1)
        if month < start:
            balance -= p.amount_cents
        else:
            paid[month] = paid.get(month, 0) + p.amount_cents
    result = []
    month = start
    while month <= today:
        row = (invoiced.get(month, 0), credited.get(month, 0), paid.get(month, 0))
        balance += row[0] + row[1] - row[2]
        result.append(BalanceMonth(month, *row, balance))
        month = next_month(month)
    return result


def balance_history(*, session: Session, customer_id: int, today: date,
                    months: int = 24) -> list[BalanceMonth]:
    who = Customers(customer_id=customer_id)
    return monthly_balances(document_groups(session=session, customers=who, today=today),
                            payment_days(session=session, customers=who, today=today),
                            today, months)
