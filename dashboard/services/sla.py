"""SLA state of an enquiry: ok, at risk (under a share of the target left: the policy's, else
the settings' default, 25 %), breached, paused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard.business_calendar import (
    BusinessCalendar,
    add_business_seconds,
    business_minutes_between,
)
from dashboard.services import calendar, settings
from db.models import SlaPolicy

DEFAULT_AT_RISK_PERCENT = 25
_default_percent = DEFAULT_AT_RISK_PERCENT  # the settings' default, as last read
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
          paused: bool, now: datetime, risk_at: datetime | None = None,
          at_risk_percent: int | None = None) -> Clock:
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
    share = (at_risk_percent if at_risk_percent is not None else _default_percent) / 100
    at_risk = (now >= risk_at if risk_at is not None
               else bool(target_minutes) and left < share * (target_minutes or 0))
    return Clock(AT_RISK if at_risk else OK, due_at, left)


def worst(*clocks: Clock) -> Clock:
    order = (BREACHED, AT_RISK, OK, PAUSED, MET, MERGED)
    return min(clocks, key=lambda c: order.index(c.state))


def refresh(*, session: Session) -> None:
    """Put the saved business calendar and at-risk default in force in this process."""
    global _default_percent
    saved = settings.stored_many(session=session,
                                 keys=(settings.CALENDAR, settings.AT_RISK_PERCENT))
    calendar.refresh(session=session, saved=saved[settings.CALENDAR])
    _default_percent = settings.at_risk_percent(session=session,
                                                saved=saved[settings.AT_RISK_PERCENT])


def default_percent() -> int:
    return _default_percent


class Targets(Protocol):
    """What a due time is worked out from: a stored policy, or one being edited."""

    @property
    def priority(self) -> str: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def segment(self) -> str | None: ...
    @property
    def first_response_minutes(self) -> int: ...
    @property
    def resolution_minutes(self) -> int: ...
    @property
    def at_risk_percent(self) -> int | None: ...


P = TypeVar("P", bound=Targets)


def choose(policies: Iterable[P], *, priority: str, channel: str, segment: str | None
           ) -> P | None:
    """The most specific of ``policies`` (all active) for an enquiry: priority + channel +
    segment beats priority alone, and segment beats channel."""
    candidates = [p for p in policies if p.priority == priority
                  and p.channel in (None, channel) and p.segment in (None, segment)]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.segment is not None, p.channel is not None))


def policy_for(*, session: Session, priority: str, channel: str,
               segment: str | None) -> SlaPolicy | None:
    """The most specific active policy (``choose``). Due times worked out from it use the
    calendar as saved now."""
    refresh(session=session)
    candidates = session.scalars(
        select(SlaPolicy).where(SlaPolicy.is_active.is_(True), SlaPolicy.priority == priority,
                                or_(SlaPolicy.channel.is_(None), SlaPolicy.channel == channel),
                                or_(SlaPolicy.segment.is_(None), SlaPolicy.segment == segment))
    ).all()
    return choose(candidates, priority=priority, channel=channel, segment=segment)


def risk_offset(target_minutes: int, percent: int = DEFAULT_AT_RISK_PERCENT) -> int:
    """Business minutes after the start when less than ``percent`` % of the target is left
    (at 25 %: three quarters of it, and one minute)."""
    return target_minutes * (100 - percent) // 100 + 1


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


def percent_of(policy: Targets | None, default: int | None = None) -> int:
    """The policy's at-risk share, else the default (the settings', unless given)."""
    if policy is not None and policy.at_risk_percent is not None:
        return policy.at_risk_percent
    return default if default is not None else _default_percent


def deadlines(start: datetime, policy: Targets | None, paused_seconds: int = 0, *,
              calendar: BusinessCalendar | None = None,
              default_percent: int | None = None) -> Deadlines:
    """Due and at-risk instants of both clocks, pushed back by the paused business seconds
    (to the second: a pause of 90 s moves them on by 90 s, not by one minute), in
    ``calendar`` (the one in force unless given)."""
    if policy is None:
        return Deadlines()
    first, resolution = policy.first_response_minutes, policy.resolution_minutes
    percent = percent_of(policy, default_percent)

    def after(minutes: int) -> datetime:
        return add_business_seconds(start, minutes * 60 + paused_seconds, calendar)

    return Deadlines(
        first_response_due_at=after(first), resolution_due_at=after(resolution),
        first_response_risk_at=after(risk_offset(first, percent)),
        resolution_risk_at=after(risk_offset(resolution, percent)),
    )
