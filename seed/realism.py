"""How much a seeded ledger looks like a real one, measured from the raw tables.

The figures are computed with their own SQL and their own calendar (``holidays`` BE and
weekends), not with the generator's helpers, so that tests asserting them can fail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
import phonenumbers
from phonenumbers import PhoneNumberType
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db.text import fold

DSO_MONTHS = 3  # as the portfolio page: receivables over the sales of three months


@dataclass(frozen=True)
class Realism:
    customers: int
    receivables_cents: int
    dso_days: float
    share_current: float
    share_1_30: float
    share_31_60: float
    share_61_90: float
    share_over_90: float
    payments: int
    payments_on_weekends: int
    payments_on_holidays: int
    documents_on_non_banking_days: int
    phone_numbers: int
    invalid_phone_numbers: int
    faxes_not_fixed_line: int
    duplicate_names: int
    duplicate_domains: int
    credit_notes_over_credited: int
    credit_lines_with_other_vat: int
    rows_in_the_future: int

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            out.append((f.name, f"{value:.1%}" if f.name.startswith("share") else
                        f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"))
        return out


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def banking_day(day: date) -> bool:
    """Monday to Friday and not a Belgian public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def _dso_window_start(today: date) -> date:
    first = today.replace(day=1)
    for _ in range(DSO_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _ageing(session: Session, today: date) -> tuple[int, dict[str, int]]:
    buckets = Counter[str]()
    rows = session.execute(select(m.Invoice.due_date, m.Invoice.open_cents).where(
        m.Invoice.open_cents != 0, m.Invoice.status != "cancelled"))
    for due, open_cents in rows:
        late = (today - due).days
        key = ("current" if late <= 0 else "1-30" if late <= 30 else "31-60" if late <= 60
               else "61-90" if late <= 90 else "90+")
        buckets[key] += open_cents
    on_account = session.scalar(select(func.coalesce(func.sum(m.Payment.unallocated_cents), 0)))
    total = sum(buckets.values()) - int(on_account or 0)
    return total, dict(buckets)


def _phones(session: Session) -> tuple[int, int, int]:
    numbers: list[tuple[str, frozenset[int]]] = []
    fixed = frozenset((PhoneNumberType.FIXED_LINE,))
    mobile = frozenset((PhoneNumberType.MOBILE,))
    anything = fixed | mobile | {PhoneNumberType.FIXED_LINE_OR_MOBILE}
    numbers += [(n, anything) for n in session.scalars(select(m.Customer.phone)) if n]
    for phone, mob, fax in session.execute(select(m.Contact.phone, m.Contact.mobile,
                                                  m.Contact.fax)):
        numbers += [(n, kinds) for n, kinds in ((phone, anything), (mob, mobile), (fax, fixed))
                    if n]
    invalid = wrong_fax = 0
    for number, kinds in numbers:
        try:
            parsed = phonenumbers.parse(number)
        except phonenumbers.NumberParseException:
            invalid += 1
            continue
        if not phonenumbers.is_valid_number(parsed):
            invalid += 1
        elif phonenumbers.number_type(parsed) not in kinds:
            wrong_fax += kinds == fixed
            invalid += kinds != fixed
    return len(numbers), invalid, wrong_fax


def _duplicates(values: list[str]) -> int:
    counts = Counter(values)
    return sum(c - 1 for c in counts.values() if c > 1)


def _credit_notes(session: Session) -> tuple[int, int]:
    credited = {i: (net, vat) for i, net, vat in session.execute(
        select(m.Invoice.id, m.Invoice.net_cents, m.Invoice.vat_cents)
        .where(m.Invoice.kind == "invoice"))}
    taken: Counter[int] = Counter()
    for target, net in session.execute(select(m.Invoice.credited_invoice_id, m.Invoice.net_cents)
                                       .where(m.Invoice.kind == "credit_note")):
        if target is not None:
            taken[target] += -net
    over = sum(1 for target, net in taken.items() if net > credited.get(target, (0, 0))[0])
    rates: dict[int, set[tuple[int, str]]] = {}
    for invoice_id, rate, category in session.execute(
            select(m.InvoiceLine.invoice_id, m.InvoiceLine.vat_rate_pct,
                   m.InvoiceLine.vat_category)):
        rates.setdefault(invoice_id, set()).add((rate, category))
    other = 0
    for credit_id, target in session.execute(select(m.Invoice.id, m.Invoice.credited_invoice_id)
                                             .where(m.Invoice.kind == "credit_note")):
        other += len(rates.get(credit_id, set()) - rates.get(target or 0, set()))
    return over, other


def _future_rows(session: Session, now: datetime, today: date) -> int:
    stamped: list[Any] = [m.Order.ordered_at, m.OrderEvent.occurred_at, m.Invoice.released_at,
               m.Enquiry.created_at, m.Enquiry.updated_at, m.Enquiry.first_response_at,
               m.Enquiry.resolved_at, m.Enquiry.closed_at, m.EnquiryEvent.occurred_at,
               m.InboundMessage.received_at, m.OutboundMessage.created_at,
               m.InventoryChange.changed_at, m.AuditLog.occurred_at, m.Customer.created_at]
    dated: list[Any] = [m.Invoice.issue_date, m.Payment.received_on,
                        m.PaymentAllocation.allocated_on, m.Order.delivered_on]
    count = 0
    for column in stamped:
        count += session.scalar(select(func.count()).where(column > now)) or 0
    for column in dated:
        count += session.scalar(select(func.count()).where(column > today)) or 0
    return count


def measure(session: Session, *, today: date, now: datetime) -> Realism:
    receivables, buckets = _ageing(session, today)
    sales = session.scalar(select(func.coalesce(func.sum(m.Invoice.total_cents), 0)).where(
        m.Invoice.issue_date >= _dso_window_start(today), m.Invoice.issue_date <= today,
        m.Invoice.status != "cancelled")) or 0
    days = (today - _dso_window_start(today)).days + 1
    documents = sum(buckets.values()) or 1
    payment_days = list(session.scalars(select(m.Payment.received_on)))
    holiday_names = Counter(d for d in payment_days if d.weekday() < 5 and not banking_day(d))
    issued = list(session.scalars(select(m.Invoice.issue_date)))
    phones, invalid, wrong_fax = _phones(session)
    names = [fold(n) for n in session.scalars(select(m.Customer.name))]
    domains = [e.split("@", 1)[1] for e in session.scalars(select(m.Customer.email)) if e]
    over, other_vat = _credit_notes(session)
    return Realism(
        customers=len(names), receivables_cents=receivables,
        dso_days=receivables / sales * days if sales else 0.0,
        share_current=buckets.get("current", 0) / documents,
        share_1_30=buckets.get("1-30", 0) / documents,
        share_31_60=buckets.get("31-60", 0) / documents,
        share_61_90=buckets.get("61-90", 0) / documents,
        share_over_90=buckets.get("90+", 0) / documents,
        payments=len(payment_days),
        payments_on_weekends=sum(1 for d in payment_days if d.weekday() >= 5),
        payments_on_holidays=sum(holiday_names.values()),
        documents_on_non_banking_days=sum(1 for d in issued if not banking_day(d)),
        phone_numbers=phones, invalid_phone_numbers=invalid, faxes_not_fixed_line=wrong_fax,
        duplicate_names=_duplicates(names), duplicate_domains=_duplicates(domains),
        credit_notes_over_credited=over, credit_lines_with_other_vat=other_vat,
        rows_in_the_future=_future_rows(session, now, today),
    )
