"""SLA policies as leads and admins keep them, and working the open enquiries' due times out
again after a policy or the business calendar changed.

A policy is per priority, optionally per channel and per customer segment (``sla.choose``
picks the most specific); no two active policies share that key. Edits are validated,
versioned and audited with before and after. ``preview`` says, before anything is written,
which open enquiries a change moves and how many change state; ``recompute`` writes it in
the caller's one transaction, with one audit row and an SLA event per enquiry moved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard import business_calendar, labels
from dashboard.business_calendar import BusinessCalendar
from dashboard.services import audit, sla
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from dashboard.services.versioned import changed_by, write_if_unchanged
from db.models import (
    CHANNELS,
    OPEN_ENQUIRY_STATUSES,
    PRIORITIES,
    SEGMENTS,
    AuditLog,
    Customer,
    Enquiry,
    EnquiryEvent,
    SlaPolicy,
)

MAX_TARGET_MINUTES = 60 * 24 * 60  # sixty 24-hour days: beyond that a target is a typo
FIELDS = ("name", "priority", "channel", "segment", "first_response_minutes",
          "resolution_minutes", "at_risk_percent", "is_active")


@dataclass(frozen=True)
class Policy:
    """A policy as stored (``id`` set) or as being edited (``id`` None for a new one)."""

    name: str
    priority: str
    channel: str | None
    segment: str | None
    first_response_minutes: int
    resolution_minutes: int
    at_risk_percent: int | None = None
    is_active: bool = True
    id: int | None = None
    version: int = 0

    @property
    def scope(self) -> str:
        """"Normal · Fax · any segment", in words."""
        return " · ".join((labels.label("priority", self.priority),
                           labels.label("channel", self.channel) if self.channel
                           else "any channel",
                           labels.label("segment", self.segment) if self.segment
                           else "any segment"))

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def _policy(row: SlaPolicy) -> Policy:
    return Policy(name=row.name, priority=row.priority, channel=row.channel,
                  segment=row.segment, first_response_minutes=row.first_response_minutes,
                  resolution_minutes=row.resolution_minutes,
                  at_risk_percent=row.at_risk_percent, is_active=row.is_active, id=row.id,
                  version=row.version)


def list_policies(*, session: Session) -> list[Policy]:
    order = {p: i for i, p in enumerate(reversed(PRIORITIES))}
    rows = [_policy(r) for r in session.scalars(select(SlaPolicy))]
    return sorted(rows, key=lambda p: (not p.is_active, order.get(p.priority, 9),
                                       p.channel or "", p.segment or "", p.name))


def open_counts(*, session: Session) -> dict[int, int]:
    """Open enquiries on each policy now."""
    rows = session.execute(
        select(Enquiry.sla_policy_id, func.count())
        .where(Enquiry.status.in_(OPEN_ENQUIRY_STATUSES), Enquiry.merged_into_id.is_(None),
               Enquiry.sla_policy_id.is_not(None))
        .group_by(Enquiry.sla_policy_id)).all()
    return {int(policy_id): int(n) for policy_id, n in rows if policy_id is not None}


def check(*, session: Session, policy: Policy) -> Policy:
    """The policy cleaned up, or every problem in plain words."""
    policy = replace(policy, name=policy.name.strip(), channel=policy.channel or None,
                     segment=policy.segment or None)
    problems: list[str] = []
    if not 1 <= len(policy.name) <= 80:
        problems.append("Give the policy a name (1 to 80 characters).")
    if policy.priority not in PRIORITIES:
        problems.append("Choose the priority the policy is for.")
    if policy.channel is not None and policy.channel not in CHANNELS:
        problems.append("Choose a channel, or any channel.")
    if policy.segment is not None and policy.segment not in SEGMENTS:
        problems.append("Choose a customer segment, or any segment.")
    first, resolution = policy.first_response_minutes, policy.resolution_minutes
    if first <= 0:
        problems.append("The first-response target must be more than 0 business minutes.")
    if resolution <= 0:
        problems.append("The resolution target must be more than 0 business minutes.")
    if first > MAX_TARGET_MINUTES or resolution > MAX_TARGET_MINUTES:
        problems.append(f"A target is at most {MAX_TARGET_MINUTES:,} business minutes."
                        .replace(",", "."))
    if first > 0 and resolution > 0 and resolution < first:
        problems.append("The resolution target cannot be shorter than the first-response "
                        "target.")
    if policy.at_risk_percent is not None and not 0 <= policy.at_risk_percent <= 100:
        problems.append("The at-risk share is a whole percentage from 0 to 100.")
    others = [p for p in list_policies(session=session) if p.id != policy.id]
    namesake = next((p for p in others if p.name.lower() == policy.name.lower()), None)
    if namesake is not None:
        problems.append(f"Another policy is already called {namesake.name}.")
    if policy.is_active and any(
            p.is_active and (p.priority, p.channel, p.segment)
            == (policy.priority, policy.channel, policy.segment) for p in others):
        problems.append(f"An active policy already covers {policy.scope}: change that one, "
                        "or make it inactive first.")
    if problems:
        raise ValidationError(problems)
    return policy


def _stale(session: Session, policy_id: int) -> str:
    return changed_by(session, select(func.coalesce(AuditLog.username, ""),
                                      AuditLog.occurred_at)
                      .where(AuditLog.entity_type == "sla_policy",
                             AuditLog.entity_id == policy_id)
                      .order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()),
                      "policy", "someone else")


def save(*, session: Session, policy: Policy, by: UserInfo) -> Policy:
    """Create (``id`` None) or change a policy over the version the person saw."""
    if not by.has_role("lead"):
        raise ValidationError(["Only a team lead or an admin changes SLA policies."])
    policy = check(session=session, policy=policy)
    if policy.id is None:
        row = SlaPolicy(**policy.values(), version=1)
        session.add(row)
        session.flush()
        audit.record(session=session, action="sla_policy_created", user_id=by.id,
                     username=by.username, entity_type="sla_policy", entity_id=row.id,
                     before=None, after=policy.values())
        return _policy(row)
    found = session.get(SlaPolicy, policy.id)
    if found is None:
        raise StaleEditError("This policy no longer exists — reload.")
    before = _policy(found).values()
    write_if_unchanged(session, found, policy.version, lambda: _stale(session, found.id),
                       **policy.values())
    after = _policy(found).values()
    audit.record(session=session, action="sla_policy_changed", user_id=by.id,
                 username=by.username, entity_type="sla_policy", entity_id=found.id,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    return _policy(found)


# --- due times worked out again ---------------------------------------------------------

@dataclass(frozen=True)
class Move:
    """One open enquiry whose policy or due times a change moves."""

    enquiry_id: int
    version: int
    reference: str
    subject: str
    policy_before: str | None
    policy_after: str | None
    policy_after_id: int | None
    state_before: str
    state_after: str
    first_response_due_before: datetime | None
    first_response_due_after: datetime | None
    resolution_due_before: datetime | None
    resolution_due_after: datetime | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Preview:
    checked: int           # open enquiries looked at
    moves: tuple[Move, ...]

    @property
    def state_changes(self) -> Counter[tuple[str, str]]:
        """(state before, state after) -> enquiries, for those whose state changes."""
        return Counter((m.state_before, m.state_after) for m in self.moves
                       if m.state_before != m.state_after)

    def becoming(self, state: str) -> int:
        return sum(1 for m in self.moves if m.state_after == state != m.state_before)

    def leaving(self, state: str) -> int:
        return sum(1 for m in self.moves if m.state_before == state != m.state_after)

    def summary(self) -> dict[str, Any]:
        return {"checked": self.checked, "moved": len(self.moves),
                "became_at_risk": self.becoming(sla.AT_RISK),
                "became_breached": self.becoming(sla.BREACHED),
                "no_longer_at_risk": self.leaving(sla.AT_RISK),
                "no_longer_breached": self.leaving(sla.BREACHED)}


def _state(e: Enquiry, due: dict[str, datetime | None], now: datetime) -> str:
    paused = e.status == "pending_customer"
    clocks = [sla.clock(due_at=due["resolution_due_at"], target_minutes=None, done_at=None,
                        paused=paused, now=now, risk_at=due["resolution_risk_at"])]
    if e.first_response_at is None:
        clocks.append(sla.clock(due_at=due["first_response_due_at"], target_minutes=None,
                                done_at=None, paused=paused, now=now,
                                risk_at=due["first_response_risk_at"]))
    return sla.worst(*clocks).state


def preview(*, session: Session, now: datetime, calendar: BusinessCalendar | None = None,
            policies: Sequence[Policy] | None = None, default_percent: int | None = None,
            enquiry_ids: Sequence[int] | None = None) -> Preview:
    """What working the open enquiries' due times out again would change, with ``calendar``
    and ``policies`` (the saved ones unless given: pass the edited ones to see an edit's
    effect before saving it). Nothing is written."""
    calendar = calendar or business_calendar.active()
    chosen = [p for p in (policies if policies is not None
                          else list_policies(session=session)) if p.is_active]
    names = {p.id: p.name for p in list_policies(session=session)}
    query = (select(Enquiry, Customer.segment).outerjoin(Customer,
                                                         Customer.id == Enquiry.customer_id)
             .where(Enquiry.status.in_(OPEN_ENQUIRY_STATUSES),
                    Enquiry.merged_into_id.is_(None))
             .order_by(Enquiry.id))
    if enquiry_ids is not None:
        query = query.where(Enquiry.id.in_(enquiry_ids))
    checked, moves = 0, []
    for e, segment in session.execute(query):
        checked += 1
        policy = sla.choose(chosen, priority=e.priority, channel=e.channel, segment=segment)
        before = {"first_response_due_at": e.first_response_due_at,
                  "resolution_due_at": e.resolution_due_at,
                  "first_response_risk_at": e.first_response_risk_at,
                  "resolution_risk_at": e.resolution_risk_at}
        after = sla.deadlines(e.created_at, policy, e.paused_seconds, calendar=calendar,
                              default_percent=default_percent).values()
        if e.first_response_at is not None:  # an answered clock stays as it was
            after["first_response_due_at"] = e.first_response_due_at
            after["first_response_risk_at"] = e.first_response_risk_at
        policy_id = policy.id if policy is not None else None
        if after == before and policy_id == e.sla_policy_id:
            continue
        moves.append(Move(
            enquiry_id=e.id, version=e.version, reference=e.reference, subject=e.subject,
            policy_before=names.get(e.sla_policy_id) if e.sla_policy_id else None,
            policy_after=policy.name if policy is not None else None,
            policy_after_id=policy_id,
            state_before=_state(e, before, now), state_after=_state(e, after, now),
            first_response_due_before=before["first_response_due_at"],
            first_response_due_after=after["first_response_due_at"],
            resolution_due_before=before["resolution_due_at"],
            resolution_due_after=after["resolution_due_at"],
            values={**after, "sla_policy_id": policy_id}))
    return Preview(checked, tuple(moves))


def edited(*, session: Session, policy: Policy) -> list[Policy]:
    """The saved policies with ``policy`` in place of its saved self (or added)."""
    others = [p for p in list_policies(session=session)
              if policy.id is None or p.id != policy.id]
    return [*others, policy]


def effect_of(*, session: Session, now: datetime, policy: Policy) -> Preview:
    """The open enquiries an edited policy (not saved yet) would move, and how: only what
    the edit itself changes, not what already waits for a recompute (a calendar change)."""
    pending = {m.enquiry_id: m.values for m in preview(session=session, now=now).moves}
    edited_preview = preview(session=session, now=now,
                             policies=edited(session=session, policy=policy))
    changed = [m for m in edited_preview.moves if pending.get(m.enquiry_id) != m.values]
    return Preview(edited_preview.checked, tuple(changed))


def recompute(*, session: Session, now: datetime, by: UserInfo, reason: str) -> Preview:
    """Work the open enquiries' due times out again with the saved policies and the
    calendar in force, in the caller's transaction: all of them or none."""
    if not by.has_role("lead"):
        raise ValidationError(["Only a team lead or an admin recomputes due times."])
    sla.refresh(session=session)
    done = preview(session=session, now=now)
    for move in done.moves:
        result = session.execute(
            update(Enquiry).where(Enquiry.id == move.enquiry_id,
                                  Enquiry.version == move.version)
            .values(version=move.version + 1, **move.values)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleEditError(f"{move.reference} changed while the due times were being "
                                 "worked out: nothing was changed. Preview again.")
        session.add(EnquiryEvent(
            enquiry_id=move.enquiry_id, occurred_at=now, kind="sla", actor_id=by.id,
            body=f"Due times worked out again: {reason}",
            data={"first_response_due_at": _iso(move.first_response_due_after),
                  "resolution_due_at": _iso(move.resolution_due_after),
                  "policy": move.policy_after}))
    audit.record(session=session, action="sla_recomputed", user_id=by.id,
                 username=by.username, entity_type="enquiry", before=None,
                 after={**done.summary(), "reason": reason,
                        "enquiries": [m.reference for m in done.moves][:200]})
    return done


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

