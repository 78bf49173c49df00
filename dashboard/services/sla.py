"""SLA state of an enquiry: ok, at risk (under 25 % of the target left), breached, paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard.business_calendar import add_business_seconds, business_minutes_between
from db.models import SlaPolicy

AT_RISK_SHARE = 0.25
OK, AT_RISK, BREACHED, PAUSED, MET = "ok", "at_risk", "breached", "paused", "met"
MERGED = "merged"  # a duplicate merged into another enquiry: its clocks no longer run
LABELS = {OK: "On track", AT_RISK: "At risk", BREACHED: "Breached", PAUSED: "Paused", MET: "Met",
          MERGED: "Merged"}


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
          paused: bool, now: datetime, risk_at: datetime | None = None) -> Clock:
    """How one clock stands at ``now``; ``risk_at`` (stored) decides "at risk" when known,
    so pages and SQL-filtered queues agree."""
    if due_at is None:
        return Clock(OK, None, None)
    if done_at is not None:
        return Clock(MET if done_at <= due_at else BREACHED, due_at, None)
    left = business_minutes_between(now, due_at)
    if paused:  # pending the customer: the due time moves on when the clock resumes
        return Clock(PAUSED, due_at, left)
    if now >= due_at:
        return Clock(BREACHED, due_at, left)
    at_risk = (now >= risk_at if risk_at is not None
               else bool(target_minutes) and left < AT_RISK_SHARE * (target_minutes or 0))
    return Clock(AT_RISK if at_risk else OK, due_at, left)


def worst(*clocks: Clock) -> Clock:
    order = (BREACHED, AT_RISK, OK, PAUSED, MET, MERGED)
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


def risk_offset(target_minutes: int) -> int:
    """Business minutes after the start when less than 25 % of the target is left."""
    return target_minutes * 3 // 4 + 1


@dataclass(frozen=True)
class Deadlines:
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    first_response_risk_at: datetime | None = None
    resolution_risk_at: datetime | None = None

    def values(self) -> dict[str, datetime | None]:
        return {"first_response_due_at": self.first_response_due_at,
                "resolution_due_at": self.resolution_due_at,
                "first_response_risk_at": self.first_response_risk_at,
                "resolution_risk_at": self.resolution_risk_at}


def deadlines(start: datetime, policy: SlaPolicy | None, paused_seconds: int = 0) -> Deadlines:
    """Due and at-risk instants of both clocks, pushed back by the paused business seconds
    (to the second: a pause of 90 s moves them on by 90 s, not by one minute)."""
    if policy is None:
        return Deadlines()
    first, resolution = policy.first_response_minutes, policy.resolution_minutes

    def after(minutes: int) -> datetime:
        return add_business_seconds(start, minutes * 60 + paused_seconds)

    return Deadlines(
        first_response_due_at=after(first), resolution_due_at=after(resolution),
        first_response_risk_at=after(risk_offset(first)),
        resolution_risk_at=after(risk_offset(resolution)),
    )
