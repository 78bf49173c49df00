"""Portfolio receivables on two hand-built accounts, every amount worked out by hand below.

Today is Wednesday 25 November 2026. Amounts in euros.

Dupré (enterprise, Belgium, managed by Marc):
    INV1  1000  issued 1 Aug, due 31 Aug; 400 paid on 15 Sep (P1)      open 600
    INV2   500  issued 10 Oct, due 9 Nov; disputed                     open 500
    INV3   300  issued 1 Oct, due 31 Oct; 60 settled by CN1 on 25 Oct,
                240 paid on 5 Nov (P2)                                 open 0
    CN1   -100  issued 20 Oct (due that day); 60 used on INV3          open -40
    INV4   999  issued 5 Oct, cancelled by CN2 (-999, 6 Oct): both left out
    P2     300  received 5 Nov; 240 allocated, 60 on account
Weber (small business, Luxembourg, managed by Ann):
    INV5  2000  issued 1 Jun, due 1 Jul                                open 2000
    INV6   121  issued 20 Nov, due 20 Dec                              open 121

Credits (open credit notes, money on account) are set against each customer's oldest
amounts due first (``receivables``).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from dashboard.__main__ import main
from dashboard.services import balances, closes, portfolio, statement
from dashboard.services.balances import Customers
from db.models import Invoice, Payment, PaymentAllocation, ReceivableClose, ReceivableMonth
from tests import factories as f
from tests.test_intake_smtp import cli_url

TODAY = date(2026, 11, 25)


def buckets(current: int = 0, d30: int = 0, d60: int = 0, d90: int = 0, older: int = 0
            ) -> dict[str, int]:
    """Euros per bucket, as cents."""
    return dict(zip(statement.BUCKETS, (v * 100 for v in (current, d30, d60, d90, older)),
                    strict=True))


@pytest.fixture
def accounts(session: Session) -> dict[str, int]:
    marc = f.user(session, "marc", full_name="Marc Dubois")
    ann = f.user(session, "ann", full_name="Ann Weber")
    dupre = f.customer(session, "Dupré", customer_number="C100001", segment="enterprise",
                       country="BE", account_manager_id=marc.id)
    weber = f.customer(session, "Weber", customer_number="C100002", segment="small_business",
                       country="LU", account_manager_id=ann.id)
    inv1 = f.invoice(session, dupre, 1000_00, issue_date=date(2026, 8, 1),
                     due_date=date(2026, 8, 31), open_cents=600_00, status="partially_paid")
    f.invoice(session, dupre, 500_00, issue_date=date(2026, 10, 10), due_date=date(2026, 11, 9),
              is_disputed=True, dispute_reason="Wrong quantity")
    inv3 = f.invoice(session, dupre, 300_00, issue_date=date(2026, 10, 1),
                     due_date=date(2026, 10, 31), open_cents=0, status="paid")
    cn1 = f.invoice(session, dupre, -100_00, kind="credit_note", issue_date=date(2026, 10, 20),
                    due_date=date(2026, 10, 20), open_cents=-40_00)
    inv4 = f.invoice(session, dupre, 999_00, issue_date=date(2026, 10, 5), status="cancelled",
                     open_cents=0)
    cn2 = f.invoice(session, dupre, -999_00, kind="credit_note", issue_date=date(2026, 10, 6),
                    due_date=date(2026, 10, 6), open_cents=0, status="paid",
                    credited_invoice_id=inv4.id)
    f.invoice(session, weber, 2000_00, issue_date=date(2026, 6, 1), due_date=date(2026, 7, 1))
    f.invoice(session, weber, 121_00, issue_date=date(2026, 11, 20), due_date=date(2026, 12, 20))
    p1 = Payment(customer_id=dupre.id, received_on=date(2026, 9, 15), amount_cents=400_00,
                 unallocated_cents=0, method="bank_transfer", bank_reference="P1")
    p2 = Payment(customer_id=dupre.id, received_on=date(2026, 11, 5), amount_cents=300_00,
                 unallocated_cents=60_00, method="bank_transfer", bank_reference="P2")
    session.add_all([p1, p2])
    session.flush()
    session.add_all([
        PaymentAllocation(invoice_id=inv1.id, payment_id=p1.id, amount_cents=400_00,
                          allocated_on=date(2026, 9, 15)),
        PaymentAllocation(invoice_id=inv3.id, credit_note_id=cn1.id, amount_cents=60_00,
                          allocated_on=date(2026, 10, 25)),
        PaymentAllocation(invoice_id=inv3.id, payment_id=p2.id, amount_cents=240_00,
                          allocated_on=date(2026, 11, 5)),
        PaymentAllocation(invoice_id=inv4.id, credit_note_id=cn2.id, amount_cents=999_00,
                          allocated_on=date(2026, 10, 6)),
    ])
    session.flush()
    return {"dupre": dupre.id, "weber": weber.id, "marc": marc.id, "ann": ann.id}


def test_ageing_today_and_at_month_ends(session: Session, accounts: dict[str, int]) -> None:
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    assert [a.as_of for a in p.ageing][-4:] == [date(2026, 8, 31), date(2026, 9, 30),
                                                 date(2026, 10, 31), TODAY]
    by_day = {a.as_of: a.buckets for a in p.ageing}
    # Today: INV6 current; INV2 16 days (1–30); INV1 86 days (61–90), less CN1's 40 and
    # P2's 60 on account, set against it as the oldest Dupré owes; INV5 147 days.
    assert by_day[TODAY] == buckets(121, 500, 0, 600 - 40 - 60, 2000)
    # 31 October: INV2 not due, INV3 due that day with 240 open (current); INV1 61 days with
    # 600 open, less CN1's 40; INV5 122 days. P2 has not come in yet.
    assert by_day[date(2026, 10, 31)] == buckets(500 + 240, 0, 0, 600 - 40, 2000)
    # 30 September: INV1 30 days, 600 open; INV5 91 days.
    assert by_day[date(2026, 9, 30)] == buckets(0, 600, 0, 0, 2000)
    # 31 August: INV1 due that day, nothing paid; INV5 61 days.
    assert by_day[date(2026, 8, 31)] == buckets(1000, 0, 0, 2000, 0)
    assert by_day[date(2026, 6, 30)] == buckets(2000)
    assert by_day[date(2026, 5, 31)] == buckets()
    assert p.now.total_cents == 3121_00 and p.now.overdue_cents == 3000_00


def test_ageing_is_the_sum_of_the_statements(session: Session,
                                             accounts: dict[str, int]) -> None:
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    for point in p.ageing:
        summed = dict.fromkeys(statement.BUCKETS, 0)
        for customer_id in (accounts["dupre"], accounts["weber"]):
            stmt = statement.statement(session=session, customer_id=customer_id,
                                       as_of=point.as_of)
            assert stmt is not None
            for bucket, cents in stmt.ageing.items():
                summed[bucket] += cents
        assert point.buckets == summed, point.as_of


def test_months_dso_disputed_and_on_account(session: Session,
                                            accounts: dict[str, int]) -> None:
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    months = {m.month: m for m in p.months}
    october = months[date(2026, 10, 1)]
    assert (october.invoiced_cents, october.credited_cents, october.paid_cents) == (
        800_00, -100_00, 0)                                 # INV2 + INV3 (INV4 cancelled)
    assert months[date(2026, 11, 1)].paid_cents == 300_00  # P2
    assert months[date(2026, 11, 1)].balance_cents == 3121_00
    dso = {d.month_end: d for d in p.dso}
    # Today: 3121 receivable over the sales of 1 Sep – 25 Nov (800 - 100 + 121) in 86 days.
    today = dso[TODAY]
    assert (today.receivables_cents, today.sales_cents, today.days) == (3121_00, 821_00, 86)
    assert today.dso == pytest.approx(3121 / 821 * 86)
    # 30 September: 2600 over the sales of July – September (INV1) in 92 days.
    assert dso[date(2026, 9, 30)].dso == pytest.approx(2600 / 1000 * 92)
    # 31 May: nothing owed and nothing sold in March – May: no DSO.
    assert dso[date(2026, 5, 31)].dso is None
    assert p.disputed_cents == 500_00 and p.disputed_by_bucket["1-30"] == 500_00
    assert p.on_account_cents == 60_00


def test_top_overdue_uses_the_customer_header_rule(session: Session,
                                                   accounts: dict[str, int]) -> None:
    rows = portfolio.top_overdue(session=session, customers=Customers(), today=TODAY)
    assert [r.customer_number for r in rows] == ["C100002", "C100001"]
    weber, dupre = rows
    assert (weber.overdue_cents, weber.over_90_cents, weber.oldest_due) == (
        2000_00, 2000_00, date(2026, 7, 1))
    assert weber.balance_cents == 2121_00 and weber.account_manager == "Ann Weber"
    # INV1 and INV2 are past due, less the credit note's 40 and the 60 on account.
    assert (dupre.overdue_cents, dupre.over_90_cents, dupre.oldest_due) == (
        1000_00, 0, date(2026, 8, 31))
    assert (dupre.balance_cents, dupre.disputed_cents) == (1000_00, 500_00)
    from dashboard.services.customers import get_header

    header = get_header(session=session, customer_id=accounts["dupre"], today=TODAY)
    assert header is not None
    assert (header.overdue_cents, header.balance_cents) == (dupre.overdue_cents,
                                                            dupre.balance_cents)


def test_filters_choose_the_customers(session: Session, accounts: dict[str, int]) -> None:
    def total(customers: Customers) -> int:
        return portfolio.portfolio(session=session, customers=customers,
                                   today=TODAY).now.total_cents

    assert total(Customers(segments=("enterprise",))) == 1000_00
    assert total(Customers(countries=("LU",))) == 2121_00
    assert total(Customers(account_manager_id=accounts["marc"])) == 1000_00
    assert total(Customers(segments=("public_sector",))) == 0
    lu = portfolio.top_overdue(session=session, customers=Customers(countries=("LU",)),
                               today=TODAY)
    assert [r.customer_number for r in lu] == ["C100002"]
    disputed, count = portfolio.disputed_invoices(
        session=session, customers=Customers(segments=("enterprise",)))
    assert count == 1 and disputed[0].open_cents == 500_00
    assert disputed[0].reason == "Wrong quantity" and disputed[0].customer_number == "C100001"
    assert portfolio.disputed_invoices(session=session,
                                       customers=Customers(countries=("LU",)))[1] == 0
    assert [m.name for m in portfolio.account_managers(session=session)] == [
        "Ann Weber", "Marc Dubois"]


def test_the_customer_balance_history_is_the_same_computation(
        session: Session, accounts: dict[str, int]) -> None:
    one = balances.balance_history(session=session, customer_id=accounts["dupre"],
                                   today=TODAY, months=4)
    assert [m.month for m in one] == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1),
                                      date(2026, 11, 1)]
    assert [m.balance_cents for m in one] == [1000_00, 600_00, 1300_00, 1000_00]
    both = balances.monthly_balances(
        balances.document_groups(session=session, customers=Customers(), today=TODAY),
        balances.payment_days(session=session, customers=Customers(), today=TODAY),
        TODAY, 4)
    assert [m.balance_cents for m in both] == [3000_00, 2600_00, 3300_00, 3121_00]


def test_month_ends_and_buckets() -> None:
    months = closes.months_before(date(2026, 3, 10), 3)
    assert months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert [closes.month_end(m) for m in months] == [
        date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]
    import numpy as np

    days = np.array([-5, 0, 1, 30, 31, 60, 61, 90, 91, 400], dtype=np.int64)
    assert [statement.BUCKETS[i] for i in closes.bucket_index(days)] == [
        statement.bucket_for(int(d)) for d in days]


# -- closed months -----------------------------------------------------------------------------

OCTOBER = date(2026, 10, 1)


def _october_end(session: Session, customers: Customers | None = None) -> dict[str, int]:
    p = portfolio.portfolio(session=session, customers=customers or Customers(), today=TODAY)
    return {a.as_of: a.buckets for a in p.ageing}[date(2026, 10, 31)]


def test_past_month_ends_are_filtered_by_slice(session: Session,
                                               accounts: dict[str, int]) -> None:
    # Dupré alone on 31 October: INV2 and INV3's 240 current, INV1 61 days less CN1.
    dupre = buckets(500 + 240, 0, 0, 600 - 40, 0)
    assert _october_end(session, Customers(segments=("enterprise",))) == dupre
    assert _october_end(session, Customers(account_manager_id=accounts["marc"])) == dupre
    assert _october_end(session, Customers(countries=("LU",))) == buckets(0, 0, 0, 0, 2000)
    assert _october_end(session, Customers(segments=("public_sector",))) == buckets()
    kept = session.scalars(select(ReceivableMonth).where(ReceivableMonth.month == OCTOBER)
                           ).all()
    assert {(r.segment, r.country, r.balance_cents) for r in kept} == {
        ("enterprise", "BE", 1000_00 + 500_00 + 300_00 - 100_00 - 400_00),
        ("small_business", "LU", 2000_00)}


def test_a_closed_month_is_kept_until_worked_out_again(session: Session,
                                                       accounts: dict[str, int]) -> None:
    before = _october_end(session)
    assert set(closes.closed(session=session, months=closes.months_before(TODAY, 14))) == set(
        closes.months_before(TODAY, 14))
    # A payment booked today but dated 20 October settles 100 of INV5.
    inv5 = session.scalars(select(Invoice).where(Invoice.total_cents == 2000_00)).one()
    pay = Payment(customer_id=accounts["weber"], received_on=date(2026, 10, 20),
                  amount_cents=100_00, unallocated_cents=0, method="bank_transfer",
                  bank_reference="LATE")
    session.add(pay)
    session.flush()
    session.add(PaymentAllocation(invoice_id=inv5.id, payment_id=pay.id, amount_cents=100_00,
                                  allocated_on=date(2026, 10, 20)))
    inv5.open_cents -= 100_00
    session.flush()
    assert _october_end(session) == before          # closed: unchanged
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    assert p.now.buckets["90+"] == 1900_00          # today is live
    report = closes.close_before(session=session, today=TODAY, count=14, recompute=True)
    assert report is not None and report.stored and len(report.months) == 14
    assert _october_end(session)["90+"] == 1900_00
    assert closes.close_before(session=session, today=TODAY, count=14) is None


def test_closing_again_keeps_one_copy(session: Session, accounts: dict[str, int]) -> None:
    first = _october_end(session)
    rows = session.scalar(select(func.count()).select_from(ReceivableMonth))
    # Another process that missed the first close works the months out too.
    report, figures = closes.close_months(session=session, months=[OCTOBER])
    assert not report.stored
    assert session.scalar(select(func.count()).select_from(ReceivableMonth)) == rows
    assert figures[("small_business", "LU", accounts["ann"])][0].buckets == buckets(
        0, 0, 0, 0, 2000)
    assert _october_end(session) == first


def test_a_month_nobody_kept_comes_from_the_fresh_figures(
        session: Session, accounts: dict[str, int]) -> None:
    """The other process's rows may not be visible yet: the freshly worked-out figures,
    filtered the same way, stand in for them."""
    session.add(ReceivableClose(month=OCTOBER))    # closed elsewhere, rows not visible
    session.flush()
    october = closes.closed_months(session=session, customers=Customers(countries=("LU",)),
                                   months=[date(2026, 9, 1), OCTOBER])
    assert october[1].buckets == buckets()         # kept as closed: nothing to read
    session.execute(delete(ReceivableClose).where(ReceivableClose.month == OCTOBER))
    assert closes.closed_months(session=session, customers=Customers(countries=("LU",)),
                                months=[OCTOBER])[0].buckets == buckets(0, 0, 0, 0, 2000)


def test_command_line_closes_what_is_missing(engine: Engine, session: Session,
                                             accounts: dict[str, int],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    session.commit()
    url = cli_url(engine)
    this_month = date.today().replace(day=1)
    assert main(["--database-url", url, "balances", "close", "--months", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Closed 2 months (") and "2 slices of the portfolio" in out
    with Session(engine) as s:
        assert closes.closed(session=s, months=closes.months_before(this_month, 3)) == set(
            closes.months_before(this_month, 2))
    assert main(["--database-url", url, "balances", "close", "--months", "2"]) == 0
    assert capsys.readouterr().out.strip() == (
        "The 2 months before this one were closed already.")
    assert main(["--database-url", url, "balances", "close", "--months", "2",
                 "--recompute"]) == 0
    assert capsys.readouterr().out.startswith("Closed 2 months")


def test_customer_balances_add_up_to_the_portfolio_months(
        session: Session, accounts: dict[str, int]) -> None:
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    per_customer = [balances.balance_history(session=session, customer_id=accounts[name],
                                             today=TODAY, months=len(p.months))
                    for name in ("dupre", "weber")]
    for month, dupre, weber in zip(p.months, *per_customer, strict=True):
        assert dupre.month == weber.month == month.month
        assert (dupre.invoiced_cents + weber.invoiced_cents, dupre.credited_cents
                + weber.credited_cents, dupre.paid_cents + weber.paid_cents,
                dupre.balance_cents + weber.balance_cents) == (
            month.invoiced_cents, month.credited_cents, month.paid_cents, month.balance_cents)


def test_each_bucket_of_today_lists_what_makes_it_up(session: Session,
                                                     accounts: dict[str, int]) -> None:
    p = portfolio.portfolio(session=session, customers=Customers(), today=TODAY)
    for bucket in statement.BUCKETS:
        items = portfolio.bucket_items(session=session, customers=Customers(), today=TODAY,
                                       bucket=bucket)
        assert items.total_cents == p.now.buckets[bucket], bucket
    # 1–30 days: INV2 (16 days); no credit left for it.
    one_to_30 = portfolio.bucket_items(session=session, customers=Customers(), today=TODAY,
                                       bucket="1-30")
    assert [(r.open_cents, r.days_past_due, r.is_disputed) for r in one_to_30.rows] == [
        (500_00, 16, True)]
    assert (one_to_30.count, one_to_30.credits_cents) == (1, 0)
    # 61–90 days: INV1, less CN1's 40 and P2's 60 on account.
    oldest = portfolio.bucket_items(session=session, customers=Customers(), today=TODAY,
                                    bucket="61-90")
    assert [(r.kind, r.open_cents) for r in oldest.rows] == [("invoice", 600_00)]
    assert (oldest.credits_cents, oldest.total_cents) == (100_00, 500_00)
    # 31–60 days: the credit note due then is no longer aged on its own.
    assert portfolio.bucket_items(session=session, customers=Customers(), today=TODAY,
                                  bucket="31-60").count == 0
    lu = portfolio.bucket_items(session=session, customers=Customers(countries=("LU",)),
                                today=TODAY, bucket="90+", limit=1)
    assert [r.customer_number for r in lu.rows] == ["C100002"] and lu.count == 1


def test_bucket_days_are_the_statement_buckets() -> None:
    for days in range(-3, 130):
        first, last = statement.BUCKET_DAYS[statement.bucket_for(days)]
        assert (first is None or days >= first) and (last is None or days <= last)
