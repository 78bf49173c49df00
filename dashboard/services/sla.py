"""SLA state of an enquiry: ok, at risk (under 25 % of the target left), breached, paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.business_hours import business_minutes_between

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
