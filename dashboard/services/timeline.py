"""One time axis of everything that happened on an account, newest first.

Each kind is read with its own indexed, limited query and the results are merged, so a
customer with thousands of invoices still costs a handful of small queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dashboard.business_calendar import start_of_day
from dashboard.formatting import day, money
from dashboard.labels import label
from db.models import (
    Contract,
    Enquiry,
    InstalledItem,
    InventoryChange,
    Invoice,
    Order,
    OrderEvent,
    Payment,
    Site,
)

KINDS = ("order", "delivery", "invoice", "credit_note", "payment", "contract", "inventory",
         "enquiry")
KIND_LABELS = {"order": "Order", "delivery": "Delivery", "invoice": "Invoice",
               "credit_note": "Credit note", "payment": "Payment", "contract": "Contract",
               "inventory": "Inventory", "enquiry": "Enquiry"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    detail: str
    amount_cents: int | None = None
    document_kind: str | None = None
    document_id: int | None = None
    reference: str | None = None     # the enquiry's reference, for enquiry entries


def _noon(day: date) -> datetime:
    """Dates without a time sort as midday UTC, between the events of that day."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def timeline(*, session: Session, customer_id: int, kinds: tuple[str, ...] = KINDS,
             since: date | None = None, limit: int = 200) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    readers = {"order": _orders, "delivery": _deliveries, "invoice": _invoices,
               "credit_note": _invoices, "payment": _payments, "contract": _contracts,
               "inventory": _inventory, "enquiry": _enquiries}
    done: set[Any] = set()
    for kind in kinds:
        reader = readers[kind]
        if reader in done:
            continue
        done.add(reader)
        entries += reader(session, customer_id, since, limit)
    entries = [e for e in entries if e.kind in kinds]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _orders(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    q = select(Order).where(Order.customer_id == cid)
    if since:
        q = q.where(Order.ordered_at >= start_of_day(since))
    return [TimelineEntry(o.ordered_at, "order", f"Order {o.order_number}",
                          label("order_status", o.status)
                          + (f", PO {o.customer_po}" if o.customer_po else ""),
                          o.total_cents, "order", o.id)
            for o in s.scalars(q.order_by(Order.ordered_at.desc()).limit(limit))]


def _deliveries(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    q = (select(OrderEvent, Order.order_number, Order.carrier, Order.id)
         .join(Order, Order.id == OrderEvent.order_id)
         .where(Order.customer_id == cid, OrderEvent.status.in_(("shipped", "delivered"))))
    if since:
        q = q.where(OrderEvent.occurred_at >= start_of_day(since))
    return [TimelineEntry(e.occurred_at, "delivery",
                          f"{number} {'shipped' if e.status == 'shipped' else 'delivered'}",
                          f"by {carrier}" if carrier else e.note, None, "order", oid)
            for e, number, carrier, oid in s.execute(q.order_by(OrderEvent.occurred_at.desc())
                                                     .limit(limit))]


def _invoices(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    q = select(Invoice).where(Invoice.customer_id == cid)
    if since:
        q = q.where(Invoice.issue_date >= since)
    return [TimelineEntry(_noon(i.issue_date), i.kind,
                          f"{'Invoice' if i.kind == 'invoice' else 'Credit note'} {i.number}",
                          f"due {day(i.due_date)}, {label('invoice_status', i.status)}"
                          + (", Disputed" if i.is_disputed else ""),
                          i.total_cents, "invoice", i.id)
            for i in s.scalars(q.order_by(Invoice.issue_date.desc()).limit(limit))]


def _payments(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    q = select(Payment).where(Payment.customer_id == cid)
    if since:
        q = q.where(Payment.received_on >= since)
    return [TimelineEntry(_noon(p.received_on), "payment", f"Payment {p.bank_reference}",
                          label("payment_method", p.method)
                          + (f", {money(p.unallocated_cents)} on account"
                             if p.unallocated_cents else ""),
                          p.amount_cents, None, None)
            for p in s.scalars(q.order_by(Payment.received_on.desc()).limit(limit))]


def _contracts(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    entries = []
    for c in s.scalars(select(Contract).where(Contract.customer_id == cid)
                       .order_by(Contract.start_date.desc()).limit(limit)):
        entries.append(TimelineEntry(_noon(c.start_date), "contract",
                                     f"Contract {c.contract_number} starts",
                                     _contract_detail(c), None,
                                     "contract", c.id))
        entries.append(TimelineEntry(_noon(c.end_date), "contract",
                                     f"Contract {c.contract_number} "
                                     + ("renews" if c.auto_renew else "ends"),
                                     _contract_detail(c), None,
                                     "contract", c.id))
    return [e for e in entries if since is None or e.at >= _noon(since)]


def _contract_detail(c: Contract) -> str:
    return (f"{label('contract_type', c.type)}, "
            f"{label('service_level', c.service_level)} service")


def _inventory(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    to_site = aliased(Site)
    q = (select(InventoryChange, InstalledItem.serial_number, to_site.name)
         .join(InstalledItem, InstalledItem.id == InventoryChange.installed_item_id)
         .outerjoin(to_site, to_site.id == InventoryChange.to_site_id)
         .where(InstalledItem.customer_id == cid))
    if since:
        q = q.where(InventoryChange.changed_at >= start_of_day(since))
    verbs = {"add": "installed", "relocate": "moved", "remove": "removed"}
    return [TimelineEntry(c.changed_at, "inventory", f"{serial} {verbs[c.kind]}"
                          + (f" to {site}" if site and c.kind != "remove" else ""),
                          c.reason, None, "item", c.installed_item_id)
            for c, serial, site in s.execute(q.order_by(InventoryChange.changed_at.desc())
                                             .limit(limit))]


def _enquiries(s: Session, cid: int, since: date | None, limit: int) -> list[TimelineEntry]:
    q = select(Enquiry).where(Enquiry.customer_id == cid)
    if since:
        q = q.where(Enquiry.created_at >= start_of_day(since))
    return [TimelineEntry(e.created_at, "enquiry", f"{e.reference} {e.subject}",
                          f"{label('channel', e.channel)}, {label('status', e.status)}", None,
                          "enquiry", e.id,
                          e.reference)
            for e in s.scalars(q.order_by(Enquiry.created_at.desc()).limit(limit))]
