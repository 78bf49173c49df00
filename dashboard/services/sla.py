"""SLA state of an enquiry: ok, at risk (under 25 % of the target left), breached, paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard.business_hours import add_business_minutes, business_minutes_between
from db.models import SlaPolicy

AT_RISK_SHARE = 0.25
OK, AT_RISK, BREACHED, PAUSED, MET = "ok", "at_risk", "breached", "paused", "met"
LABELS = {OK: "On track", AT_RISK: "At risk", BREACHED: "Breached", PAUSED: "Paused", MET: "Met"}


@dataclass(frozen=True)
class Clock:
    """One SLA clock (first response or resolution) as seen at a moment."""

    state: str
    due_at: datetime | None
    minutes_left: int | None   # business minutes; negative once breached

    @property
    def label(self) -> str:
        return LABELS[self.state]


def clock(*, due_at: datetime | None, target_minutes: int | None, done_at: datetime | None,
          paused: bool, now: datetime) -> Clock:
    if due_at is None:
        return Clock(OK, None, None)
    if done_at is not None:
        return Clock(MET if done_at <= due_at else BREACHED, due_at, None)
    left = business_minutes_between(now, due_at)
    if paused:  # pending the customer: the due time moves on when the clock resumes
        return Clock(PAUSED, due_at, left)
    if now > due_at:
        return Clock(BREACHED, due_at, left)
    if target_minutes and left < AT_RISK_SHARE * target_minutes:
        return Clock(AT_RISK, due_at, left)
    return Clock(OK, due_at, left)


def worst(*clocks: Clock) -> Clock:
    order = (BREACHED, AT_RISK, OK, PAUSED, MET)
    return min(clocks, key=lambda c: order.index(c.state))


def policy_for(*, session: Session, priority: str, channel: str,
               segment: str | None) -> SlaPolicy | None:
    """The most specific active policy: priority + channel + segment beats priority alone."""
    candidates = session.scalars(
        select(SlaPolicy).where(SlaPolicy.is_active.is_(True), SlaPolicy.priority == priority,
                                or_(SlaPolicy.channel.is_(None), SlaPolicy.channel == channel),
                                or_(SlaPolicy.segment.is_(None), SlaPolicy.segment == segment))
    ).all()
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.segment is not None, p.channel is not None))


def due_times(start: datetime, policy: SlaPolicy | None,
              paused_minutes: int = 0) -> tuple[datetime | None, datetime | None]:
    """First-response and resolution due instants, pushed back by paused business minutes."""
    if policy is None:
        return None, None
    return (add_business_minutes(start, policy.first_response_minutes),
            add_business_minutes(start, policy.resolution_minutes + paused_minutes))
