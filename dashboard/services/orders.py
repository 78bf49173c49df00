"""Orders and delivery: the customer's orders (paged in SQL) and one order with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from dashboard.business_calendar import start_of_day
from dashboard.services.paging import Page
from db.models import Order, OrderEvent, OrderLine, Product, Site

OPEN_ORDER_STATUSES = ("received", "confirmed", "picking", "shipped", "in_transit")
CARRIER_TRACKING_URLS = {
    "bpost": "https://track.bpost.cloud/btr/web/#/search?itemCode={number}",
    "DHL": "https://www.dhl.com/be-en/home/tracking.html?tracking-id={number}",
    "PostNL": "https://jouw.postnl.be/track-and-trace/{number}",
    "DPD": "https://tracking.dpd.de/status/en_BE/parcel/{number}",
    "UPS": "https://www.ups.com/track?tracknum={number}",
}


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[str, ...] = ()
    late_only: bool = False
    ordered_from: date | None = None
    ordered_to: date | None = None


@dataclass(frozen=True)
class OrderRow:
    id: int
    order_number: str
    customer_po: str | None
    ordered_at: datetime
    status: str
    promised_date: date | None
    delivered_on: date | None
    carrier: str | None
    tracking_number: str | None
    total_cents: int

    def is_late(self, today: date) -> bool:
        """Delivered after the promised date, or not delivered and the date has passed."""
        if self.promised_date is None or self.status == "cancelled":
            return False
        if self.delivered_on is not None:
            return self.delivered_on > self.promised_date
        return self.promised_date < today

    @property
    def tracking_url(self) -> str | None:
        template = CARRIER_TRACKING_URLS.get(self.carrier or "")
        if template and self.tracking_number:
            return template.format(number=self.tracking_number)
        return None


def _late(today: date) -> ColumnElement[bool]:
    return and_(
        Order.status != "cancelled", Order.promised_date.is_not(None),
        or_(Order.delivered_on > Order.promised_date,
            and_(Order.delivered_on.is_(None), Order.promised_date < today)),
    )


def _filtered(customer_id: int, flt: OrderFilter, today: date) -> Select[Any]:
    query = select(Order).where(Order.customer_id == customer_id)
    if flt.statuses:
        query = query.where(Order.status.in_(flt.statuses))
    if flt.late_only:
        query = query.where(_late(today))
    if flt.ordered_from:
        query = query.where(Order.ordered_at >= start_of_day(flt.ordered_from))
    if flt.ordered_to:
        query = query.where(Order.ordered_at < start_of_day(flt.ordered_to + timedelta(days=1)))
    return query


def _row(o: Order) -> OrderRow:
    return OrderRow(o.id, o.order_number, o.customer_po, o.ordered_at, o.status,
                    o.promised_date, o.delivered_on, o.carrier, o.tracking_number, o.total_cents)


def list_orders(*, session: Session, customer_id: int, flt: OrderFilter, today: date,
                limit: int = 50, offset: int = 0) -> Page[OrderRow]:
    base = _filtered(customer_id, flt, today).subquery()
    total = session.scalar(select(func.count()).select_from(base)) or 0
    order = aliased(Order, base)
    rows = session.scalars(select(order).order_by(order.ordered_at.desc(), order.id.desc())
                           .limit(limit).offset(offset))
    return Page([_row(o) for o in rows], int(total), limit, offset)


@dataclass(frozen=True)
class OrderLineRow:
    line_no: int
    sku: str
    description: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int


@dataclass(frozen=True)
class OrderEventRow:
    occurred_at: datetime
    status: str
    note: str


@dataclass(frozen=True)
class OrderDetail:
    order: OrderRow
    ship_to: str | None
    lines: tuple[OrderLineRow, ...]
    events: tuple[OrderEventRow, ...]


def get_order(*, session: Session, order_id: int) -> OrderDetail | None:
    order = session.get(Order, order_id)
    if order is None:
        return None
    site = session.get(Site, order.ship_to_site_id) if order.ship_to_site_id else None
    lines = session.execute(
        select(OrderLine, Product.sku).join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id).order_by(OrderLine.line_no))
    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)
                             .order_by(OrderEvent.occurred_at, OrderEvent.id))
    return OrderDetail(
        order=_row(order),
        ship_to=f"{site.name}, {site.street}, {site.postal_code} {site.city}" if site else None,
        lines=tuple(OrderLineRow(ln.line_no, sku, ln.description, ln.quantity,
                                 ln.unit_price_cents, ln.line_total_cents)
                    for ln, sku in lines),
        events=tuple(OrderEventRow(e.occurred_at, e.status, e.note) for e in events),
    )
