"""The customer header: who they are and where the account stands, in one query round."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import Session

from dashboard.formatting import format_vat, money
from dashboard.services import audit, receivables, tiers
from dashboard.services.receivables import SEVERELY_OVERDUE_DAYS
from db.models import Contact, Contract, Customer, InstalledItem, Invoice, Payment, User

RENEWAL_WINDOW_DAYS = 90


@dataclass(frozen=True)
class CustomerHeader:
    id: int
    customer_number: str
    name: str
    vat_number: str | None      # as printed: BE 0403.019.261
    country: str
    language: str
    segment: str
    account_manager: str | None
    city: str
    phone: str | None
    email: str | None
    # As ``receivables`` defines them: open invoices less open credit notes and money on
    # account; overdue and severely overdue after those credits are set against the oldest.
    balance_cents: int
    overdue_cents: int
    severely_overdue_cents: int
    credit_limit_cents: int
    open_disputes: int
    items_uncovered: int        # installed items with neither a contract nor a warranty
    contracts_renewing: int     # active contracts ending within 90 days
    contacts: int

    @property
    def credit_used_pct(self) -> float | None:
        if self.credit_limit_cents <= 0:
            return None
        return 100 * max(self.balance_cents, 0) / self.credit_limit_cents

    @property
    def warnings(self) -> list[str]:
        """What a representative should know before answering, most serious first."""
        found: list[str] = []
        if self.severely_overdue_cents > 0:
            found.append(f"{money(self.severely_overdue_cents)} more than "
                         f"{SEVERELY_OVERDUE_DAYS} days overdue")
        if self.open_disputes:
            found.append(_count(self.open_disputes, "open invoice dispute"))
        if self.credit_limit_cents and self.balance_cents > self.credit_limit_cents:
            found.append(f"{money(self.balance_cents - self.credit_limit_cents)} over the "
                         "credit limit")
        if self.items_uncovered:
            found.append(_count(self.items_uncovered, "installed item") + " out of maintenance")
        if self.contracts_renewing:
            found.append(_count(self.contracts_renewing, "contract")
                         + f" up for renewal within {RENEWAL_WINDOW_DAYS} days")
        return found


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def get_header(*, session: Session, customer_id: int, today: date) -> CustomerHeader | None:
    """The header in one statement: the customer, its account manager, and each figure as
    a subquery on that customer's own rows."""
    severe_before = today - timedelta(days=SEVERELY_OVERDUE_DAYS)
    issued = and_(Invoice.open_cents != 0, Invoice.issue_date <= today)
    owed = and_(issued, Invoice.open_cents > 0)
    documents = (
        select(func.coalesce(func.sum(Invoice.open_cents).filter(owed), 0).label("owed"),
               func.coalesce(func.sum(Invoice.open_cents).filter(
                   owed, Invoice.due_date < today), 0).label("overdue"),
               func.coalesce(func.sum(Invoice.open_cents).filter(
                   owed, Invoice.due_date < severe_before), 0).label("severe"),
               func.coalesce(func.sum(Invoice.open_cents).filter(
                   issued, Invoice.open_cents < 0), 0).label("credit_notes"),
               func.count().filter(Invoice.is_disputed.is_(True)).label("disputes"))
        .where(Invoice.customer_id == customer_id, Invoice.open_cents != 0,
               receivables.counted())
        .subquery())
    on_account = (
        select(func.coalesce(func.sum(Payment.unallocated_cents), 0))
        .where(Payment.customer_id == customer_id, Payment.unallocated_cents != 0,
               Payment.received_on <= today)
        .scalar_subquery())
    uncovered = (_uncovered_items(today, [customer_id])
                 .where(InstalledItem.customer_id == customer_id).scalar_subquery())
    renewing = (
        select(func.count()).select_from(Contract).where(
            Contract.customer_id == customer_id, Contract.status == "active",
            Contract.end_date.between(today, today + timedelta(days=RENEWAL_WINDOW_DAYS)))
        .scalar_subquery())
    contacts = (
        select(func.count()).select_from(Contact)
        .where(Contact.customer_id == customer_id, Contact.is_active.is_(True))
        .scalar_subquery())
    row = session.execute(
        select(Customer, User.full_name, documents.c.owed, documents.c.overdue,
               documents.c.severe, documents.c.credit_notes, documents.c.disputes,
               on_account, uncovered, renewing, contacts)
        .outerjoin(User, User.id == Customer.account_manager_id)
        .join(documents, literal(True))
        .where(Customer.id == customer_id)).first()
    if row is None:
        return None
    (customer, manager, owed_cents, overdue_cents, severe_cents, credit_notes, disputes,
     unallocated, items_uncovered, contracts_renewing, contact_count) = row
    # As ``receivables.position``: credits (open credit notes, money on account) are set
    # against the oldest amounts first, and the overdue ones are the oldest.
    credit = -int(credit_notes) + int(unallocated)
    return CustomerHeader(
        id=customer.id, customer_number=customer.customer_number, name=customer.name,
        vat_number=format_vat(customer.vat_number), country=customer.country,
        language=customer.language, segment=customer.segment,
        account_manager=manager, city=customer.city,
        phone=customer.phone, email=customer.email,
        balance_cents=int(owed_cents) - credit,
        overdue_cents=max(int(overdue_cents) - credit, 0),
        severely_overdue_cents=max(int(severe_cents) - credit, 0),
        credit_limit_cents=customer.credit_limit_cents, open_disputes=int(disputes or 0),
        items_uncovered=int(items_uncovered or 0),
        contracts_renewing=int(contracts_renewing or 0), contacts=int(contact_count or 0),
    )


def account_position(*, session: Session, customer_id: int, today: date
                     ) -> receivables.Position:
    """The customer's open items now (issued by ``today``), aged as ``receivables`` says."""
    return account_positions(session=session, customer_ids=[customer_id], today=today)[
        customer_id]


def account_positions(*, session: Session, customer_ids: Iterable[int], today: date
                      ) -> dict[int, receivables.Position]:
    """``account_position`` for several customers in two statements (every id is a key)."""
    ids = sorted(set(customer_ids))
    items: dict[int, list[tuple[date, int]]] = {i: [] for i in ids}
    if not ids:
        return {}
    documents = session.execute(
        select(Invoice.customer_id, Invoice.due_date, func.sum(Invoice.open_cents))
        .where(Invoice.customer_id.in_(ids), Invoice.open_cents != 0,
               Invoice.issue_date <= today, receivables.counted())
        .group_by(Invoice.customer_id, Invoice.due_date,
                  Invoice.open_cents > 0))  # credits and debts apart
    on_account = session.execute(
        select(Payment.customer_id, Payment.received_on, func.sum(Payment.unallocated_cents))
        .where(Payment.customer_id.in_(ids), Payment.unallocated_cents != 0,
               Payment.received_on <= today)
        .group_by(Payment.customer_id, Payment.received_on))
    for customer_id, due, cents in documents:
        items[customer_id].append((due, int(cents)))
    for customer_id, received, cents in on_account:
        items[customer_id].append((received, -int(cents)))
    return {i: receivables.position(rows, today) for i, rows in items.items()}


@dataclass(frozen=True)
class AccountFlags:
    """What a list of enquiries says about each customer at a glance."""

    overdue_cents: int
    items_uncovered: int

    @property
    def badges(self) -> tuple[str, ...]:
        return tuple(b for b in (
            "Overdue" if self.overdue_cents > 0 else "",
            "Not covered" if self.items_uncovered else "") if b)


def account_flags(*, session: Session, customer_ids: Iterable[int], today: date
                  ) -> dict[int, AccountFlags]:
    """Overdue amount (the header's definition) and items out of maintenance per customer."""
    ids = sorted({i for i in customer_ids if i is not None})
    if not ids:
        return {}
    positions = account_positions(session=session, customer_ids=ids, today=today)
    uncovered = dict(session.execute(
        _uncovered_items(today, ids).where(InstalledItem.customer_id.in_(ids))
        .group_by(InstalledItem.customer_id)
        .with_only_columns(InstalledItem.customer_id, func.count())).all())
    return {i: AccountFlags(positions[i].overdue_cents, int(uncovered.get(i, 0)))
            for i in ids}


def _uncovered_items(today: date, customer_ids: list[int]) -> Select[Any]:
    """Installed items with neither a running contract nor a warranty on ``today``. The
    contracts looked at are those of ``customer_ids`` (an item's covering contract is its
    customer's): PostgreSQL otherwise hashes every contract for the anti-join."""
    return (
        select(func.count()).select_from(InstalledItem)
        .outerjoin(Contract, and_(Contract.id == InstalledItem.contract_id,
                                  Contract.customer_id.in_(customer_ids),
                                  Contract.status == "active", Contract.end_date >= today))
        .where(InstalledItem.status == "installed", Contract.id.is_(None),
               (InstalledItem.warranty_end.is_(None)) | (InstalledItem.warranty_end < today)))


def find_by_number(*, session: Session, customer_number: str) -> int | None:
    return session.scalar(
        select(Customer.id).where(Customer.customer_number == customer_number.strip().upper())
    )


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    role: str
    language: str
    email: str | None
    phone: str | None
    mobile: str | None
    fax: str | None
    portal_tier: str
    invoice_notifications: bool
    is_primary: bool
    statement_notifications: bool = False


def list_contacts(*, session: Session, customer_id: int) -> list[ContactRow]:
    contacts = session.scalars(
        select(Contact).where(Contact.customer_id == customer_id, Contact.is_active.is_(True))
        .order_by(Contact.is_primary.desc(), Contact.last_name, Contact.first_name)
    )
    return [
        ContactRow(c.id, c.full_name, c.role, c.language, c.email, c.phone, c.mobile, c.fax,
                   c.portal_tier, c.invoice_notifications, c.is_primary,
                   c.statement_notifications)
        for c in contacts
    ]


@dataclass(frozen=True)
class Caller:
    """Who is on the line, as the representative recorded it."""

    contact_id: int | None
    name: str
    tier: str            # "unknown", "guest", "registered", "entitled"
    verification: str    # one of VERIFICATION_METHODS; "none" until verified

    @property
    def verified(self) -> bool:
        return self.contact_id is not None and self.verification != "none"


UNKNOWN_CALLER = Caller(None, "Unknown caller", "unknown", "none")
# Tiers a verified caller must hold before invoices, statements and balances are disclosed.
FINANCE_TIERS = tiers.tiers_seeing("invoices")

# What may be told to a caller, by the portal tier of the contact they are verified as: the
# three kinds of customer user of Customer Support OnLine (the portal's own rule table).
DISCLOSURE = {tier: tiers.disclosure(tier) for tier in tiers.RULES}


def record_caller(*, session: Session, customer_id: int, contact_id: int | None,
                  verification: str, by_user_id: int, by_username: str) -> None:
    """Note who is calling and how they were verified (kept in the audit trail)."""
    if contact_id is not None:
        owner = session.scalar(select(Contact.customer_id).where(Contact.id == contact_id))
        if owner != customer_id:
            raise ValueError("That contact does not belong to this customer.")
    audit.record(session=session, action="caller_identified", user_id=by_user_id,
                 username=by_username, entity_type="customer", entity_id=customer_id,
                 after={"contact_id": contact_id, "verification": verification})


def set_invoice_notifications(*, session: Session, contact_id: int, enabled: bool,
                              by_user_id: int, by_username: str) -> None:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ValueError("That contact no longer exists.")
    if enabled and not contact.email:
        raise ValueError(f"{contact.full_name} has no e-mail address to send invoices to.")
    if contact.invoice_notifications == enabled:
        return
    audit.record(session=session, action="contact_invoice_notifications", user_id=by_user_id,
                 username=by_username, entity_type="contact", entity_id=contact_id,
                 before={"invoice_notifications": contact.invoice_notifications},
                 after={"invoice_notifications": enabled})
    contact.invoice_notifications = enabled
