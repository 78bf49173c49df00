"""Small hand-built records for tests: each helper adds one row with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import bcrypt
from sqlalchemy.orm import Session
from stdnum.be import ogm_vcs as ogm

from dashboard.services.einvoices import endpoint_of
from db.models import (
    Contact,
    Contract,
    Customer,
    Enquiry,
    InstalledItem,
    Invoice,
    Order,
    Product,
    Site,
    SlaPolicy,
    Team,
    User,
)
from db.text import fold

_seq = count(1)
FAST_SALT = bcrypt.gensalt(rounds=4)  # tests need speed, not strength


def _next() -> int:
    return next(_seq)


def team(s: Session, name: str = "Billing", **kw: Any) -> Team:
    t = Team(name=name, categories=kw.pop("categories", ["invoices"]),
             languages=kw.pop("languages", ["nl", "fr", "en"]), **kw)
    s.add(t)
    s.flush()
    return t


def user(s: Session, username: str = "rep", password: str = "correct-horse-1", *,
         role: str = "rep", **kw: Any) -> User:
    u = User(username=username, full_name=kw.pop("full_name", username.title()),
             email=kw.pop("email", f"{username}@csol.example"),
             password_hash=bcrypt.hashpw(password.encode(), FAST_SALT).decode(),
             role=role, language="en", is_active=kw.pop("is_active", True),
             failed_login_count=0, **kw)
    s.add(u)
    s.flush()
    return u


def customer(s: Session, name: str = "Brasserie Dupré & Fils", **kw: Any) -> Customer:
    n = _next()
    vat_number, country = kw.pop("vat_number", None), kw.pop("country", "BE")
    kw.setdefault("peppol_endpoint", endpoint_of(country, vat_number))
    c = Customer(customer_number=kw.pop("customer_number", f"C{200000 + n}"), name=name,
                 name_search=fold(name), vat_number=vat_number,
                 country=country, language=kw.pop("language", "fr"),
                 segment=kw.pop("segment", "small_business"),
                 credit_limit_cents=kw.pop("credit_limit_cents", 1_000_000), **kw)
    s.add(c)
    s.flush()
    return c


def contact(s: Session, cust: Customer, **kw: Any) -> Contact:
    c = Contact(customer_id=cust.id, first_name=kw.pop("first_name", "Anne"),
                last_name=kw.pop("last_name", "Dupré"), role=kw.pop("role", "finance"),
                language=kw.pop("language", "fr"), portal_tier=kw.pop("portal_tier", "entitled"),
                **kw)
    s.add(c)
    s.flush()
    return c


def site(s: Session, cust: Customer, name: str = "Head office") -> Site:
    st = Site(customer_id=cust.id, name=name, street="Rue Haute 1", postal_code="1000",
              city="Bruxelles", country="BE")
    s.add(st)
    s.flush()
    return st


def product(s: Session, **kw: Any) -> Product:
    n = _next()
    p = Product(sku=kw.pop("sku", f"SKU-{n}"), name=kw.pop("name", "Rack server R740"),
                category=kw.pop("category", "hardware"),
                unit_price_cents=kw.pop("unit_price_cents", 450_000), **kw)
    s.add(p)
    s.flush()
    return p


def order(s: Session, cust: Customer, **kw: Any) -> Order:
    n = _next()
    o = Order(order_number=kw.pop("order_number", f"SO-2026-{n:06d}"), customer_id=cust.id,
              ordered_at=kw.pop("ordered_at", datetime(2026, 11, 2, 9, tzinfo=UTC)),
              status=kw.pop("status", "in_transit"), **kw)
    s.add(o)
    s.flush()
    return o


def invoice(s: Session, cust: Customer, total_cents: int = 121_00, **kw: Any) -> Invoice:
    n = _next()
    kind = kw.pop("kind", "invoice")
    net = round(total_cents / 1.21)
    issue = kw.pop("issue_date", date(2026, 10, 1))
    prefix = "INV" if kind == "invoice" else "CN"
    i = Invoice(number=kw.pop("number", f"{prefix}-2026-{n:06d}"), kind=kind,
                customer_id=cust.id, issue_date=issue,
                due_date=kw.pop("due_date", issue + timedelta(days=30)),
                payment_reference=kw.pop("payment_reference", ogm_for(n)),
                net_cents=net, vat_cents=total_cents - net, total_cents=total_cents,
                open_cents=kw.pop("open_cents", total_cents),
                status=kw.pop("status", "open"), **kw)
    s.add(i)
    s.flush()
    return i


def ogm_for(n: int) -> str:
    base = f"{n:010d}"
    return base + ogm.calc_check_digits(base)


def contract(s: Session, cust: Customer, **kw: Any) -> Contract:
    n = _next()
    c = Contract(contract_number=kw.pop("contract_number", f"CT-2026-{n:05d}"),
                 customer_id=cust.id, type=kw.pop("type", "maintenance"),
                 start_date=kw.pop("start_date", date(2025, 1, 1)),
                 end_date=kw.pop("end_date", date(2027, 12, 31)),
                 annual_value_cents=kw.pop("annual_value_cents", 240_000),
                 billing_frequency="yearly", service_level=kw.pop("service_level", "gold"),
                 status=kw.pop("status", "active"), **kw)
    s.add(c)
    s.flush()
    return c


def item(s: Session, cust: Customer, at: Site, prod: Product, **kw: Any) -> InstalledItem:
    n = _next()
    i = InstalledItem(serial_number=kw.pop("serial_number", f"SN{n:08d}"), product_id=prod.id,
                      customer_id=cust.id, site_id=at.id,
                      installed_on=kw.pop("installed_on", date(2024, 3, 1)), **kw)
    s.add(i)
    s.flush()
    return i


def sla_policy(s: Session, priority: str = "normal", first: int = 240, resolve: int = 1530
               ) -> SlaPolicy:
    p = SlaPolicy(name=f"{priority} {first}/{resolve}", priority=priority,
                  first_response_minutes=first, resolution_minutes=resolve)
    s.add(p)
    s.flush()
    return p


def enquiry(s: Session, **kw: Any) -> Enquiry:
    n = _next()
    e = Enquiry(reference=kw.pop("reference", f"ENQ-2026-{n:06d}"),
                subject=kw.pop("subject", "Where is my order?"), channel=kw.pop("channel", "phone"),
                category=kw.pop("category", "orders"), **kw)
    s.add(e)
    s.flush()
    return e
