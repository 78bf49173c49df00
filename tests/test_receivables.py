"""One balance, one overdue amount, one ageing: every view of a customer's account agrees.

The customer header, the statement of account, the end of the balance-over-time chart and
the customer's row on the balances page (most overdue customers) are compared for every
customer of the demo, and for random ledgers (hypothesis) of invoices, partial and
cancelling credit notes, payments, money on account and allocations made on later days.
The portfolio's ageing, today and at past month ends, is the sum of the statements then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.services import balances, closes, customers, portfolio, receivables, statement
from dashboard.services.balances import Customers
from db.models import Customer, Invoice, Payment, PaymentAllocation
from seed import generate, staff
from tests import factories as f

TODAY = date(2026, 11, 25)


def check_views(session: Session, customer_ids: list[int], today: date,
                month_ends: int = 12) -> None:
    """Header = statement = chart end = balances page row, per customer; portfolio ageing
    = the sum of the statements, today and at the last ``month_ends`` month ends."""
    everyone = Customers()
    ranked = portfolio.top_overdue(session=session, customers=everyone, today=today,
                                   limit=10**6)
    rows = {r.customer_id: r for r in ranked}
    assert [r.overdue_cents for r in ranked] == sorted(
        (r.overdue_cents for r in ranked), reverse=True)
    for limit in (1, 2):  # the largest, whether they hold credit or not
        assert portfolio.top_overdue(session=session, customers=everyone, today=today,
                                     limit=limit) == ranked[:limit]
    summed = dict.fromkeys(receivables.BUCKETS, 0)
    for cid in customer_ids:
        header = customers.get_header(session=session, customer_id=cid, today=today)
        stmt = statement.statement(session=session, customer_id=cid, as_of=today)
        chart = balances.balance_history(session=session, customer_id=cid, today=today)
        assert header is not None and stmt is not None
        views = (header.balance_cents, stmt.total_cents, chart[-1].balance_cents)
        assert len(set(views)) == 1, (cid, "balance: header, statement, chart", views)
        assert header.overdue_cents == stmt.overdue_cents, cid
        assert header.severely_overdue_cents == stmt.ageing["90+"], cid
        assert all(v >= 0 for k, v in stmt.ageing.items() if k != "current"), stmt.ageing
        if stmt.overdue_cents > 0:
            row = rows[cid]
            assert (row.balance_cents, row.overdue_cents, row.over_90_cents) == (
                header.balance_cents, header.overdue_cents, header.severely_overdue_cents), cid
        else:
            assert cid not in rows
        for b in receivables.BUCKETS:
            summed[b] += stmt.ageing[b]
    p = portfolio.portfolio(session=session, customers=everyone, today=today)
    assert p.now.buckets == summed
    assert p.now.total_cents == sum(
        customers.get_header(session=session, customer_id=cid, today=today).balance_cents
        for cid in customer_ids)  # type: ignore[union-attr]
    history = {cid: {m.month: m.balance_cents for m in balances.balance_history(
        session=session, customer_id=cid, today=today)} for cid in customer_ids}
    for point in p.ageing[-1 - month_ends:-1]:
        at_end = dict.fromkeys(receivables.BUCKETS, 0)
        for cid in customer_ids:
            stmt = statement.statement(session=session, customer_id=cid, as_of=point.as_of)
            assert stmt is not None
            month = point.as_of.replace(day=1)
            if month in history[cid]:
                assert history[cid][month] == stmt.total_cents, (cid, point.as_of)
            for b in receivables.BUCKETS:
                at_end[b] += stmt.ageing[b]
        assert point.buckets == at_end, point.as_of


# --- the rules on their own ------------------------------------------------------------------

def test_credits_go_to_the_oldest_amounts_first() -> None:
    p = receivables.position([(TODAY - timedelta(days=100), 300), (TODAY, 500),
                              (TODAY - timedelta(days=10), 200), (TODAY, -350)], TODAY)
    assert p.ageing == {"current": 500, "1-30": 150, "31-60": 0, "61-90": 0, "90+": 0}
    assert (p.balance_cents, p.overdue_cents, p.oldest_due) == (
        650, 150, TODAY - timedelta(days=10))
    left_over = receivables.position([(TODAY - timedelta(days=40), 100), (TODAY, -250)], TODAY)
    assert left_over.ageing == {"current": -150, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 0}
    assert left_over.oldest_due is None


@given(st.lists(st.tuples(st.lists(st.integers(0, 10**6), min_size=5, max_size=5),
                          st.integers(0, 5 * 10**6)), min_size=1, max_size=20))
def test_the_vectorised_rule_is_the_same_rule(accounts: list[tuple[list[int], int]]) -> None:
    """closes ages every customer at once; it must agree with ``position``."""
    owed = np.array([o for o, _ in accounts], dtype=np.int64)
    credit = np.array([c for _, c in accounts], dtype=np.int64)
    aged = receivables.apply_credits(owed, credit)
    due_for = {"current": TODAY, "1-30": TODAY - timedelta(days=1),
               "31-60": TODAY - timedelta(days=31), "61-90": TODAY - timedelta(days=61),
               "90+": TODAY - timedelta(days=91)}
    for (debts, c), row in zip(accounts, aged, strict=True):
        items = [(due_for[b], d) for b, d in zip(receivables.BUCKETS, debts, strict=True) if d]
        expected = receivables.position([*items, (TODAY, -c)], TODAY).ageing
        assert dict(zip(receivables.BUCKETS, (int(v) for v in row), strict=True)) == expected


# --- the demo ----------------------------------------------------------------------------------

@pytest.fixture
def demo(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    from collections import defaultdict

    # Sign-in plays no part here: skip bcrypt's deliberate slowness.
    monkeypatch.setattr(staff, "password_hashes", lambda: defaultdict(lambda: "x"))
    generate.seed_database(engine, size="demo", seed=42, today=TODAY)
    return engine


def test_every_demo_customer_reads_the_same_everywhere(demo: Engine) -> None:
    with Session(demo) as s, s.begin():
        ids = list(s.scalars(select(Customer.id).order_by(Customer.id)))
        assert len(ids) >= 100
        # The demo has cancelled invoices with their credit notes, and credits to apply.
        cancelled = s.scalars(select(Invoice.id).where(Invoice.status == "cancelled")).all()
        assert cancelled
        assert s.scalar(select(Invoice.id).where(Invoice.credited_invoice_id.in_(cancelled))
                        .limit(1)) is not None
        check_views(s, ids, TODAY, month_ends=3)


# --- random ledgers ----------------------------------------------------------------------------

@dataclass
class Ledger:
    """Documents and payments kept in step with their allocations, as the seed does."""

    session: Session
    numbers: count[int] = field(default_factory=lambda: count(1))

    def document(self, cust: Customer, kind: str, total: int, issued: date, due: date,
                 **kw: object) -> Invoice:
        n = next(self.numbers)
        return f.invoice(self.session, cust, total, kind=kind, issue_date=issued, due_date=due,
                         number=f"{'INV' if kind == 'invoice' else 'CN'}-P-{n:06d}",
                         payment_reference=f.ogm_for(900_000 + n), **kw)

    def allocate(self, invoice: Invoice, cents: int, on: date, *,
                 payment: Payment | None = None, credit: Invoice | None = None) -> None:
        self.session.add(PaymentAllocation(
            invoice_id=invoice.id, payment_id=payment.id if payment else None,
            credit_note_id=credit.id if credit else None, amount_cents=cents, allocated_on=on))
        invoice.open_cents -= cents
        if payment is not None:
            payment.unallocated_cents -= cents
        if credit is not None:
            credit.open_cents += cents

    def payment(self, cust: Customer, cents: int, on: date) -> Payment:
        p = Payment(customer_id=cust.id, received_on=on, amount_cents=cents,
                    unallocated_cents=cents, method="bank_transfer",
                    bank_reference=f"PROP-{next(self.numbers):08d}")
        self.session.add(p)
        self.session.flush()
        return p


invoice_plan = st.fixed_dictionaries({
    "total": st.integers(1, 5_000_00),
    "issued_days_ago": st.integers(0, 420),
    "terms": st.sampled_from([0, 14, 30, 60]),
    "fate": st.sampled_from(["open", "paid", "part_paid", "credited", "cancelled",
                             "overpaid"]),
    "share": st.integers(1, 100),                  # of the total, for parts
    "later": st.integers(0, 90),                   # days until paid / credited / allocated
    "allocate_after": st.integers(0, 60),          # days from receipt to allocation
})
customer_plan = st.fixed_dictionaries({
    "invoices": st.lists(invoice_plan, max_size=8),
    "on_account": st.lists(st.tuples(st.integers(1, 2_000_00), st.integers(0, 400)),
                           max_size=2),
})


def _build(ledger: Ledger, cust: Customer, plan: dict, today: date) -> None:  # type: ignore[type-arg]
    def clamp(day: date) -> date:
        return min(day, today)

    for inv in plan["invoices"]:
        issued = today - timedelta(days=inv["issued_days_ago"])
        total, fate = inv["total"], inv["fate"]
        doc = ledger.document(cust, "invoice", total, issued, issued + timedelta(days=inv["terms"]))
        part = max(1, total * inv["share"] // 100)
        later = clamp(issued + timedelta(days=inv["later"]))
        allocated = clamp(later + timedelta(days=inv["allocate_after"]))
        if fate == "cancelled":   # a full credit note, used on the invoice the same day
            cn = ledger.document(cust, "credit_note", -total, later, later,
                                 credited_invoice_id=doc.id)
            ledger.allocate(doc, total, later, credit=cn)
            doc.status, cn.status = "cancelled", "paid"
        elif fate == "credited":  # part credited; the credit note used or still open
            cn = ledger.document(cust, "credit_note", -part, later, later,
                                 credited_invoice_id=doc.id)
            if inv["allocate_after"] % 2:
                ledger.allocate(doc, part, allocated, credit=cn)
        elif fate in ("paid", "part_paid", "overpaid"):
            cents = {"paid": total, "part_paid": part, "overpaid": total + part}[fate]
            pay = ledger.payment(cust, cents, later)
            ledger.allocate(doc, min(cents, total), allocated, payment=pay)
        ledger.session.flush()
    for cents, days_ago in plan["on_account"]:
        ledger.payment(cust, cents, today - timedelta(days=days_ago))
    ledger.session.flush()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(plans=st.lists(customer_plan, min_size=1, max_size=3))
def test_random_ledgers_read_the_same_everywhere(engine: Engine, plans: list) -> None:  # type: ignore[type-arg]
    with Session(engine) as s:
        s.begin()
        try:
            ledger = Ledger(s)
            ids = []
            for i, plan in enumerate(plans):
                cust = f.customer(s, f"Property {i}", customer_number=f"CP{i:05d}",
                                  segment=("enterprise", "small_business")[i % 2])
                _build(ledger, cust, plan, TODAY)
                ids.append(cust.id)
            check_views(s, ids, TODAY)
        finally:
            s.rollback()


def test_a_cancelled_invoice_and_its_credit_note_leave_together(session: Session) -> None:
    """The audit's case: the chart kept the credit note of a cancelled invoice."""
    ledger = Ledger(session)
    cust = f.customer(session, "Cancelled Ltd")
    issued = date(2026, 10, 5)
    kept = ledger.document(cust, "invoice", 100_00, issued, issued + timedelta(days=30))
    wrong = ledger.document(cust, "invoice", 999_00, issued, issued + timedelta(days=30))
    cn = ledger.document(cust, "credit_note", -999_00, issued, issued,
                         credited_invoice_id=wrong.id)
    ledger.allocate(wrong, 999_00, issued, credit=cn)
    wrong.status, cn.status = "cancelled", "paid"
    session.flush()
    chart = balances.balance_history(session=session, customer_id=cust.id, today=TODAY,
                                     months=2)
    assert (chart[0].invoiced_cents, chart[0].credited_cents) == (kept.total_cents, 0)
    assert chart[-1].balance_cents == 100_00
    check_views(session, [cust.id], TODAY)
    months = closes.work_out(session=session, months=[date(2026, 10, 1)])
    assert [m.balance_cents for ms in months.values() for m in ms] == [100_00]
