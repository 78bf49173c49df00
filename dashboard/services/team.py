"""A team's workload now: open enquiries per person with their SLA states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import sla
from dashboard.services.enquiries import EnquiryRow, enquiry_row
from db.models import OPEN_ENQUIRY_STATUSES, Customer, Enquiry, SlaPolicy, Team, User

UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Workload:
    person: str
    open: int
    at_risk: int
    breached: int
    paused: int
    oldest: datetime | None


@dataclass(frozen=True)
class TeamOption:
    id: int
    name: str


def teams(*, session: Session) -> list[TeamOption]:
    return [TeamOption(t.id, t.name) for t in session.scalars(select(Team).order_by(Team.name))]


def open_enquiries(
    *, session: Session, team_id: int, now: datetime
) -> list[tuple[str, EnquiryRow]]:
    """Every open enquiry of the team (assigned to a member or to the team), with its owner."""
    members = select(User.id).where(User.team_id == team_id)
    query = (
        select(Enquiry, Customer.name, SlaPolicy.first_response_minutes,
               SlaPolicy.resolution_minutes, User.full_name)
        .outerjoin(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Enquiry.sla_policy_id)
        .outerjoin(User, User.id == Enquiry.assignee_id)
        .where(Enquiry.status.in_(OPEN_ENQUIRY_STATUSES),
               (Enquiry.team_id == team_id) | Enquiry.assignee_id.in_(members))
    )
    return [(owner or UNASSIGNED, enquiry_row(e, name, fr, res, now))
            for e, name, fr, res, owner in session.execute(query)]


def workload(rows: list[tuple[str, EnquiryRow]]) -> list[Workload]:
    people: dict[str, list[EnquiryRow]] = {}
    for owner, row in rows:
        people.setdefault(owner, []).append(row)
    result = []
    for person, items in people.items():
        states = [r.sla.state for r in items]
        result.append(Workload(
            person=person, open=len(items), at_risk=states.count(sla.AT_RISK),
            breached=states.count(sla.BREACHED), paused=states.count(sla.PAUSED),
            oldest=min(r.created_at for r in items),
        ))
    return sorted(result, key=lambda w: (w.person == UNASSIGNED, -w.breached, -w.open, w.person))
