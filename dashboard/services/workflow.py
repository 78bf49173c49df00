"""What happens to an enquiry: status, assignment, notes, replies, customer messages, merges.

Every change checks the enquiry's ``version`` against the one the representative saw, so
a stale form is refused ("changed by X at T — reload") instead of overwriting someone
else's work. Every change is an ``enquiry_events`` row and an audit entry, in the caller's
transaction. SLA clocks: the resolution clock stops while the enquiry is *pending customer*
and the due time moves on by the paused business seconds when it resumes.

A reopened enquiry keeps its one resolution clock, started when it arrived: the time it
stood resolved (or closed) is not counted, like a pause, so its due time moves on by that
time and its resolution time, once resolved again, is the business time it was being worked
on (``REOPEN_RULE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from dashboard.business_calendar import business_seconds_between
from dashboard.services import audit, sla, templates
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from dashboard.services.versioned import changed_by, write_if_unchanged
from db.models import (
    CATEGORIES,
    ENQUIRY_STATUSES,
    OPEN_ENQUIRY_STATUSES,
    PRIORITIES,
    Customer,
    Enquiry,
    EnquiryEvent,
    SlaPolicy,
    User,
)

REOPEN_RULE = ("A reopened enquiry keeps the resolution clock it started with; the time it "
               "stood resolved is not counted (like a pause), so its due time moves on by "
               "that time.")

# Where an enquiry may go from each status; reopening a resolved or closed one is allowed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "pending_customer", "pending_internal", "resolved", "closed"),
    "open": ("pending_customer", "pending_internal", "resolved", "closed"),
    "pending_customer": ("open", "pending_internal", "resolved", "closed"),
    "pending_internal": ("open", "pending_customer", "resolved", "closed"),
    "resolved": ("open", "closed"),
    "closed": ("open",),
}


def load_for_change(session: Session, enquiry_id: int, expected_version: int | None
                    ) -> Enquiry:
    """The enquiry, fresh from the database; refused when someone changed it meanwhile."""
    enquiry = session.get(Enquiry, enquiry_id, populate_existing=True)
    if enquiry is None:
        raise ValidationError(["That enquiry no longer exists."])
    if expected_version is not None and enquiry.version != expected_version:
        raise StaleEditError(stale_message(session, enquiry_id))
    return enquiry


def stale_message(session: Session, enquiry_id: int) -> str:
    return changed_by(session, select(User.full_name, EnquiryEvent.occurred_at)
                      .outerjoin(User, User.id == EnquiryEvent.actor_id)
                      .where(EnquiryEvent.enquiry_id == enquiry_id)
                      .order_by(EnquiryEvent.occurred_at.desc(), EnquiryEvent.id.desc()),
                      "enquiry", "the system")


def _save(session: Session, enquiry: Enquiry, expected_version: int | None,
          **values: Any) -> None:
    """Write the change only if the version is still the one read."""
    version = enquiry.version if expected_version is None else expected_version
    write_if_unchanged(session, enquiry, version,
                       lambda: stale_message(session, enquiry.id), **values)


def _event(session: Session, enquiry: Enquiry, kind: str, by: UserInfo | None, now: datetime,
           body: str = "", data: dict[str, Any] | None = None) -> EnquiryEvent:
    event = EnquiryEvent(enquiry_id=enquiry.id, occurred_at=now, kind=kind,
                         actor_id=by.id if by else None, body=body, data=data or {})
    session.add(event)
    return event


def _audit(session: Session, enquiry: Enquiry, action: str, by: UserInfo | None,
           before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    audit.record(session=session, action=action, user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="enquiry",
                 entity_id=enquiry.id, before=before, after=after)


def _paused_since(session: Session, enquiry_id: int) -> datetime | None:
    """When the enquiry last went to pending customer (its status events say it)."""
    events = session.scalars(
        select(EnquiryEvent).where(EnquiryEvent.enquiry_id == enquiry_id,
                                   EnquiryEvent.kind == "status")
        .order_by(EnquiryEvent.occurred_at.desc(), EnquiryEvent.id.desc()).limit(20))
    for event in events:
        if event.data.get("to") == "pending_customer":
            return event.occurred_at
    return None


def _clock_values(session: Session, enquiry: Enquiry, paused_seconds: int
                  ) -> dict[str, Any]:
    """Due times moved on by the paused business seconds (the first response only while
    it is still owed)."""
    policy = session.get(SlaPolicy, enquiry.sla_policy_id) if enquiry.sla_policy_id else None
    values: dict[str, Any] = {"paused_seconds": paused_seconds}
    if policy is None:
        return values
    due = sla.deadlines(enquiry.created_at, policy, paused_seconds).values()
    if enquiry.first_response_at is not None:
        del due["first_response_due_at"], due["first_response_risk_at"]
    return values | due


def _status_values(session: Session, enquiry: Enquiry, to: str, now: datetime
                   ) -> dict[str, Any]:
    """Timestamps and clock changes that come with entering status ``to``."""
    values: dict[str, Any] = {"status": to, "updated_at": now}
    if enquiry.status == "pending_customer" and to != "pending_customer":
        since = _paused_since(session, enquiry.id)
        paused = enquiry.paused_seconds + (business_seconds_between(since, now) if since else 0)
        values.update(_clock_values(session, enquiry, paused))
    if to in ("resolved", "closed") and enquiry.resolved_at is None:
        values["resolved_at"] = now
    if to == "closed":
        values["closed_at"] = now
    if to in OPEN_ENQUIRY_STATUSES and enquiry.status in ("resolved", "closed"):
        values.update(resolved_at=None, closed_at=None, reopen_count=enquiry.reopen_count + 1)
        # REOPEN_RULE: the time it stood resolved does not count.
        resolved = (business_seconds_between(enquiry.resolved_at, now)
                    if enquiry.resolved_at else 0)
        values.update(_clock_values(session, enquiry, enquiry.paused_seconds + resolved))
    return values


def change_status(*, session: Session, enquiry_id: int, to: str, by: UserInfo | None,
                  expected_version: int | None, now: datetime, note: str = "") -> Enquiry:
    enquiry = load_for_change(session, enquiry_id, expected_version)
    if to not in ENQUIRY_STATUSES:
        raise ValidationError([f"Unknown status {to!r}."])
    if to == enquiry.status:
        return enquiry
    if to not in TRANSITIONS[enquiry.status]:
        raise ValidationError([f"An enquiry that is {enquiry.status.replace('_', ' ')} "
                               f"cannot become {to.replace('_', ' ')}."])
    before = enquiry.status
    _save(session, enquiry, expected_version, **_status_values(session, enquiry, to, now))
    _event(session, enquiry, "status", by, now, note, data={"from": before, "to": to})
    _audit(session, enquiry, "enquiry_status", by, {"status": before}, {"status": to})
    return enquiry


def change_status_of_many(*, session: Session, targets: Sequence[tuple[int, int]], to: str,
                          by: UserInfo, now: datetime, note: str = "") -> list[Enquiry]:
    """Move several enquiries (id, version seen) to ``to`` in the caller's one transaction:
    all of them or, when any is refused (stale, or a transition it cannot make), none."""
    if not by.has_role("lead"):
        raise ValidationError(["Only a team lead changes several enquiries at once."])
    return [change_status(session=session, enquiry_id=enquiry_id, to=to, by=by,
                          expected_version=version, now=now, note=note)
            for enquiry_id, version in targets]


def assign_many(*, session: Session, targets: Sequence[tuple[int, int]], assignee_id: int,
                by: UserInfo, now: datetime) -> list[Enquiry]:
    """Give several enquiries (id, version seen) to one person: all of them or none."""
    if not by.has_role("lead"):
        raise ValidationError(["Only a team lead assigns several enquiries at once."])
    return [assign(session=session, enquiry_id=enquiry_id, assignee_id=assignee_id, by=by,
                   expected_version=version, now=now)
            for enquiry_id, version in targets]


def assign(*, session: Session, enquiry_id: int, assignee_id: int | None, by: UserInfo,
           expected_version: int | None, now: datetime) -> Enquiry:
    """Give the enquiry to someone (or nobody). Only leads move what someone else holds."""
    enquiry = load_for_change(session, enquiry_id, expected_version)
    held_by_other = enquiry.assignee_id not in (None, by.id)
    if held_by_other and not by.has_role("lead"):
        raise ValidationError(["Only a team lead can reassign an enquiry someone else holds."])
    if assignee_id not in (None, by.id) and not by.has_role("lead"):
        raise ValidationError(["Only a team lead can assign enquiries to others."])
    assignee = session.get(User, assignee_id) if assignee_id else None
    if assignee_id is not None and (assignee is None or not assignee.is_active):
        raise ValidationError(["Choose an active colleague."])
    before = enquiry.assignee_id
    values: dict[str, Any] = {"assignee_id": assignee_id, "updated_at": now}
    if assignee is not None and assignee.team_id:
        values["team_id"] = assignee.team_id
    if enquiry.status == "new" and assignee_id is not None:
        values["status"] = "open"
    _save(session, enquiry, expected_version, **values)
    _event(session, enquiry, "assignment", by, now, data={"from": before, "to": assignee_id})
    if values.get("status") == "open":
        _event(session, enquiry, "status", by, now, data={"from": "new", "to": "open"})
    _audit(session, enquiry, "enquiry_assigned", by, {"assignee_id": before},
           {"assignee_id": assignee_id})
    return enquiry


def add_note(*, session: Session, enquiry_id: int, body: str, by: UserInfo,
             now: datetime) -> None:
    """An internal note; notes never change the enquiry, so they never conflict."""
    if not body.strip():
        raise ValidationError(["Write the note first."])
    enquiry = load_for_change(session, enquiry_id, None)
    event = _event(session, enquiry, "note", by, now, body.strip())
    session.execute(update(Enquiry).where(Enquiry.id == enquiry_id).values(updated_at=now)
                    .execution_options(synchronize_session=False))
    session.flush()
    _audit(session, enquiry, "enquiry_note", by, None,
           {"event_id": event.id, "note": body.strip()[:500]})


def set_priority(*, session: Session, enquiry_id: int, priority: str, by: UserInfo,
                 expected_version: int | None, now: datetime) -> Enquiry:
    """A new priority means a new SLA policy and new due times from the same start."""
    if priority not in PRIORITIES:
        raise ValidationError(["Choose a priority."])
    enquiry = load_for_change(session, enquiry_id, expected_version)
    if priority == enquiry.priority:
        return enquiry
    segment = session.scalar(select(Customer.segment).where(Customer.id == enquiry.customer_id))
    policy = sla.policy_for(session=session, priority=priority, channel=enquiry.channel,
                            segment=segment)
    due = sla.deadlines(enquiry.created_at, policy, enquiry.paused_seconds)
    before = enquiry.priority
    _save(session, enquiry, expected_version, priority=priority, updated_at=now,
          sla_policy_id=policy.id if policy else None, **due.values())
    _event(session, enquiry, "priority", by, now, data={"from": before, "to": priority})
    _audit(session, enquiry, "enquiry_priority", by, {"priority": before},
           {"priority": priority})
    return enquiry


def set_category(*, session: Session, enquiry_id: int, category: str, by: UserInfo,
                 expected_version: int | None, now: datetime) -> Enquiry:
    if category not in CATEGORIES:
        raise ValidationError(["Choose a category."])
    enquiry = load_for_change(session, enquiry_id, expected_version)
    if category == enquiry.category:
        return enquiry
    before = enquiry.category
    _save(session, enquiry, expected_version, category=category, updated_at=now)
    _event(session, enquiry, "category", by, now, data={"from": before, "to": category})
    _audit(session, enquiry, "enquiry_category", by, {"category": before},
           {"category": category})
    return enquiry


def record_customer_message(*, session: Session, enquiry_id: int, inbound_message_id: int,
                            body: str, now: datetime) -> Enquiry:
    """The customer wrote again: log it; resume a paused clock; reopen a resolved enquiry."""
    enquiry = load_for_change(session, enquiry_id, None)
    _event(session, enquiry, "message_in", None, now, body).inbound_message_id = (
        inbound_message_id)
    if enquiry.status in ("pending_customer", "resolved", "closed"):
        before = enquiry.status
        _save(session, enquiry, None, **_status_values(session, enquiry, "open", now))
        _event(session, enquiry, "status", None, now, "Customer replied",
               data={"from": before, "to": "open"})
    else:
        _save(session, enquiry, None, updated_at=now)
    _audit(session, enquiry, "enquiry_customer_message", None, None,
           {"inbound_message_id": inbound_message_id, "status": enquiry.status})
    return enquiry


def record_first_response(session: Session, enquiry: Enquiry, now: datetime) -> dict[str, Any]:
    """Values to store when a representative answers for the first time."""
    return {"first_response_at": now} if enquiry.first_response_at is None else {}


# --- replies -----------------------------------------------------------------------------

def thread_headers(session: Session, enquiry_id: int) -> tuple[str | None, str | None]:
    """In-Reply-To (the customer's latest message) and References (the thread so far)."""
    from db.models import InboundMessage, OutboundMessage

    inbound = session.execute(
        select(InboundMessage.message_id, EnquiryEvent.occurred_at)
        .join(EnquiryEvent, EnquiryEvent.inbound_message_id == InboundMessage.id)
        .where(EnquiryEvent.enquiry_id == enquiry_id, InboundMessage.message_id.is_not(None)))
    outbound = session.execute(
        select(OutboundMessage.message_id, OutboundMessage.created_at)
        .where(OutboundMessage.enquiry_id == enquiry_id, OutboundMessage.kind == "reply"))
    inbound_rows = sorted(inbound, key=lambda r: r[1])
    thread = sorted([*inbound_rows, *outbound], key=lambda r: r[1])
    in_reply_to = inbound_rows[-1][0] if inbound_rows else (thread[-1][0] if thread else None)
    references = " ".join(str(mid) for mid, _ in thread[-10:]) or None
    return in_reply_to, references


def reply(*, session: Session, enquiry_id: int, to_address: str, subject: str, body: str,
          by: UserInfo, expected_version: int | None, now: datetime,
          then_status: str | None = "pending_customer") -> int:
    """Queue an e-mail reply threaded onto the customer's messages; returns the outbox id."""
    from dashboard.services import outbox

    if not body.strip():
        raise ValidationError(["Write the reply first."])
    if gaps := templates.holes(subject, body):
        raise ValidationError(templates.hole_messages(gaps))
    enquiry = load_for_change(session, enquiry_id, expected_version)
    target = then_status or ("open" if enquiry.status == "new" else enquiry.status)
    if target != enquiry.status and target not in TRANSITIONS[enquiry.status]:
        raise ValidationError([f"After the reply the enquiry cannot become "
                               f"{target.replace('_', ' ')}."])
    in_reply_to, references = thread_headers(session, enquiry.id)
    outbound_id = outbox.enqueue(
        session=session, kind="reply", to_address=to_address, subject=subject,
        body_text=body, enquiry_id=enquiry.id, customer_id=enquiry.customer_id,
        created_by=by.id, in_reply_to=in_reply_to, references=references, now=now)
    values = {"updated_at": now, **record_first_response(session, enquiry, now)}
    before = enquiry.status
    if target != enquiry.status:
        values.update(_status_values(session, enquiry, target, now))
    _save(session, enquiry, expected_version, **values)
    event = _event(session, enquiry, "reply", by, now, body.strip(),
                   data={"to": to_address, "subject": subject})
    event.outbound_message_id = outbound_id
    if target != before:
        _event(session, enquiry, "status", by, now, data={"from": before, "to": target})
    _audit(session, enquiry, "enquiry_reply", by, None,
           {"outbound_message_id": outbound_id, "to": to_address})
    return outbound_id


# --- claiming ----------------------------------------------------------------------------

def claim_next(*, session: Session, user: UserInfo, now: datetime) -> Enquiry | None:
    """Take the most urgent unassigned enquiry of my team; never one someone else took.

    PostgreSQL locks the candidate row and skips rows other claimers hold; SQLite, which
    locks the whole database for writes, relies on a conditional update and its row count.
    """
    # (Merged enquiries are closed, so the status covers them; naming merged_into_id here
    # led SQLite's planner to a full index walk.)
    waiting: list[ColumnElement[bool]] = [
        Enquiry.assignee_id.is_(None), Enquiry.status.in_(("new", "open"))]
    if user.team_id is not None:
        waiting.append(Enquiry.team_id == user.team_id)
    # Unassigned enquiries wait for their first response: that clock orders them (and the
    # partial index ix_enquiries_claimable serves exactly this order).
    candidates = (select(Enquiry.id).where(*waiting)
                  .order_by(Enquiry.first_response_due_at, Enquiry.id))
    claim = {"assignee_id": user.id, "status": "open", "updated_at": now,
             "version": Enquiry.version + 1}
    enquiry: Enquiry | None
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: lock the most urgent free row, skipping rows others hold, take it
        # and read it back.
        chosen = candidates.limit(1).with_for_update(skip_locked=True).scalar_subquery()
        enquiry = session.scalars(update(Enquiry).where(Enquiry.id == chosen)
                                  .values(**claim).returning(Enquiry)
                                  .execution_options(synchronize_session=False,
                                                     populate_existing=True)).first()
    else:
        enquiry_id = _claim_by_row_count(session, candidates, claim)
        enquiry = (session.get(Enquiry, enquiry_id, populate_existing=True)
                   if enquiry_id is not None else None)
    if enquiry is None:
        return None
    _event(session, enquiry, "assignment", user, now,
           data={"from": None, "to": user.id, "claimed": True})
    _audit(session, enquiry, "enquiry_claimed", user, None, {"assignee_id": user.id})
    return enquiry


def _claim_by_row_count(session: Session, candidates: Any, claim: dict[str, Any]
                        ) -> int | None:
    """SQLite: try the most urgent few; the update only succeeds while the row is free."""
    for _ in range(20):
        ids = list(session.scalars(candidates.limit(5)))
        if not ids:
            return None
        for enquiry_id in ids:
            taken = session.execute(
                update(Enquiry).where(Enquiry.id == enquiry_id, Enquiry.assignee_id.is_(None))
                .values(**claim).execution_options(synchronize_session=False))
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return int(enquiry_id)
    return None


# --- merging and linking -----------------------------------------------------------------

LINKS = {"order": "order_id", "invoice": "invoice_id", "contract": "contract_id",
         "item": "installed_item_id"}


def merge(*, session: Session, source_id: int, target_id: int, by: UserInfo,
          expected_version: int | None, now: datetime) -> Enquiry:
    """Close ``source`` as a duplicate of ``target``; both keep their history."""
    if source_id == target_id:
        raise ValidationError(["An enquiry cannot be merged into itself."])
    source = load_for_change(session, source_id, expected_version)
    target = load_for_change(session, target_id, None)
    if target.merged_into_id is not None:
        raise ValidationError([f"{target.reference} was itself merged; merge into "
                               "the enquiry it was merged into."])
    if source.customer_id and target.customer_id and source.customer_id != target.customer_id:
        raise ValidationError(["Only enquiries of the same customer can be merged."])
    before = source.status
    values = _status_values(session, source, "closed", now) if before != "closed" else {}
    _save(session, source, expected_version, merged_into_id=target.id, **values)
    _event(session, source, "merge", by, now, f"Merged into {target.reference}",
           data={"into": target.id, "reference": target.reference})
    links = {column: getattr(source, column) for column in LINKS.values()
             if getattr(source, column) and not getattr(target, column)}
    _save(session, target, None, updated_at=now, **links)
    _event(session, target, "merge", by, now, f"{source.reference} merged into this enquiry",
           data={"merged": source.id, "reference": source.reference})
    _audit(session, source, "enquiry_merged", by, {"status": before},
           {"merged_into": target.reference})
    return target


def link_document(*, session: Session, enquiry_id: int, kind: str, document_id: int,
                  by: UserInfo, expected_version: int | None, now: datetime) -> Enquiry:
    from db.models import Contract, InstalledItem, Invoice, Order

    models = {"order": Order, "invoice": Invoice, "contract": Contract, "item": InstalledItem}
    if kind not in models:
        raise ValidationError(["Choose what kind of document to link."])
    enquiry = load_for_change(session, enquiry_id, expected_version)
    numbers = {"order": Order.order_number, "invoice": Invoice.number,
               "contract": Contract.contract_number, "item": InstalledItem.serial_number}
    found = session.execute(select(models[kind].customer_id,  # type: ignore[attr-defined]
                                   numbers[kind])
                            .where(models[kind].id == document_id)).first()  # type: ignore[attr-defined]
    owner, number = (found[0], found[1]) if found else (None, None)
    if owner is None or (enquiry.customer_id and owner != enquiry.customer_id):
        raise ValidationError([f"That {kind} is not this customer's."])
    values: dict[str, Any] = {LINKS[kind]: document_id, "updated_at": now}
    if enquiry.customer_id is None:
        values["customer_id"] = owner
    _save(session, enquiry, expected_version, **values)
    _event(session, enquiry, "link", by, now,
           data={"kind": kind, "id": document_id, "number": number})
    _audit(session, enquiry, "enquiry_linked", by, None, {kind: document_id})
    return enquiry
