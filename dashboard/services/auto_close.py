"""Resolved enquiries close themselves when the customer stays silent for the auto-close
period: that many usual business days of the calendar in force (the settings page sets it)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.business_calendar import to_us
from dashboard.services import settings, sla, workflow
from db.models import Enquiry


def close_resolved(*, session: Session, now: datetime) -> list[str]:
    """Close, as the system (no person), what waited long enough; returns the references."""
    sla.refresh(session=session)
    calendar = business_calendar.active()
    period = settings.auto_close_days(session=session) * calendar.minutes_per_day * 60
    waiting = session.execute(
        select(Enquiry.id, Enquiry.version, Enquiry.reference, Enquiry.resolved_at)
        .where(Enquiry.status == "resolved", Enquiry.resolved_at.is_not(None),
               Enquiry.resolved_at < now, Enquiry.merged_into_id.is_(None))
        .order_by(Enquiry.id)).all()
    if not waiting:
        return []
    waited = business_calendar.business_seconds(
        np.array([to_us(r.resolved_at) for r in waiting], dtype=np.int64),
        np.full(len(waiting), to_us(now), dtype=np.int64))
    closed = []
    for row, seconds in zip(waiting, waited, strict=True):
        if seconds < period:
            continue
        workflow.change_status(session=session, enquiry_id=row.id, to="closed", by=None,
                               expected_version=row.version, now=now,
                               note="Closed automatically: no answer from the customer "
                               "within the auto-close period.")
        closed.append(row.reference)
    return closed
