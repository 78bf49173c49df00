"""Balance over time and the account timeline, on hand-built accounts."""

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from dashboard.services import balances, timeline
from db.models import InventoryChange, Payment
from tests import factories as f

TODAY = date(2026, 11, 24)


def test_monthly_balance_adds_up(session: Session) -> None:
    c = f.customer(session)
    f.invoice(session, c, 1_000_00, issue_date=date(2025, 1, 10))          # before the window
    f.invoice(session, c, 500_00, issue_date=date(2026, 9, 3))
    f.invoice(session, c, -100_00, kind="credit_note", issue_date=date(2026, 9, 20))
    f.invoice(session, c, 999_00, issue_date=date(2026, 10, 1), status="cancelled")
    session.add_all([
        Payment(customer_id=c.id, received_on=date(2025, 2, 1), amount_cents=1_000_00,
                unallocated_cents=0, method="bank_transfer", bank_reference="B1"),
        Payment(customer_id=c.id, received_on=date(2026, 10, 15), amount_cents=300_00,
                unallocated_cents=0, method="bank_transfer", bank_reference="B2"),
    ])
    session.flush()
    months = balances.balance_history(session=session, customer_id=c.id, today=TODAY,
                                      months=3)
    assert [m.month for m in months] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    september, october, november = months
    assert (september.invoiced_cents, september.credited_cents, september.paid_cents) == (
        500_00, -100_00, 0)
    assert september.balance_cents == 400_00  # the old invoice was paid before the window
    assert october.paid_cents == 300_00 and october.balance_cents == 100_00
    assert november.balance_cents == 100_00
    full = balances.balance_history(session=session, customer_id=c.id, today=TODAY, months=24)
    assert len(full) == 24 and full[-1].balance_cents == 100_00


def test_timeline_merges_kinds_newest_first_and_filters(session: Session) -> None:
    c = f.customer(session)
    rep = f.user(session, "rep")
    at = f.site(session, c)
    item = f.item(session, c, at, f.product(session))
    f.order(session, c, ordered_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    f.invoice(session, c, issue_date=date(2026, 11, 5))
    f.contract(session, c, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    session.add(InventoryChange(installed_item_id=item.id, kind="add", reason="Installed",
                                changed_by_id=rep.id,
                                changed_at=datetime(2026, 11, 10, 10, tzinfo=UTC)))
    f.enquiry(session, customer_id=c.id, created_at=datetime(2026, 11, 20, 8, tzinfo=UTC))
    session.flush()
    entries = timeline.timeline(session=session, customer_id=c.id)
    assert [e.kind for e in entries] == ["contract", "enquiry", "inventory", "invoice", "order",
                                         "contract"]
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)
    only = timeline.timeline(session=session, customer_id=c.id, kinds=("invoice", "order"))
    assert [e.kind for e in only] == ["invoice", "order"]
    recent = timeline.timeline(session=session, customer_id=c.id, since=date(2026, 11, 9))
    assert {e.kind for e in recent} == {"inventory", "enquiry", "contract"}
