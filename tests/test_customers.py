"""The customer header: balance, overdue amounts and the warnings a representative needs."""

from datetime import date, timedelta

from sqlalchemy.orm import Session

from dashboard.config import ConfigError, load_settings
from dashboard.services import customers
from db.models import Payment
from tests import factories as f

TODAY = date(2026, 11, 24)


def test_header_sums_open_items_overdue_and_warnings(session: Session) -> None:
    manager = f.user(session, "am", role="lead", full_name="Marc Dubois")
    c = f.customer(session, "Brasserie Dupré & Fils", vat_number="BE0403019261",
                   account_manager_id=manager.id, credit_limit_cents=10_000_00)
    # Open, not due yet.
    f.invoice(session, c, 1_000_00, issue_date=TODAY, due_date=TODAY + timedelta(days=30))
    # Partly paid, 10 days overdue, disputed.
    f.invoice(session, c, 2_000_00, open_cents=500_00, status="partially_paid",
              due_date=TODAY - timedelta(days=10), is_disputed=True)
    # More than 90 days overdue.
    f.invoice(session, c, 12_430_00, due_date=TODAY - timedelta(days=91))
    # Paid: not in the balance.
    f.invoice(session, c, 9_999_00, open_cents=0, status="paid")
    # An unused credit note lowers the balance, set against the oldest amount due.
    f.invoice(session, c, -121_00, kind="credit_note", due_date=TODAY - timedelta(days=5))
    # Money received but not allocated yet.
    session.add(Payment(customer_id=c.id, received_on=TODAY, amount_cents=300_00,
                        unallocated_cents=300_00, method="bank_transfer",
                        bank_reference="BANK-1"))
    prod = f.product(session)
    site = f.site(session, c)
    f.item(session, c, site, prod, warranty_end=TODAY - timedelta(days=1))   # uncovered
    f.item(session, c, site, prod, warranty_end=TODAY + timedelta(days=100))  # warranty
    covered = f.contract(session, c, end_date=TODAY + timedelta(days=60))   # renewing soon
    f.item(session, c, site, prod, contract_id=covered.id)
    f.contact(session, c)
    session.flush()

    h = customers.get_header(session=session, customer_id=c.id, today=TODAY)
    assert h is not None
    assert h.vat_number == "BE 0403.019.261"
    assert h.account_manager == "Marc Dubois"
    assert h.balance_cents == 1_000_00 + 500_00 + 12_430_00 - 121_00 - 300_00
    # The credit note and the money on account are set against the oldest amount due.
    assert h.overdue_cents == 500_00 + 12_430_00 - 121_00 - 300_00
    assert h.severely_overdue_cents == 12_430_00 - 121_00 - 300_00
    assert h.open_disputes == 1
    assert h.items_uncovered == 1
    assert h.contracts_renewing == 1
    assert h.contacts == 1
    assert h.credit_used_pct is not None and round(h.credit_used_pct) == 135
    text = " | ".join(h.warnings)
    assert "12.009,00\xa0€ more than 90 days overdue" in text
    assert "1 open invoice dispute" in text
    assert "over the credit limit" in text
    assert "1 installed item out of maintenance" in text
    assert "1 contract up for renewal" in text


def test_list_badges_agree_with_each_customers_header(session: Session) -> None:
    late = f.customer(session, "Garage Lefèvre & Fils")
    f.invoice(session, late, 500_00, due_date=TODAY - timedelta(days=3))
    f.item(session, late, f.site(session, late), f.product(session),
           warranty_end=TODAY - timedelta(days=1))
    credited = f.customer(session, "Stad Willebroek")   # overdue, but fully credited
    f.invoice(session, credited, 200_00, due_date=TODAY - timedelta(days=40))
    f.invoice(session, credited, -200_00, kind="credit_note", due_date=TODAY)
    quiet = f.customer(session, "Van den Bossche NV")
    session.flush()
    flags = customers.account_flags(session=session, today=TODAY,
                                    customer_ids=[late.id, credited.id, quiet.id, late.id])
    assert flags[late.id].badges == ("Overdue", "Not covered")
    assert flags[credited.id].badges == () and flags[quiet.id].badges == ()
    for c in (late, credited, quiet):
        h = customers.get_header(session=session, customer_id=c.id, today=TODAY)
        assert h is not None
        assert (flags[c.id].overdue_cents, flags[c.id].items_uncovered) == (
            h.overdue_cents, h.items_uncovered)
    assert customers.account_flags(session=session, customer_ids=[], today=TODAY) == {}


def test_header_of_a_quiet_customer_has_no_warnings(session: Session) -> None:
    c = f.customer(session, "Van den Bossche NV")
    h = customers.get_header(session=session, customer_id=c.id, today=TODAY)
    assert h is not None and h.balance_cents == 0 and h.warnings == []
    assert customers.get_header(session=session, customer_id=c.id + 999, today=TODAY) is None
    assert customers.find_by_number(session=session, customer_number=c.customer_number.lower()
                                    ) == c.id


def test_contacts_primary_first(session: Session) -> None:
    c = f.customer(session)
    f.contact(session, c, first_name="Zoé", last_name="Aerts")
    f.contact(session, c, first_name="Jan", last_name="Peeters", is_primary=True)
    names = [x.name for x in customers.list_contacts(session=session, customer_id=c.id)]
    assert names == ["Jan Peeters", "Zoé Aerts"]


def test_placeholder_cookie_key_refused_outside_demo_mode(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CSOL_SECRETS_FILE", "/nonexistent/secrets.toml")
    monkeypatch.setenv("CSOL_DEMO_MODE", "false")
    for key in ("", "change-me", "short"):
        monkeypatch.setenv("CSOL_COOKIE_KEY", key)
        try:
            load_settings()
        except ConfigError as exc:
            assert "cookie_key" in str(exc)
        else:
            raise AssertionError(f"accepted cookie key {key!r}")
    monkeypatch.setenv("CSOL_COOKIE_KEY", "k" * 40)
    assert load_settings().cookie_key == "k" * 40
    monkeypatch.setenv("CSOL_DEMO_MODE", "true")
    monkeypatch.setenv("CSOL_COOKIE_KEY", "change-me")
    assert load_settings().demo_mode


def _count_statements(session: Session) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_header_is_one_statement_and_agrees_with_the_receivables_position(
        session: Session) -> None:
    """Credits larger than what is overdue, credits larger than everything, documents not
    issued yet, a cancelled invoice with its credit note, a dispute on a paid invoice, and
    items out of warranty with and without their customer's contract."""
    cases = []
    heavy = f.customer(session, "Garage Lefèvre & Fils")
    f.invoice(session, heavy, 400_00, due_date=TODAY - timedelta(days=120))
    f.invoice(session, heavy, 250_00, due_date=TODAY - timedelta(days=15))
    f.invoice(session, heavy, 900_00, due_date=TODAY + timedelta(days=20))
    f.invoice(session, heavy, -500_00, kind="credit_note", due_date=TODAY + timedelta(days=9))
    f.invoice(session, heavy, 700_00, issue_date=TODAY + timedelta(days=1),
              due_date=TODAY + timedelta(days=31))   # not issued by today: not counted
    cancelled = f.invoice(session, heavy, 80_00, status="cancelled",
                          due_date=TODAY - timedelta(days=50))
    f.invoice(session, heavy, -80_00, kind="credit_note", credited_invoice_id=cancelled.id)
    f.invoice(session, heavy, 60_00, open_cents=0, status="paid", is_disputed=True)
    cases.append(heavy)
    generous = f.customer(session, "Stad Willebroek")
    f.invoice(session, generous, 100_00, due_date=TODAY - timedelta(days=200))
    session.add(Payment(customer_id=generous.id, received_on=TODAY - timedelta(days=2),
                        amount_cents=900_00, unallocated_cents=900_00,
                        method="bank_transfer", bank_reference="BANK-2"))
    cases.append(generous)
    other = f.customer(session, "Van den Bossche NV")
    theirs = f.contract(session, other, end_date=TODAY + timedelta(days=400))
    prod = f.product(session)
    f.item(session, generous, f.site(session, generous), prod,
           warranty_end=TODAY - timedelta(days=3))
    f.item(session, other, f.site(session, other), prod, contract_id=theirs.id)
    cases.append(other)
    session.flush()
    seen = _count_statements(session)
    for c in cases:
        before = len(seen)
        h = customers.get_header(session=session, customer_id=c.id, today=TODAY)
        assert len(seen) - before == 1, seen[before:]
        assert h is not None
        p = customers.account_position(session=session, customer_id=c.id, today=TODAY)
        assert (h.balance_cents, h.overdue_cents, h.severely_overdue_cents) == (
            p.balance_cents, p.overdue_cents, p.severely_overdue_cents)
        flags = customers.account_flags(session=session, customer_ids=[c.id], today=TODAY)
        assert flags[c.id].items_uncovered == h.items_uncovered
    h = customers.get_header(session=session, customer_id=heavy.id, today=TODAY)
    assert h is not None
    assert (h.balance_cents, h.overdue_cents, h.severely_overdue_cents) == (
        1_050_00, 150_00, 0)   # 500 of credit covers the 120-day-old 400 and 100 of the 250
    assert h.open_disputes == 0  # disputed but paid
    g = customers.get_header(session=session, customer_id=generous.id, today=TODAY)
    assert g is not None
    assert (g.balance_cents, g.overdue_cents, g.items_uncovered) == (-800_00, 0, 1)
    o = customers.get_header(session=session, customer_id=other.id, today=TODAY)
    assert o is not None and o.items_uncovered == 0 and o.contracts_renewing == 0
