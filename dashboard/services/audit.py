"""The audit trail: every write records who did what, with before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from db.models import (
    AuditLog,
    Contact,
    Contract,
    Customer,
    Enquiry,
    InboundMessage,
    InstalledItem,
    Invoice,
    Order,
    OutboundMessage,
    User,
)


def record(
    *,
    session: Session,
    action: str,
    user_id: int | None = None,
    username: str | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(AuditLog(
        action=action, user_id=user_id, username=username, entity_type=entity_type,
        entity_id=entity_id, before=before, after=after,
    ))


@dataclass(frozen=True)
class AuditEntry:
    occurred_at: datetime
    username: str | None
    action: str
    entity_type: str | None
    entity_id: int | None
    after: dict[str, Any] | None


def recent(
    *, session: Session, limit: int = 100, actions: tuple[str, ...] = ()
) -> list[AuditEntry]:
    query = select(AuditLog).order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()).limit(limit)
    if actions:
        query = query.where(AuditLog.action.in_(actions))
    return [
        AuditEntry(a.occurred_at, a.username, a.action, a.entity_type, a.entity_id, a.after)
        for a in session.scalars(query)
    ]


# --- the audit log viewer -----------------------------------------------------------------

VIEW_LIMIT = 200
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilter:
    user_ids: tuple[int, ...] = ()
    actions: tuple[str, ...] = ()
    entity_type: str | None = None
    entity_id: int | None = None
    customer_id: int | None = None
    since: datetime | None = None  # at or after (UTC)
    until: datetime | None = None  # before (UTC)


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    user_id: int | None
    username: str | None
    full_name: str | None
    action: str
    entity_type: str | None
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def who(self) -> str:
        """The person's name; a name typed at a failed sign-in as typed; else the system."""
        return self.full_name or self.username or "the system"


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


def _about_customer(customer_id: int) -> ColumnElement[bool]:
    """Rows about the customer or about something of theirs (an enquiry, an e-mail, a
    contact, an installed item, a document)."""
    owned = {
        "customer": None, "enquiry": Enquiry, "outbound_message": OutboundMessage,
        "contact": Contact, "installed_item": InstalledItem, "invoice": Invoice,
        "order": Order, "contract": Contract,
    }
    conditions: list[ColumnElement[bool]] = []
    for entity, model in owned.items():
        if model is None:
            ids: Any = [customer_id]
        else:
            ids = select(model.id).where(model.customer_id == customer_id)
        conditions.append(and_(AuditLog.entity_type == entity, AuditLog.entity_id.in_(ids)))
    inbound = select(InboundMessage.id).join(Enquiry, Enquiry.id == InboundMessage.enquiry_id) \
        .where(Enquiry.customer_id == customer_id)
    conditions.append(and_(AuditLog.entity_type == "inbound_message",
                           AuditLog.entity_id.in_(inbound)))
    return or_(*conditions)


def _conditions(filters: AuditFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.user_ids:
        found.append(AuditLog.user_id.in_(filters.user_ids))
    if filters.actions:
        found.append(AuditLog.action.in_(filters.actions))
    if filters.entity_type:
        found.append(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        found.append(AuditLog.entity_id == filters.entity_id)
    if filters.customer_id is not None:
        found.append(_about_customer(filters.customer_id))
    if filters.since is not None:
        found.append(AuditLog.occurred_at >= filters.since)
    if filters.until is not None:
        found.append(AuditLog.occurred_at < filters.until)
    return found


def search(*, session: Session, filters: AuditFilter, limit: int = VIEW_LIMIT,
           offset: int = 0) -> tuple[list[AuditRow], int]:
    """Audit rows newest first, filtered in SQL, and how many match in all."""
    conditions = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(AuditLog).where(*conditions)) or 0
    rows = session.execute(
        select(AuditLog.id, AuditLog.occurred_at, AuditLog.user_id, AuditLog.username,
               User.full_name, AuditLog.action, AuditLog.entity_type, AuditLog.entity_id,
               AuditLog.before, AuditLog.after)
        .outerjoin(User, User.id == AuditLog.user_id).where(*conditions)
        .order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()).limit(limit).offset(offset))
    return [AuditRow(id=r[0], occurred_at=r[1], user_id=r[2], username=r[3], full_name=r[4],
                     action=r[5], entity_type=r[6], entity_id=r[7], before=_json(r[8]),
                     after=_json(r[9])) for r in rows], total


def _json(value: Any) -> dict[str, Any] | None:
    """A before/after as a dict: the demo seed stores JSON text inside the JSON column."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {"value": value}
    if value is None or isinstance(value, dict):
        return value
    return {"value": value}


def filter_options(*, session: Session) -> tuple[list[tuple[int, str]], list[str], list[str]]:
    """People who appear in the log (id, name), the actions and the entity kinds recorded."""
    people = [(uid, f"{name} (signs in as {username})") for uid, name, username in session.execute(
        select(User.id, User.full_name, User.username)
        .where(User.id.in_(select(AuditLog.user_id).where(AuditLog.user_id.is_not(None))
                           .distinct())).order_by(User.full_name))]
    actions = list(session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))
    entities = list(session.scalars(select(AuditLog.entity_type)
                                    .where(AuditLog.entity_type.is_not(None)).distinct()
                                    .order_by(AuditLog.entity_type)))
    return people, actions, [e for e in entities if e]


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """Field by field, what the row says changed: keys of either side, in the order they
    were written (after's first), a field only on one side shown against nothing."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*after, *before]))
    return [Change(key, before.get(key), after.get(key)) for key in keys]


def customer_id_for(*, session: Session, customer_number: str) -> int | None:
    """The customer a typed number names (to filter the log by), if any."""
    found: int | None = session.scalar(select(Customer.id).where(
        Customer.customer_number == customer_number.strip().upper()))
    return found
