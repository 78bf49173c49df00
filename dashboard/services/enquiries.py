"""Enquiries as the representative's day sees them: what is mine, and how its clocks stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.services import sla
from db.models import OPEN_ENQUIRY_STATUSES, Customer, Enquiry, SlaPolicy

MY_LIST_LIMIT = 200


@dataclass(frozen=True)
class EnquiryRow:
    id: int
    reference: str
    subject: str
    customer_id: int | None
    customer_name: str | None
    channel: str
    category: str
    priority: str
    status: str
    created_at: datetime
    first_response: sla.Clock
    resolution: sla.Clock

    @property
    def sla(self) -> sla.Clock:
        """The clock that matters now: the first response until it is given."""
        if self.first_response.state != sla.MET and self.first_response.due_at is not None:
            return sla.worst(self.first_response, self.resolution)
        return self.resolution


@dataclass(frozen=True)
class SlaCounts:
    open: int
    at_risk: int
    breached: int
    paused: int


def my_open_enquiries(*, session: Session, user_id: int, now: datetime,
                      limit: int = MY_LIST_LIMIT) -> list[EnquiryRow]:
    query = (
        select(Enquiry, Customer.name, SlaPolicy.first_response_minutes,
               SlaPolicy.resolution_minutes)
        .outerjoin(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Enquiry.sla_policy_id)
        .where(Enquiry.assignee_id == user_id, Enquiry.status.in_(OPEN_ENQUIRY_STATUSES))
        .order_by(Enquiry.resolution_due_at.is_(None), Enquiry.resolution_due_at, Enquiry.id)
        .limit(limit)
    )
    rows = [enquiry_row(e, name, fr, res, now) for e, name, fr, res in session.execute(query)]
    order = (sla.BREACHED, sla.AT_RISK, sla.OK, sla.PAUSED, sla.MET)
    return sorted(rows, key=lambda r: (order.index(r.sla.state), r.sla.due_at or now))


def enquiry_row(e: Enquiry, customer_name: str | None, first_response_minutes: int | None,
         resolution_minutes: int | None, now: datetime) -> EnquiryRow:
    paused = e.status == "pending_customer"
    return EnquiryRow(
        id=e.id, reference=e.reference, subject=e.subject, customer_id=e.customer_id,
        customer_name=customer_name, channel=e.channel, category=e.category,
        priority=e.priority, status=e.status, created_at=e.created_at,
        first_response=sla.clock(due_at=e.first_response_due_at,
                                 target_minutes=first_response_minutes,
                                 done_at=e.first_response_at, paused=paused, now=now),
        resolution=sla.clock(due_at=e.resolution_due_at, target_minutes=resolution_minutes,
                             done_at=e.resolved_at, paused=paused, now=now),
    )


def count_by_sla(rows: list[EnquiryRow]) -> SlaCounts:
    states = [r.sla.state for r in rows]
    return SlaCounts(open=len(rows), at_risk=states.count(sla.AT_RISK),
                     breached=states.count(sla.BREACHED), paused=states.count(sla.PAUSED))


def unassigned_count(*, session: Session, team_id: int | None) -> int:
    query = select(func.count()).select_from(Enquiry).where(
        Enquiry.assignee_id.is_(None), Enquiry.status.in_(OPEN_ENQUIRY_STATUSES))
    if team_id is not None:
        query = query.where(Enquiry.team_id == team_id)
    return int(session.scalar(query) or 0)


def customer_enquiries(*, session: Session, customer_id: int, now: datetime,
                       limit: int = 50) -> list[EnquiryRow]:
    query = (
        select(Enquiry, Customer.name, SlaPolicy.first_response_minutes,
               SlaPolicy.resolution_minutes)
        .join(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Enquiry.sla_policy_id)
        .where(Enquiry.customer_id == customer_id)
        .order_by(Enquiry.created_at.desc()).limit(limit)
    )
    return [enquiry_row(e, name, fr, res, now) for e, name, fr, res in session.execute(query)]
