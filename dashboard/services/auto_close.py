"""Resolved enquiries close themselves when the customer stays silent for the auto-close
period (business days of the calendar in force; the settings page sets it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.services import settings, sla, workflow
from db.models import Enquiry


def due_before(*, session: Session, now: datetime) -> datetime:
    """Enquiries resolved before this instant have waited the whole period."""
    sla.refresh(session=session)
    calendar = business_calendar.active()
    days = settings.auto_close_days(session=session)
    # Walk back day by day: the period is whole business days, whatever their length.
    day, counted = calendar.local_day(now), 0
    while counted < days:
        day = day.fromordinal(day.toordinal() - 1)
        if calendar.is_business_day(day):
            counted += 1
    moment = now.astimezone(calendar.zone)
    return datetime.combine(day, moment.time(), tzinfo=calendar.zone)


def close_resolved(*, session: Session, now: datetime) -> list[str]:
    """Close what waited long enough, as the system (no person); returns the references."""
    cutoff = due_before(session=session, now=now)
    waiting = session.execute(
        select(Enquiry.id, Enquiry.version, Enquiry.reference)
        .where(Enquiry.status == "resolved", Enquiry.resolved_at < cutoff,
               Enquiry.merged_into_id.is_(None)).order_by(Enquiry.id)).tuples().all()
    for enquiry_id, version, _ in waiting:
        workflow.change_status(session=session, enquiry_id=enquiry_id, to="closed", by=None,
                               expected_version=version, now=now,
                               note="Closed automatically: no answer from the customer "
                               "within the auto-close period.")
    return [reference for _, _, reference in waiting]
