"""What the public pages may show and how often a client may ask.

Track an order: the order number plus the customer number or the delivery postcode shows the
order's status timeline, carrier and tracking link and expected delivery — no prices, no
lines, no other order. Every mismatch gives the same answer (``None``), so the page cannot
be used to learn which order numbers exist. Each lookup is audited.

Limits: each client (a keyed digest of its address) may make so many requests per scope in
a sliding window; requests are rows in ``public_requests`` so every app server counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from dashboard.services import audit
from dashboard.services.login_throttle import digest
from dashboard.services.orders import CARRIER_TRACKING_URLS
from db.models import Customer, Order, OrderEvent, PublicRequest, Site

# (requests, per window): enough for a person, not for a script.
LIMITS = {"track": (10, timedelta(minutes=10)), "form": (5, timedelta(hours=1))}
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class TrackedStep:
    at: datetime
    status: str


@dataclass(frozen=True)
class TrackedOrder:
    order_number: str
    status: str
    ordered_on: date
    expected: date | None
    delivered_on: date | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    steps: tuple[TrackedStep, ...]


def client_key(session: Session, address: str | None) -> str:
    return digest(session, "public-client", address or "unknown")


def allowed(*, session: Session, scope: str, client: str, now: datetime) -> bool:
    """Count this request and say whether it is within the limit (refusals are audited)."""
    limit, window = LIMITS[scope]
    used = session.scalar(select(func.count()).select_from(PublicRequest).where(
        PublicRequest.scope == scope, PublicRequest.client == client,
        PublicRequest.at > now - window)) or 0
    if used >= limit:
        audit.record(session=session, action="public_limit_reached", entity_type="public",
                     after={"scope": scope, "client": client[:16], "limit": limit,
                            "window_minutes": int(window.total_seconds() // 60)})
        return False
    session.add(PublicRequest(scope=scope, client=client, at=now))
    session.execute(delete(PublicRequest).where(PublicRequest.at < now - KEEP))
    return True


def _normal(text: str) -> str:
    return "".join(text.split()).upper()


def track(*, session: Session, order_number: str, customer_number_or_postcode: str,
          client: str) -> TrackedOrder | None:
    """The order when both parts match; otherwise ``None``, whatever did not match."""
    number, proof = _normal(order_number), _normal(customer_number_or_postcode)
    found = None
    if number and proof:
        site = Site.__table__.alias("ship_to")
        found = session.execute(
            select(Order).join(Customer, Customer.id == Order.customer_id)
            .outerjoin(site, site.c.id == Order.ship_to_site_id)
            .where(Order.order_number == number,
                   or_(Customer.customer_number == proof, Customer.postal_code == proof,
                       site.c.postal_code == proof))).scalars().first()
    audit.record(session=session, action="order_tracked", entity_type="order",
                 entity_id=found.id if found else None,
                 after={"order_number": number[:20], "found": found is not None,
                        "client": client[:16]})
    if found is None:
        return None
    steps = session.execute(select(OrderEvent.occurred_at, OrderEvent.status)
                            .where(OrderEvent.order_id == found.id)
                            .order_by(OrderEvent.occurred_at, OrderEvent.id)).all()
    template = CARRIER_TRACKING_URLS.get(found.carrier or "")
    return TrackedOrder(
        order_number=found.order_number, status=found.status,
        ordered_on=found.ordered_at.date(), expected=found.promised_date,
        delivered_on=found.delivered_on, carrier=found.carrier,
        tracking_number=found.tracking_number,
        tracking_url=(template.format(number=found.tracking_number)
                      if template and found.tracking_number else None),
        steps=tuple(TrackedStep(at, status) for at, status in steps))
