"""Retention: audit rows older than the period on the settings page are deleted."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from dashboard.services import audit, settings
from db.models import AuditLog


def cutoff(*, session: Session, now: datetime) -> datetime:
    """Midnight in Brussels on the same day, the retention period's months ago."""
    months = settings.audit_retention_months(session=session)
    today = now.astimezone(BRUSSELS).date()
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    # The same day of that month, or its last day (31 March, 12 months on a leap year …).
    days = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - first).days
    kept = first.replace(day=min(today.day, days))
    return datetime.combine(kept, time(0), tzinfo=BRUSSELS)


def purge(*, session: Session, now: datetime) -> int:
    """Delete the audit rows older than the period; the purge leaves a row of its own."""
    before = cutoff(session=session, now=now)
    count = session.scalar(select(func.count()).select_from(AuditLog)
                           .where(AuditLog.occurred_at < before)) or 0
    if count:
        session.execute(delete(AuditLog).where(AuditLog.occurred_at < before))
        audit.record(session=session, action="audit_purged", entity_type="audit_log",
                     after={"deleted": count, "older_than": before.isoformat()})
    return int(count)
