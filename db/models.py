"""The data model for the whole console (DESIGN §2, §3).

Money is integer cents; timestamps are UTC (``UTCDateTime``); dates without a time
(due dates, delivery dates) are plain ``Date``. Every business number people type is
unique and indexed. Fixed value sets are enforced with CHECK constraints; the tuples
below are the single source of those sets for services and forms.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.text import contact_search_name, email_domain
from db.types import UTCDateTime, utcnow

ROLES = ("rep", "lead", "admin")
LANGUAGES = ("nl", "fr", "de", "en")
COUNTRIES = ("BE", "LU")
SEGMENTS = ("enterprise", "mid_market", "small_business", "public_sector")
CONTACT_ROLES = ("purchasing", "finance", "it", "management", "facilities", "other")
PORTAL_TIERS = ("guest", "registered", "entitled")
ORDER_STATUSES = (
    "received", "confirmed", "picking", "shipped", "in_transit", "delivered", "cancelled",
)
INVOICE_KINDS = ("invoice", "credit_note")
INVOICE_STATUSES = ("open", "partially_paid", "paid", "cancelled")
# Where an invoice's Peppol e-invoice is; NULL: not sent (yet).
EINVOICE_STATES = ("sent", "delivered", "rejected", "not_on_peppol")
PAYMENT_METHODS = ("bank_transfer", "direct_debit", "card")
CONTRACT_TYPES = ("maintenance", "support", "lease", "software_subscription", "managed_service")
BILLING_FREQUENCIES = ("monthly", "quarterly", "yearly")
SERVICE_LEVELS = ("bronze", "silver", "gold", "platinum")
CONTRACT_STATUSES = ("active", "expired", "terminated")
ITEM_STATUSES = ("installed", "removed")
INVENTORY_CHANGE_KINDS = ("add", "relocate", "remove")
CHANNELS = ("phone", "fax", "email", "web")
CATEGORIES = ("orders", "invoices", "contracts", "inventory", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
ENQUIRY_STATUSES = ("new", "open", "pending_customer", "pending_internal", "resolved", "closed")
OPEN_ENQUIRY_STATUSES = ("new", "open", "pending_customer", "pending_internal")
ENQUIRY_EVENT_KINDS = (
    "message_in", "reply", "note", "call", "status", "assignment", "priority", "category",
    "link", "merge", "sla",
)
VERIFICATION_METHODS = (
    "none", "known_voice", "customer_number", "invoice_number", "callback", "email_on_file",
)
INBOUND_SOURCES = ("smtp", "import", "web", "fax")
INBOUND_STATUSES = ("received", "processed", "ignored", "quarantined")
NOTIFICATION_KINDS = ("invoice", "statement")
PUBLIC_SCOPES = ("track", "form")
OUTBOUND_KINDS = ("reply", "invoice", "statement", "notification")
OUTBOUND_STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
THROTTLE_SCOPES = ("account", "client", "account_client")
ERASURE_STATUSES = ("pending", "erased", "withdrawn")
# A customer's portal account: pending until its password is set from the e-mailed link.
PORTAL_ACCOUNT_STATES = ("pending", "active", "closed")

# Stable constraint names so one Alembic history works on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def fk(target: str, *, index: bool = True, ondelete: str | None = None) -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), index=index)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # Routing: the categories and languages this team answers (lists of codes).
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A retired team routes nothing and takes no members; its past enquiries keep its name.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES), one_of("language", LANGUAGES))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2), default="en")
    team_id: Mapped[int | None] = fk("teams.id")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by the admin's edits only (not by sign-ins), so a stale form is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set with a temporary password: nothing but a password change until a new one is chosen.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=text("0"))
    # Until when that temporary password signs in; a late one needs a new reset.
    temporary_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lead of their team (one per team, kept so by services.teams).
    is_team_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))

    team: Mapped[Team | None] = relationship()


class UserSession(Base):
    """A signed-in browser. Its id travels in the remember-me cookie, but only this row says
    whether the session still holds: revoked, past its absolute end or idle too long, it is
    refused whatever the cookie claims."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_client", "user_id", "client_hash"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = fk("users.id", index=False, ondelete="CASCADE")
    # A keyed digest of the browser's client id: sign-ins from a known browser are
    # throttled apart from a stranger's.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(20))


class LoginThrottle(Base):
    """Failed sign-ins counted per account, per client, or per account on one known client;
    kept in the database so every app server applies the same delay."""

    __tablename__ = "login_throttles"
    __table_args__ = (
        one_of("scope", THROTTLE_SCOPES),
        Index("ix_login_throttles_last_failure_at", "last_failure_at"),
    )

    # A keyed digest of the scope and what was typed or the client: no typed text is kept.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = fk("users.id", ondelete="CASCADE")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        one_of("country", COUNTRIES),
        one_of("language", LANGUAGES),
        one_of("segment", SEGMENTS),
        CheckConstraint("credit_limit_cents >= 0", name="credit_limit_not_negative"),
        # PostgreSQL uses a btree for LIKE 'prefix%' only with pattern ops (any collation).
        Index("ix_customers_name_search_pattern", "name_search",
              postgresql_ops={"name_search": "text_pattern_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    # Lower-case, accent-free copy of the name for prefix and contains search.
    name_search: Mapped[str] = mapped_column(String(160), index=True)
    # Compact form with country prefix, e.g. BE0403019261 / LU15027442.
    vat_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(2))
    segment: Mapped[str] = mapped_column(String(20))
    account_manager_id: Mapped[int | None] = fk("users.id")
    credit_limit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    iban: Mapped[str | None] = mapped_column(String(34))
    # The customer's Peppol address "scheme:id", e.g. 0208:0403019261 (KBO/BCE number).
    peppol_endpoint: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    street: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account_manager: Mapped[User | None] = relationship()


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_name_search_pattern", "name_search",
              postgresql_ops={"name_search": "text_pattern_ops"}).ddl_if(dialect="postgresql"),
        one_of("role", CONTACT_ROLES),
        one_of("language", LANGUAGES),
        one_of("portal_tier", PORTAL_TIERS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers.id")
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # stored lower-case
    # For search: fold("last first") and the part of the e-mail after the @ (db.text).
    name_search: Mapped[str] = mapped_column(String(150), index=True, default="")
    email_domain: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    fax: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    portal_tier: Mapped[str] = mapped_column(String(12), default="guest")
    invoice_notifications: Mapped[bool] = mapped_column(Boolean, default=False)
    statement_notifications: Mapped[bool] = mapped_column(Boolean, default=False,
                                                          server_default=false())
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    customer: Mapped[Customer] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("customer_id", "name", name="uq_sites_customer_id_name"),
        one_of("country", COUNTRIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers.id")
    name: Mapped[str] = mapped_column(String(80))
    street: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(40))
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    warranty_months: Mapped[int] = mapped_column(Integer, default=0)
    is_serialized: Mapped[bool] = mapped_column(Boolean, default=False)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (one_of("status", ORDER_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = fk("customers.id")
    customer_po: Mapped[str | None] = mapped_column(String(40), index=True)
    ship_to_site_id: Mapped[int | None] = fk("sites.id", index=False)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    promised_date: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(40), index=True)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_id_line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = fk("orders.id", index=False, ondelete="CASCADE")
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = fk("products.id", index=False)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    line_total_cents: Mapped[int] = mapped_column(BigInteger)


class OrderEvent(Base):
    __tablename__ = "order_events"
    __table_args__ = (one_of("status", ORDER_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = fk("orders.id", ondelete="CASCADE")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(200), default="")


class Invoice(Base):
    """An invoice or a credit note.

    Amounts are signed: a credit note's net, VAT and total are negative, so a customer's
    balance is a plain sum. ``open_cents`` is what is still to be paid (or, for a credit
    note, still to be used) and is kept in step with ``payment_allocations``.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        one_of("kind", INVOICE_KINDS),
        one_of("status", INVOICE_STATUSES),
        CheckConstraint("einvoice_state IS NULL OR einvoice_state IN ("
                        + ", ".join(f"'{s}'" for s in EINVOICE_STATES) + ")",
                        name="einvoice_state"),
        CheckConstraint(
            "(kind = 'invoice' AND total_cents >= 0)"
            " OR (kind = 'credit_note' AND total_cents <= 0)",
            name="sign_matches_kind",
        ),
        CheckConstraint("net_cents + vat_cents = total_cents", name="total_is_net_plus_vat"),
        Index("ix_invoices_customer_id_issue_date", "customer_id", "issue_date"),
        Index("ix_invoices_customer_id_open", "customer_id", "open_cents"),
        Index("ix_invoices_due_date", "due_date"),
        # Today's receivables and this month's sales read these instead of the whole table.
        Index("ix_invoices_open_by_due", "due_date", "customer_id", "open_cents",
              "is_disputed", "status", "issue_date",
              postgresql_where=text("open_cents <> 0"), sqlite_where=text("open_cents <> 0")),
        Index("ix_invoices_sales", "issue_date", "kind", "status", "total_cents", "open_cents",
              "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int] = fk("customers.id", index=False)
    order_id: Mapped[int | None] = fk("orders.id")
    credited_invoice_id: Mapped[int | None] = fk("invoices.id")
    contract_id: Mapped[int | None] = fk("contracts.id")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    # Twelve digits of the Belgian structured reference (+++123/4567/89002+++).
    payment_reference: Mapped[str] = mapped_column(String(12), unique=True)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    open_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    is_disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    dispute_reason: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    einvoice_state: Mapped[str | None] = mapped_column(String(16))
    # The receiver's reason when it rejected the e-invoice (Peppol status reason code) and
    # its own words.
    einvoice_reason: Mapped[str | None] = mapped_column(String(3))
    einvoice_note: Mapped[str | None] = mapped_column(String(300))
    einvoice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "line_no", name="uq_invoice_lines_invoice_id_line_no"),
        CheckConstraint("vat_rate_pct IN (0, 3, 6, 8, 12, 14, 16, 17, 21)", name="vat_rate"),
        # UNCL 5305: S standard, AA reduced, AE reverse charge (0 %); see dashboard/vat.py.
        CheckConstraint("vat_category IN ('S', 'AA', 'AE') AND "
                        "(vat_category = 'AE') = (vat_rate_pct = 0)", name="vat_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = fk("invoices.id", index=False, ondelete="CASCADE")
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = fk("products.id", index=False)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate_pct: Mapped[int] = mapped_column(Integer)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    vat_category: Mapped[str] = mapped_column(String(2), default="S", server_default="S")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        one_of("method", PAYMENT_METHODS),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_payments_customer_id_received_on", "customer_id", "received_on"),
        Index("ix_payments_received_on", "received_on", "customer_id", "amount_cents"),
        Index("ix_payments_on_account", "received_on", "customer_id", "unallocated_cents",
              postgresql_where=text("unallocated_cents <> 0"),
              sqlite_where=text("unallocated_cents <> 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers.id", index=False)
    received_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    # What is not allocated yet; positive while money sits on account.
    unallocated_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(60), default="")
    payer_iban: Mapped[str | None] = mapped_column(String(34))
    bank_reference: Mapped[str] = mapped_column(String(40), unique=True)


class PaymentAllocation(Base):
    """Settles part of an invoice with a payment or with a credit note (exactly one)."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"
        ),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # Closing a month reads the allocations made since its end.
        Index("ix_payment_allocations_allocated_on", "allocated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = fk("invoices.id")
    payment_id: Mapped[int | None] = fk("payments.id")
    credit_note_id: Mapped[int | None] = fk("invoices.id")
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    allocated_on: Mapped[date] = mapped_column(Date)


class ReceivableClose(Base):
    """A month whose receivables are closed: worked out once and kept (``receivable_months``)."""

    __tablename__ = "receivable_closes"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReceivableMonth(Base):
    """One closed month of one slice of the portfolio: the customers of a segment, country
    and account manager (as they were when the month was closed). Flows are the month's;
    the balance and the ageing buckets are at its last day."""

    __tablename__ = "receivable_months"
    __table_args__ = (
        UniqueConstraint("month", "segment", "country", "account_manager_id",
                         name="uq_receivable_months_slice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = fk("receivable_closes.month", index=False, ondelete="CASCADE")
    segment: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    account_manager_id: Mapped[int | None] = fk("users.id", index=False)
    invoiced_cents: Mapped[int] = mapped_column(BigInteger)
    credited_cents: Mapped[int] = mapped_column(BigInteger)  # negative
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    current_cents: Mapped[int] = mapped_column(BigInteger)
    days_1_30_cents: Mapped[int] = mapped_column(BigInteger)
    days_31_60_cents: Mapped[int] = mapped_column(BigInteger)
    days_61_90_cents: Mapped[int] = mapped_column(BigInteger)
    days_90_plus_cents: Mapped[int] = mapped_column(BigInteger)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        one_of("type", CONTRACT_TYPES),
        one_of("billing_frequency", BILLING_FREQUENCIES),
        one_of("service_level", SERVICE_LEVELS),
        one_of("status", CONTRACT_STATUSES),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_contracts_end_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = fk("customers.id")
    type: Mapped[str] = mapped_column(String(24))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    annual_value_cents: Mapped[int] = mapped_column(BigInteger)
    billing_frequency: Mapped[str] = mapped_column(String(10))
    service_level: Mapped[str] = mapped_column(String(10))
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_days: Mapped[int] = mapped_column(Integer, default=90)
    status: Mapped[str] = mapped_column(String(12))


class InstalledItem(Base):
    __tablename__ = "installed_items"
    __table_args__ = (one_of("status", ITEM_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(40), unique=True)
    product_id: Mapped[int] = fk("products.id", index=False)
    customer_id: Mapped[int] = fk("customers.id")
    site_id: Mapped[int] = fk("sites.id")
    contract_id: Mapped[int | None] = fk("contracts.id")
    installed_on: Mapped[date] = mapped_column(Date)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="installed")
    removed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class InventoryChange(Base):
    __tablename__ = "inventory_changes"
    __table_args__ = (one_of("kind", INVENTORY_CHANGE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    installed_item_id: Mapped[int] = fk("installed_items.id")
    kind: Mapped[str] = mapped_column(String(10))
    from_site_id: Mapped[int | None] = fk("sites.id", index=False)
    to_site_id: Mapped[int | None] = fk("sites.id", index=False)
    reason: Mapped[str] = mapped_column(String(400))
    enquiry_id: Mapped[int | None] = fk("enquiries.id")
    changed_by_id: Mapped[int | None] = fk("users.id", index=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaPolicy(Base):
    """Targets in business minutes; the most specific active match wins."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        one_of("priority", PRIORITIES),
        UniqueConstraint("priority", "channel", "segment", name="uq_sla_policies_scope"),
        CheckConstraint(
            "first_response_minutes > 0 AND resolution_minutes >= first_response_minutes",
            name="targets_positive",
        ),
        CheckConstraint("at_risk_percent IS NULL OR (at_risk_percent >= 0 AND "
                        "at_risk_percent <= 100)", name="at_risk_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    priority: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(8))
    segment: Mapped[str | None] = mapped_column(String(20))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    # At risk once less than this share of a target is left; None: the settings' default.
    at_risk_percent: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


# What the team metrics filter enquiries by (segment through the customer).
METRIC_FILTER_COLUMNS = ("team_id", "assignee_id", "channel", "category", "priority",
                         "customer_id")


class Enquiry(Base):
    __tablename__ = "enquiries"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("category", CATEGORIES),
        one_of("priority", PRIORITIES),
        one_of("status", ENQUIRY_STATUSES),
        one_of("language", LANGUAGES),
        one_of("verification", VERIFICATION_METHODS),
        Index("ix_enquiries_status_assignee_id", "status", "assignee_id", "merged_into_id"),
        Index("ix_enquiries_team_id_status", "team_id", "status"),
        Index("ix_enquiries_assignee_id_status", "assignee_id", "status"),
        # What "claim next" reads: the unassigned, claimable enquiries of a team by urgency.
        Index("ix_enquiries_claimable", "team_id", "first_response_due_at",
              postgresql_where=text("assignee_id IS NULL AND status IN ('new', 'open')"),
              sqlite_where=text("assignee_id IS NULL AND status IN ('new', 'open')")),
        # Few enquiries are merged: an index of the others would only mislead the planner.
        Index("ix_enquiries_merged_into_id", "merged_into_id",
              postgresql_where=text("merged_into_id IS NOT NULL"),
              sqlite_where=text("merged_into_id IS NOT NULL")),
        # The team metrics read a range of one timestamp, a few columns beside it and the
        # filters': these cover them, so neither database has to visit the rows.
        Index("ix_enquiries_created_at", "created_at", "merged_into_id", "resolved_at",
              "reopen_count", *METRIC_FILTER_COLUMNS),
        Index("ix_enquiries_resolved_at", "resolved_at", "merged_into_id", "created_at",
              "first_response_at", "paused_seconds", *METRIC_FILTER_COLUMNS),
        Index("ix_enquiries_first_response_at", "first_response_at", "merged_into_id",
              "created_at", "resolved_at", "paused_seconds", *METRIC_FILTER_COLUMNS),
        Index("ix_enquiries_first_response_due_at", "first_response_due_at", "merged_into_id",
              "first_response_at", "status", *METRIC_FILTER_COLUMNS),
        Index("ix_enquiries_resolution_due_at", "resolution_due_at", "merged_into_id",
              "resolved_at", "status", *METRIC_FILTER_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # ENQ-2026-000123
    subject: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(12))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="new")
    language: Mapped[str] = mapped_column(String(2), default="en")
    customer_id: Mapped[int | None] = fk("customers.id")
    contact_id: Mapped[int | None] = fk("contacts.id")
    from_address: Mapped[str | None] = mapped_column(String(254))  # e-mail or phone/fax
    verification: Mapped[str] = mapped_column(String(16), default="none")
    team_id: Mapped[int | None] = fk("teams.id", index=False)
    assignee_id: Mapped[int | None] = fk("users.id")
    order_id: Mapped[int | None] = fk("orders.id")
    invoice_id: Mapped[int | None] = fk("invoices.id")
    contract_id: Mapped[int | None] = fk("contracts.id")
    installed_item_id: Mapped[int | None] = fk("installed_items.id")
    sla_policy_id: Mapped[int | None] = fk("sla_policies.id", index=False)
    merged_into_id: Mapped[int | None] = fk("enquiries.id", index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When each clock has less than a quarter of its target left ("at risk"), kept with
    # the due times so queues can filter on it in SQL.
    first_response_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Business seconds the resolution clock did not count: pending the customer, and the
    # time a reopened enquiry stood resolved (``workflow``).
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    assignee: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class EnquiryEvent(Base):
    __tablename__ = "enquiry_events"
    __table_args__ = (
        one_of("kind", ENQUIRY_EVENT_KINDS),
        Index("ix_enquiry_events_enquiry_id_occurred_at", "enquiry_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = fk("enquiries.id", index=False, ondelete="CASCADE")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = fk("users.id", index=False)
    body: Mapped[str] = mapped_column(Text, default="")
    # Kind-specific facts: {"from": "new", "to": "open"}, {"assignee_id": 3}, ...
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    inbound_message_id: Mapped[int | None] = fk("inbound_messages.id", index=False)
    outbound_message_id: Mapped[int | None] = fk("outbound_messages.id", index=False)


class InboundMessage(Base):
    """A received e-mail, fax or web submission, stored raw before anything else."""

    __tablename__ = "inbound_messages"
    __table_args__ = (one_of("source", INBOUND_SOURCES), one_of("status", INBOUND_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    source: Mapped[str] = mapped_column(String(8))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    enquiry_id: Mapped[int | None] = fk("enquiries.id")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        one_of("kind", OUTBOUND_KINDS),
        one_of("status", OUTBOUND_STATUSES),
        Index("ix_outbound_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    enquiry_id: Mapped[int | None] = fk("enquiries.id")
    customer_id: Mapped[int | None] = fk("customers.id")
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(400))
    body_text: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(300))
    references: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = fk("users.id", index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int | None] = fk("enquiries.id")
    inbound_message_id: Mapped[int | None] = fk("inbound_messages.id")
    outbound_message_id: Mapped[int | None] = fk("outbound_messages.id")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CannedReply(Base):
    __tablename__ = "canned_replies"
    __table_args__ = (
        UniqueConstraint("name", "language", name="uq_canned_replies_name_language"),
        one_of("language", LANGUAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(2))
    category: Mapped[str | None] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # One reply is its four language rows; they are edited together and share this version.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class DocumentNotification(Base):
    """One document e-mailed to one subscribed contact, once: the unique key is the claim
    that keeps a second run (or two at once) from sending it again."""

    __tablename__ = "document_notifications"
    __table_args__ = (
        one_of("kind", NOTIFICATION_KINDS),
        UniqueConstraint("kind", "contact_id", "document_key",
                         name="uq_document_notifications_kind_contact_id_document_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    contact_id: Mapped[int] = fk("contacts.id", index=False)
    customer_id: Mapped[int] = fk("customers.id")
    invoice_id: Mapped[int | None] = fk("invoices.id")
    # The invoice number, or the statement's month (YYYY-MM).
    document_key: Mapped[str] = mapped_column(String(20))
    outbound_message_id: Mapped[int | None] = fk("outbound_messages.id", index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalAccount(Base):
    """A customer contact's sign-in to the portal, apart from the staff's ``users``: what it
    may see follows the contact's ``portal_tier``."""

    __tablename__ = "portal_accounts"
    __table_args__ = (one_of("state", PORTAL_ACCOUNT_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    password_hash: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship()


class PortalLink(Base):
    """A one-time link e-mailed to set a portal password: only the token's SHA-256 is kept;
    it works once, within its day."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = fk("portal_accounts.id", ondelete="CASCADE")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The e-mail that carries the link: once the link is spent, the link is cut out of it.
    outbound_message_id: Mapped[int | None] = fk("outbound_messages.id", index=False,
                                                 ondelete="SET NULL")


class PortalSession(Base):
    """A customer signed in to the portal: kept apart from the staff's ``user_sessions`` so
    neither kind of session can stand for the other."""

    __tablename__ = "portal_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = fk("portal_accounts.id", ondelete="CASCADE")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(20))


class PublicRequest(Base):
    """One request to a public page (order tracking, an online form) by one client, kept a
    day to limit how often a client may ask; several app servers count together."""

    __tablename__ = "public_requests"
    __table_args__ = (
        one_of("scope", PUBLIC_SCOPES),
        Index("ix_public_requests_scope_client_at", "scope", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(12))
    client: Mapped[str] = mapped_column(String(64))  # keyed digest of the client's address
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ErasureRequest(Base):
    """One administrator's request to erase a contact's personal data; another confirms it.
    At most one is pending or done per contact (a partial unique index)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        one_of("status", ERASURE_STATUSES),
        Index("uq_erasure_requests_one_open", "contact_id", unique=True,
              sqlite_where=text("status IN ('pending', 'erased')"),
              postgresql_where=text("status IN ('pending', 'erased')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = fk("contacts.id")
    customer_id: Mapped[int] = fk("customers.id", index=False)
    reason: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    requested_by_id: Mapped[int | None] = fk("users.id", index=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = fk("users.id", index=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the erasure changed, table by table (counts only: no personal data).
    erased: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = fk("users.id")
    # Kept as typed, so failed logins for unknown names are recorded too.
    username: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class BusinessClosure(Base):
    """A day the company is closed beyond the public holidays (a bridge day, say)."""

    __tablename__ = "business_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(80))


@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _contact_search_fields(_mapper: Any, _connection: Any, contact: Contact) -> None:
    """Writes through the ORM keep the search columns in step (bulk loads set them too)."""
    contact.name_search = contact_search_name(contact.first_name, contact.last_name)
    contact.email_domain = email_domain(contact.email)
