"""The audit trail: every write records who did what, with before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditLog


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
