"""Statement of account and invoice detail on hand-built cases whose answers are known."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from dashboard.services import invoices, statement
from dashboard.services.invoices import InvoiceFilter
from db.models import InvoiceLine, Payment, PaymentAllocation
from tests import factories as f

AS_OF = date(2026, 11, 24)


def pay(s: Session, cust_id: int, amount: int, on: date, ref: str) -> Payment:
    p = Payment(customer_id=cust_id, received_on=on, amount_cents=amount,
                unallocated_cents=amount, method="bank_transfer", bank_reference=ref)
    s.add(p)
    s.flush()
    return p


def allocate(s: Session, invoice_id: int, amount: int, on: date, *, payment: Payment | None = None,
             credit_note_id: int | None = None) -> None:
    s.add(PaymentAllocation(invoice_id=invoice_id, payment_id=payment.id if payment else None,
                            credit_note_id=credit_note_id, amount_cents=amount, allocated_on=on))
    if payment is not None:
        payment.unallocated_cents -= amount
    s.flush()


@pytest.fixture
def book(session: Session) -> dict[str, int]:
    c = f.customer(session, "Van den Bossche NV")
    due_today = f.invoice(session, c, 100_00, issue_date=AS_OF - timedelta(days=30),
                          due_date=AS_OF)
    d15 = f.invoice(session, c, 200_00, due_date=AS_OF - timedelta(days=15))
    d45 = f.invoice(session, c, 300_00, due_date=AS_OF - timedelta(days=45))
    d90 = f.invoice(session, c, 400_00, due_date=AS_OF - timedelta(days=90))
    d91 = f.invoice(session, c, 500_00, due_date=AS_OF - timedelta(days=91))
    future = f.invoice(session, c, 600_00, issue_date=AS_OF + timedelta(days=1),
                       due_date=AS_OF + timedelta(days=31))
    # d45 partly paid (120 of 300) two weeks ago; another 50 only after the statement date.
    p1 = pay(session, c.id, 120_00, AS_OF - timedelta(days=14), "BANK-1")
    allocate(session, d45.id, 120_00, AS_OF - timedelta(days=14), payment=p1)
    p2 = pay(session, c.id, 50_00, AS_OF + timedelta(days=2), "BANK-2")
    allocate(session, d45.id, 50_00, AS_OF + timedelta(days=2), payment=p2)
    # A credit note of 40 used against d15; another of 25 still unused, due 10 days ago.
    cn_used = f.invoice(session, c, -40_00, kind="credit_note", credited_invoice_id=d15.id,
                        issue_date=AS_OF - timedelta(days=5), due_date=AS_OF - timedelta(days=5))
    allocate(session, d15.id, 40_00, AS_OF - timedelta(days=5), credit_note_id=cn_used.id)
    cn_open = f.invoice(session, c, -25_00, kind="credit_note", credited_invoice_id=d90.id,
                        issue_date=AS_OF - timedelta(days=10), due_date=AS_OF - timedelta(days=10))
    # Money on account: 70 received 3 days ago, not allocated.
    pay(session, c.id, 70_00, AS_OF - timedelta(days=3), "BANK-3")
    # Keep open_cents in step, as the services and the seed do.
    d45.open_cents, d45.status = 300_00 - 170_00, "partially_paid"
    d15.open_cents = 160_00
    cn_used.open_cents = 0
    session.add(InvoiceLine(invoice_id=d15.id, line_no=1, description="Toner", quantity=2,
                            unit_price_cents=8264, vat_rate_pct=21, net_cents=16528,
                            vat_cents=3472))
    session.flush()
    return {"customer": c.id, "d15": d15.id, "d45": d45.id, "cn_used": cn_used.id,
            "cn_open": cn_open.id, "future": future.id, "due_today": due_today.id,
            "d91": d91.id}


def test_ageing_buckets_by_days_past_due(session: Session, book: dict[str, int]) -> None:
    st = statement.statement(session=session, customer_id=book["customer"], as_of=AS_OF)
    assert st is not None
    assert st.ageing == {
        "current": 100_00,                   # due today is still current
        "1-30": 160_00,                      # d15 after its credit note
        "31-60": 300_00 - 120_00,            # the payment after the statement date not counted
        "61-90": 400_00,
        # The unused credit note and the money on account go to the oldest amount due.
        "90+": 500_00 - 25_00 - 70_00,
    }
    assert st.total_cents == sum(i.open_cents for i in st.items)
    assert st.items[-1].balance_cents == st.total_cents
    assert st.overdue_cents == st.total_cents - 100_00
    numbers = {i.number for i in st.items}
    assert "BANK-1" not in numbers                      # fully allocated by then
    assert {i.kind for i in st.items} == {"invoice", "credit_note", "payment"}


def test_statement_as_of_an_earlier_date(session: Session, book: dict[str, int]) -> None:
    earlier = AS_OF - timedelta(days=20)
    st = statement.statement(session=session, customer_id=book["customer"], as_of=earlier)
    assert st is not None
    # Nothing paid or credited yet then; later documents not issued yet.
    kinds = [i.kind for i in st.items]
    assert "payment" not in kinds and "credit_note" not in kinds
    assert st.total_cents == 100_00 + 200_00 + 300_00 + 400_00 + 500_00


def test_running_balance_is_cumulative_in_date_order(session: Session,
                                                     book: dict[str, int]) -> None:
    st = statement.statement(session=session, customer_id=book["customer"], as_of=AS_OF)
    assert st is not None
    running = 0
    for item in st.items:
        running += item.open_cents
        assert item.balance_cents == running
    dates = [i.document_date for i in st.items]
    assert dates == sorted(dates)


def test_invoice_detail_has_lines_vat_and_settlements(session: Session,
                                                      book: dict[str, int]) -> None:
    d15 = invoices.get_invoice(session=session, invoice_id=book["d15"])
    assert d15 is not None
    assert [ln.description for ln in d15.lines] == ["Toner"]
    assert d15.vat_groups[0].rate_pct == 21 and d15.vat_groups[0].vat_cents == 3472
    assert len(d15.credit_notes) == 1
    assert [(s.source, s.amount_cents) for s in d15.settlements] == [("credit_note", 40_00)]
    assert d15.structured_reference.startswith("+++") and d15.structured_reference.endswith("+++")
    cn = invoices.get_invoice(session=session, invoice_id=book["cn_used"])
    assert cn is not None and cn.credited_invoice == d15.number
    assert [(s.source, s.reference) for s in cn.settlements] == [("credit_note", d15.number)]


def test_invoice_list_filters_and_pages_in_sql(session: Session, book: dict[str, int]) -> None:
    everything = invoices.list_invoices(session=session, customer_id=book["customer"],
                                        flt=InvoiceFilter(), today=AS_OF, limit=3)
    assert everything.total == 8 and len(everything.rows) == 3 and everything.pages == 3
    overdue = invoices.list_invoices(session=session, customer_id=book["customer"],
                                     flt=InvoiceFilter(statuses=("overdue",)), today=AS_OF)
    assert {r.id for r in overdue.rows} == {book["d15"], book["d45"], book["d91"]} | {
        r.id for r in overdue.rows if r.days_overdue(AS_OF) == 90}
    assert book["due_today"] not in {r.id for r in overdue.rows}
    notes = invoices.list_invoices(session=session, customer_id=book["customer"],
                                   flt=InvoiceFilter(kinds=("credit_note",)), today=AS_OF)
    assert {r.id for r in notes.rows} == {book["cn_used"], book["cn_open"]}
    later = invoices.list_invoices(session=session, customer_id=book["customer"],
                                   flt=InvoiceFilter(issued_from=AS_OF), today=AS_OF)
    assert [r.id for r in later.rows] == [book["future"]]
