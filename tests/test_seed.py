"""The demo-data generator: complete, deterministic, valid, and careful with existing data.

Runs on SQLite and, with TEST_POSTGRES_URL set, on PostgreSQL (the ``engine`` fixture).
Only the demo size is seeded here; the large size is measured by hand (see seed/__main__).
"""

from __future__ import annotations

import email
import io
import os
import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email import policy as email_policy
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from PIL import Image
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from stdnum import iban as iban_check
from stdnum.be import ogm_vcs
from stdnum.be import vat as be_vat
from stdnum.lu import tva as lu_tva

from dashboard.business_calendar import (
    BRUSSELS,
    add_business_minutes,
    business_minutes_between,
)
from db import models as m
from db.engine import make_engine
from db.text import fold
from seed import generate, staff
from seed.__main__ import EXIT_REFUSED, main
from seed.bulk import empty_all_tables
from seed.calendar import BusinessCalendar, epoch
from seed.demo_accounts import DEMO_ACCOUNTS
from seed.messages import sha256

TODAY = date(2026, 3, 18)  # a Wednesday
NOW = datetime.combine(TODAY, time(10), BRUSSELS).astimezone(UTC)
PHONE = re.compile(r"^\+(32\d{8,9}|352\d{6,9})$")


@pytest.fixture(scope="session")
def real_hashes() -> dict[str, str]:
    """bcrypt is slow on purpose: hash the demo passwords once for the whole run."""
    return staff.password_hashes()


@pytest.fixture(autouse=True)
def _hash_once(monkeypatch: pytest.MonkeyPatch, real_hashes: dict[str, str]) -> None:
    monkeypatch.setattr(staff, "password_hashes", lambda: real_hashes)


def seed(engine: Engine, seed_value: int = 42, today: date = TODAY) -> generate.SeedReport:
    return generate.seed_database(engine, size="demo", seed=seed_value, today=today)


def values(session: Session, column: Any) -> set[Any]:
    return set(session.scalars(select(column).distinct()))


# -- completeness -----------------------------------------------------------------------------

# Made by signing in, never by the seed: a seeded session or wait would be a way in or a lockout.
SIGN_IN_STATE = {"user_sessions", "login_throttles", "portal_sessions"}
# Made by visitors of the public pages, by the notification job as they run, and by an
# administrator asking to erase a contact (a demo erasure would destroy demo data).
RUN_STATE = {"public_requests", "document_notifications", "erasure_requests",
             "portal_accounts", "portal_links"}  # and customers registering themselves


def test_demo_fills_every_table_and_every_status(engine: Engine) -> None:
    progress: list[tuple[float, str]] = []
    report = generate.seed_database(engine, size="demo", today=TODAY,
                                    progress=lambda f, msg: progress.append((f, msg)))
    with Session(engine) as s:
        for table in m.Base.metadata.sorted_tables:
            count = s.execute(select(func.count()).select_from(table)).scalar_one()
            if table.name in SIGN_IN_STATE | RUN_STATE:
                assert count == 0, f"{table.name} is seeded"
                continue
            assert count >= 1, f"{table.name} is empty"
            assert report.counts[table.name] == count, table.name
        assert values(s, m.Order.status) == set(m.ORDER_STATUSES)
        assert values(s, m.Invoice.status) == set(m.INVOICE_STATUSES)
        assert values(s, m.Invoice.kind) == set(m.INVOICE_KINDS)
        assert values(s, m.Enquiry.status) == set(m.ENQUIRY_STATUSES)
        assert values(s, m.Enquiry.channel) == set(m.CHANNELS)
        assert values(s, m.Enquiry.priority) == set(m.PRIORITIES)
        assert values(s, m.Enquiry.category) == set(m.CATEGORIES)
        assert values(s, m.Contract.status) == set(m.CONTRACT_STATUSES)
        assert values(s, m.Contract.type) == set(m.CONTRACT_TYPES)
        assert values(s, m.Contract.service_level) == set(m.SERVICE_LEVELS)
        assert values(s, m.Contract.billing_frequency) == set(m.BILLING_FREQUENCIES)
        assert values(s, m.EnquiryEvent.kind) == set(m.ENQUIRY_EVENT_KINDS)
        assert values(s, m.InboundMessage.status) == set(m.INBOUND_STATUSES)
        assert values(s, m.InboundMessage.source) == set(m.INBOUND_SOURCES)
        assert values(s, m.OutboundMessage.status) == set(m.OUTBOUND_STATUSES)
        assert values(s, m.OutboundMessage.kind) == set(m.OUTBOUND_KINDS)
        assert values(s, m.InventoryChange.kind) == set(m.INVENTORY_CHANGE_KINDS)
        assert values(s, m.InstalledItem.status) == set(m.ITEM_STATUSES)
        assert values(s, m.Contact.portal_tier) == set(m.PORTAL_TIERS)
        assert values(s, m.Customer.country) == set(m.COUNTRIES)
        assert values(s, m.Customer.language) == set(m.LANGUAGES)
        assert values(s, m.Payment.method) == set(m.PAYMENT_METHODS)
        assert s.scalar(select(func.count()).where(m.Invoice.is_disputed)) > 0
        assert s.scalar(select(func.count()).where(m.Enquiry.reopen_count > 0)) > 0
        assert s.scalar(select(func.count()).where(m.Enquiry.merged_into_id.is_not(None))) > 0
        assert s.scalar(select(func.count()).where(m.Contact.invoice_notifications)) > 0
        per_customer = select(func.count().label("n")).select_from(m.Invoice).group_by(
            m.Invoice.customer_id).subquery()
        assert s.scalar(select(func.max(per_customer.c.n))) >= 60, "no customer with many"
    fractions = [f for f, _ in progress]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert report.size == "demo" and report.seconds > 0 and report.total_rows > 10_000


def test_demo_accounts_and_staff(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s:
        users = {u.username: u for u in s.scalars(select(m.User))}
        for account in DEMO_ACCOUNTS:
            user = users[account.username]
            assert (user.role, user.full_name, user.email) == (
                account.role, account.full_name, account.email)
            assert user.is_active
            assert bcrypt.checkpw(account.password.encode(), user.password_hash.encode())
        assert sum(u.role == "lead" for u in users.values()) >= 2
        assert sum(u.role == "rep" for u in users.values()) >= 6
        teams = s.scalars(select(m.Team)).all()
        assert {t.name for t in teams} >= {"Orders & Delivery", "Billing",
                                           "Contracts & Inventory"}
        assert all(t.categories and t.languages for t in teams)
        assert s.scalar(select(func.count()).where(m.Customer.account_manager_id.is_(None))) == 0
        primaries = s.execute(select(m.Contact.customer_id, func.count()).where(
            m.Contact.is_primary).group_by(m.Contact.customer_id)).all()
        assert len(primaries) == s.scalar(select(func.count()).select_from(m.Customer))
        assert all(count == 1 for _, count in primaries)
        assert {r.language for r in s.scalars(select(m.CannedReply))} == {"en", "fr", "nl", "de"}
        assert any("{contact_name}" in r.body for r in s.scalars(select(m.CannedReply)))
        policies = {(p.priority, p.channel): p for p in s.scalars(select(m.SlaPolicy))}
        assert {priority for priority, _ in policies} == set(m.PRIORITIES)
        assert any(channel for _, channel in policies)
        assert s.get(m.Setting, "fax_gateway_patterns") is not None


# -- determinism ------------------------------------------------------------------------------

KEY_TABLES = ("customers", "contacts", "invoices", "payment_allocations", "enquiries",
              "enquiry_events", "installed_items", "inbound_messages")


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        out = {name: [tuple(row) for row in connection.execute(
            text(f'SELECT * FROM "{name}" ORDER BY id'))] for name in KEY_TABLES}
        out["users"] = [tuple(row) for row in connection.execute(text(
            "SELECT id, username, full_name, email, role, team_id FROM users ORDER BY id"))]
    return out


def test_same_seed_and_day_give_the_same_rows_and_another_seed_does_not(
        engine: Engine) -> None:
    seed(engine, 42)
    first = dump(engine)
    empty_all_tables(engine)
    assert generate.is_empty(engine)
    seed(engine, 42)
    assert dump(engine) == first
    empty_all_tables(engine)
    seed(engine, 7)
    other = dump(engine)
    assert other["customers"] != first["customers"]
    assert other["invoices"] != first["invoices"]


# -- validity ---------------------------------------------------------------------------------

def test_business_identifiers_are_valid(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s:
        customers = s.scalars(select(m.Customer)).all()
        vat_numbers = [c.vat_number for c in customers if c.vat_number]
        assert len(vat_numbers) == len(set(vat_numbers)) > len(customers) * 0.9
        for c in customers:
            assert re.fullmatch(r"C\d{6}", c.customer_number)
            assert c.name_search == fold(c.name)
            assert iban_check.is_valid(c.iban) and c.iban[:2] == c.country
            assert PHONE.match(c.phone)
            assert c.phone.startswith("+32" if c.country == "BE" else "+352")
            if c.vat_number:
                check = be_vat if c.vat_number.startswith("BE") else lu_tva
                assert c.vat_number[:2] == c.country and check.is_valid(c.vat_number)
                assert c.vat_number == c.country + check.compact(c.vat_number)
        assert any(not n.isascii() for n in (c.name for c in customers)), "no accented names"
        for contact in s.scalars(select(m.Contact)):
            assert contact.email == contact.email.lower()
            for number in (contact.phone, contact.mobile, contact.fax):
                assert number is None or PHONE.match(number), number
        references = list(s.scalars(select(m.Invoice.payment_reference)))
        assert len(references) == len(set(references))
        assert all(ogm_vcs.is_valid(r) for r in references)
        assert all(iban_check.is_valid(i) for i in s.scalars(
            select(m.Payment.payer_iban).where(m.Payment.payer_iban.is_not(None))))
        patterns = {m.Order.order_number: r"SO-20\d\d-\d{6}",
                    m.Contract.contract_number: r"CT-20\d\d-\d{5}",
                    m.Enquiry.reference: r"ENQ-20\d\d-\d{6}",
                    m.InstalledItem.serial_number: r"SN[A-Z]{2}[0-9A-Z]{8}"}
        for column, pattern in patterns.items():
            assert all(re.fullmatch(pattern, v) for v in s.scalars(select(column))), column
        for number, kind in s.execute(select(m.Invoice.number, m.Invoice.kind)):
            prefix = "INV" if kind == "invoice" else "CN"
            assert re.fullmatch(rf"{prefix}-20\d\d-\d{{6}}", number)
        orders = s.scalars(select(m.Order).where(m.Order.tracking_number.is_not(None))).all()
        assert {o.carrier for o in orders} == {"bpost", "DHL", "PostNL", "DPD", "UPS"}


def test_money_adds_up(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s:
        paid_in: dict[int, int] = {}
        used: dict[int, int] = {}
        from_payment: dict[int, int] = {}
        for a in s.scalars(select(m.PaymentAllocation)):
            assert (a.payment_id is None) != (a.credit_note_id is None)
            paid_in[a.invoice_id] = paid_in.get(a.invoice_id, 0) + a.amount_cents
            if a.credit_note_id:
                used[a.credit_note_id] = used.get(a.credit_note_id, 0) + a.amount_cents
            else:
                from_payment[a.payment_id] = from_payment.get(a.payment_id, 0) + a.amount_cents
        lines: dict[int, tuple[int, int]] = {}
        for line in s.scalars(select(m.InvoiceLine)):
            net, vat = lines.get(line.invoice_id, (0, 0))
            lines[line.invoice_id] = (net + line.net_cents, vat + line.vat_cents)
            assert line.net_cents == line.quantity * line.unit_price_cents
        for invoice in s.scalars(select(m.Invoice)):
            assert invoice.net_cents + invoice.vat_cents == invoice.total_cents
            assert lines[invoice.id] == (invoice.net_cents, invoice.vat_cents)
            if invoice.kind == "invoice":
                assert invoice.open_cents == invoice.total_cents - paid_in.get(invoice.id, 0)
                assert 0 <= invoice.open_cents <= invoice.total_cents
                expected = ("cancelled" if invoice.status == "cancelled" else "paid"
                            if invoice.open_cents == 0 else "open"
                            if invoice.open_cents == invoice.total_cents else "partially_paid")
                assert invoice.status == expected
                assert invoice.is_disputed == (invoice.dispute_reason is not None)
            else:
                assert invoice.total_cents < 0 and invoice.credited_invoice_id is not None
                assert invoice.open_cents == invoice.total_cents + used.get(invoice.id, 0)
                assert invoice.total_cents <= invoice.open_cents <= 0
        assert used, "no credit note was used on an invoice"
        for payment in s.scalars(select(m.Payment)):
            assert payment.unallocated_cents == payment.amount_cents - from_payment.get(
                payment.id, 0)
            assert payment.unallocated_cents >= 0
        vat_by_country = s.execute(
            select(m.Customer.country, m.InvoiceLine.vat_rate_pct).distinct()
            .join(m.Invoice, m.Invoice.customer_id == m.Customer.id)
            .join(m.InvoiceLine, m.InvoiceLine.invoice_id == m.Invoice.id)).all()
        # Belgian VAT in Belgium; Luxembourg customers with a VAT number are reverse-charged.
        assert {rate for country, rate in vat_by_country if country == "BE"} <= {21, 6}
        assert {rate for country, rate in vat_by_country if country == "LU"} <= {0, 21, 6}
        assert ("BE", 21) in vat_by_country and ("LU", 0) in vat_by_country


def test_the_demo_looks_live_today(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s:
        overdue = s.scalars(select(m.Invoice.due_date).where(
            m.Invoice.kind == "invoice", m.Invoice.open_cents > 0,
            m.Invoice.due_date < TODAY)).all()
        days = [(TODAY - due).days for due in overdue]
        for low, high in ((1, 30), (31, 60), (61, 90), (91, 10_000)):
            assert any(low <= d <= high for d in days), f"no invoice {low}-{high} days overdue"
        assert s.scalar(select(func.count()).where(
            m.Invoice.open_cents > 0, m.Invoice.due_date.between(
                TODAY, TODAY + timedelta(days=6)))) > 0
        assert s.scalar(select(func.count()).where(m.Order.status == "in_transit")) > 0
        late = s.scalar(select(func.count()).where(
            m.Order.status.not_in(("delivered", "cancelled")), m.Order.promised_date < TODAY))
        delivered_late = s.scalar(select(func.count()).where(
            m.Order.delivered_on > m.Order.promised_date))
        assert late > 0 and delivered_late > 0
        assert s.scalar(select(func.count()).where(
            m.Contract.status == "active", m.Contract.end_date.between(
                TODAY, TODAY + timedelta(days=90)))) > 0
        assert s.scalar(select(func.count()).where(
            m.Contract.status == "active", m.Contract.auto_renew)) > 0
        items = s.scalars(select(m.InstalledItem)).all()
        assert any(i.contract_id for i in items) and any(not i.contract_id for i in items)
        warranty = [i.warranty_end for i in items if i.warranty_end]
        assert min(warranty) < TODAY < max(warranty)
        assert all(i.removed_on for i in items if i.status == "removed")
        latest = s.scalar(select(func.max(m.Order.ordered_at)))
        assert NOW - timedelta(days=3) < latest <= NOW
        for timeline in _order_timelines(s):
            assert timeline == sorted(timeline, key=lambda e: e[0])


def _order_timelines(s: Session) -> Iterator[list[tuple[datetime, str]]]:
    events: dict[int, list[tuple[datetime, str]]] = {}
    for e in s.scalars(select(m.OrderEvent).order_by(m.OrderEvent.id)):
        events.setdefault(e.order_id, []).append((e.occurred_at, e.status))
    for order in s.scalars(select(m.Order)):
        timeline = events[order.id]
        assert timeline[0][1] == "received" and timeline[-1][1] == order.status
        yield timeline


def test_sla_fields_follow_the_business_calendar(engine: Engine) -> None:
    from dashboard.services import sla

    seed(engine)
    with Session(engine) as s:
        policies = {p.id: p for p in s.scalars(select(m.SlaPolicy))}
        rep = s.scalar(select(m.User).where(m.User.username == "rep"))
        states: dict[str, int] = {}
        for e in s.scalars(select(m.Enquiry)):
            policy = policies[e.sla_policy_id]
            # Escalations went through workflow.set_priority: the policy follows the
            # priority, and the due times are the ones that function sets.
            assert policy.priority == e.priority
            escalations = s.scalar(select(func.count()).where(
                m.EnquiryEvent.enquiry_id == e.id, m.EnquiryEvent.kind == "priority"))
            due = sla.deadlines(e.created_at, policy, e.paused_seconds)
            assert e.first_response_due_at == (due.first_response_due_at if escalations else
                                               add_business_minutes(
                                                   e.created_at, policy.first_response_minutes))
            assert e.resolution_due_at == due.resolution_due_at
            assert e.resolution_risk_at == due.resolution_risk_at
            if e.first_response_at:
                assert e.created_at <= e.first_response_at <= (e.resolved_at or NOW)
            if e.status in ("resolved", "closed"):
                assert e.resolved_at is not None and e.resolved_at <= NOW
            if e.status == "closed":
                assert e.closed_at is not None and e.resolved_at <= e.closed_at <= NOW
            assert e.created_at <= e.updated_at <= NOW
            assert e.version == 1 + escalations
            if e.assignee_id == rep.id and e.status in m.OPEN_ENQUIRY_STATUSES:
                resolution = sla.clock(
                    due_at=e.resolution_due_at, target_minutes=policy.resolution_minutes,
                    done_at=None, paused=e.status == "pending_customer", now=NOW,
                    risk_at=e.resolution_risk_at)
                first = sla.clock(
                    due_at=e.first_response_due_at,
                    target_minutes=policy.first_response_minutes, done_at=e.first_response_at,
                    paused=False, now=NOW, risk_at=e.first_response_risk_at)
                state = sla.worst(first, resolution).state if not e.first_response_at \
                    else resolution.state
                states[state] = states.get(state, 0) + 1
        assert 8 <= sum(states.values()) <= 15
        assert states.get("ok") and states.get("at_risk") and states.get("breached")
        unassigned = s.scalar(select(func.count()).where(
            m.Enquiry.status == "new", m.Enquiry.assignee_id.is_(None)))
        assert unassigned > 0
        assert s.scalar(select(func.count()).where(m.Enquiry.paused_seconds > 0)) > 0


def test_messages_and_attachments_are_real(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as s:
        for message in s.scalars(select(m.InboundMessage)):
            assert sha256(message.raw) == message.sha256
            parsed = email.message_from_bytes(message.raw, policy=email_policy.default)
            assert parsed["Message-ID"] == message.message_id
            if message.status == "quarantined":
                assert message.error and message.enquiry_id is None
            if message.status == "processed":
                assert message.enquiry_id is not None and message.processed_at is not None
            if message.source == "fax":
                assert parsed["Subject"].startswith("Facsimile received from")
        for attachment in s.scalars(select(m.Attachment)):
            assert len(attachment.content) == attachment.size_bytes
            assert sha256(attachment.content) == attachment.sha256
            if attachment.content_type == "application/pdf":
                assert attachment.content.startswith(b"%PDF-1.4")
                assert attachment.content.rstrip().endswith(b"%%EOF")
            else:
                image = Image.open(io.BytesIO(attachment.content))
                image.load()
                assert image.format == "TIFF"
        failed = s.scalars(select(m.OutboundMessage).where(
            m.OutboundMessage.status == "failed")).all()
        assert all(o.last_error for o in failed)
        replies = s.scalars(select(m.OutboundMessage).where(
            m.OutboundMessage.kind == "reply")).all()
        assert all("[ENQ-" in o.subject for o in replies)


def test_references_and_sequences_hold(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as connection:
        for table in m.Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                child, parent = fk.parent, fk.column
                orphans = connection.execute(text(
                    f'SELECT COUNT(*) FROM "{table.name}" c LEFT JOIN "{parent.table.name}" p '
                    f'ON c."{child.name}" = p."{parent.name}" '
                    f'WHERE c."{child.name}" IS NOT NULL AND p."{parent.name}" IS NULL'
                )).scalar_one()
                assert orphans == 0, f"{table.name}.{child.name}"
        indexes = {name for (name,) in connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if engine.dialect.name == "sqlite" else
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))}
    assert {"ix_enquiries_created_at", "ix_invoices_due_date",
            "ix_customers_name_search"} <= indexes, "plain indexes were not rebuilt"
    with Session(engine) as s, s.begin():  # ids continue after the seeded ones
        team = m.Team(name="Escalations", categories=["other"], languages=["en"])
        s.add(team)
        s.flush()
        assert team.id > 3


def test_seeding_refuses_existing_data(engine: Engine) -> None:
    assert generate.is_empty(engine)
    seed(engine)
    assert not generate.is_empty(engine)
    with pytest.raises(generate.DatabaseNotEmptyError):
        seed(engine)


# -- the command line -------------------------------------------------------------------------

@pytest.fixture
def cli_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """A database the command line can reach by URL: a new SQLite file, or a schema of its
    own on the test PostgreSQL server."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    url = os.environ["TEST_POSTGRES_URL"]
    schema = f"csol_test_seed_cli_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def test_command_line_seeds_refuses_then_resets(
        cli_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--size", "demo", "--database-url", cli_url, "--today", TODAY.isoformat()]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "customers" in first and "Elapsed" in first
    assert main(args) == EXIT_REFUSED
    refused = capsys.readouterr()
    assert "already holds data" in refused.err and "--reset" in refused.err
    assert main([*args, "--reset", "--seed", "7"]) == 0
    engine = make_engine(cli_url)
    try:
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(m.Customer)) == 120
            usernames = set(s.scalars(select(m.User.username)))
            assert {a.username for a in DEMO_ACCOUNTS} <= usernames
    finally:
        engine.dispose()


# -- the calendar behind the SLA arithmetic ---------------------------------------------------

def test_precomputed_calendar_agrees_with_the_business_calendar() -> None:
    rng = random.Random(3)
    calendar = BusinessCalendar(date(2024, 1, 1), date(2027, 12, 31))
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for _ in range(2000):
        moment = start + timedelta(seconds=rng.randrange(0, 3 * 365 * 86_400))
        minutes = rng.choice((0, 1, 30, 240, 510, 1530, 2550, rng.randrange(5000)))
        expected = add_business_minutes(moment, minutes)
        assert calendar.add(epoch(moment), minutes * 60) == epoch(expected)
        later = moment + timedelta(seconds=rng.randrange(0, 20 * 86_400))
        assert calendar.between(epoch(moment), epoch(later)) // 60 == \
            business_minutes_between(moment, later)
        if calendar.is_open(epoch(moment)):
            back = calendar.subtract(epoch(moment), minutes * 60)
            assert calendar.add(back, minutes * 60) == epoch(moment)


def test_unknown_size_is_rejected() -> None:
    engine = create_engine("sqlite://")
    with pytest.raises(ValueError, match="unknown size"):
        generate.seed_database(engine, size="huge")
