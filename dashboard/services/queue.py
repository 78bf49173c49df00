"""The enquiry queue: views, filters and counts, all in SQL and paged.

*At risk* and *breached* come from the due and at-risk instants stored on each enquiry
(recomputed on every change), so a view is an indexed query, not a scan in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from dashboard.services.enquiries import EnquiryRow, enquiry_row
from dashboard.services.paging import Page
from dashboard.services.users import UserInfo
from db.models import OPEN_ENQUIRY_STATUSES, Customer, Enquiry, SlaPolicy, User

VIEWS = ("mine", "unassigned", "team", "at_risk", "breached", "all")
VIEW_LABELS = {"mine": "Mine", "unassigned": "Unassigned", "team": "My team",
               "at_risk": "At risk", "breached": "Breached", "all": "All"}
ACTIVE = ("new", "open", "pending_internal")   # clocks running (pending customer pauses)


@dataclass(frozen=True)
class QueueFilter:
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()    # empty: every open status
    languages: tuple[str, ...] = ()
    customer_id: int | None = None
    older_than_days: int | None = None


@dataclass(frozen=True)
class QueueRow:
    enquiry: EnquiryRow
    assignee: str | None
    version: int


def breached(now: datetime) -> ColumnElement[bool]:
    return and_(Enquiry.status.in_(ACTIVE), or_(
        and_(Enquiry.first_response_at.is_(None), Enquiry.first_response_due_at <= now),
        and_(Enquiry.resolved_at.is_(None), Enquiry.resolution_due_at <= now)))


def at_risk(now: datetime) -> ColumnElement[bool]:
    return and_(~breached(now), Enquiry.status.in_(ACTIVE), or_(
        and_(Enquiry.first_response_at.is_(None), Enquiry.first_response_risk_at <= now),
        and_(Enquiry.resolved_at.is_(None), Enquiry.resolution_risk_at <= now)))


def _view(view: str, user: UserInfo, now: datetime) -> list[ColumnElement[bool]]:
    # Only the view asked for is built: each condition is a tree SQLAlchemy must compile.
    if view == "mine":
        return [Enquiry.assignee_id == user.id]
    if view == "all":
        return []
    mine_or_team = (Enquiry.team_id == user.team_id) if user.team_id else Enquiry.id.is_not(None)
    if view == "unassigned":
        return [Enquiry.assignee_id.is_(None), mine_or_team]
    if view == "team":
        return [mine_or_team]
    if view == "at_risk":
        return [at_risk(now), mine_or_team]
    if view == "breached":
        return [breached(now), mine_or_team]
    raise KeyError(view)


def _filters(flt: QueueFilter, now: datetime) -> list[ColumnElement[bool]]:
    # Merged duplicates are closed, so the default statuses leave them out. (Naming
    # merged_into_id here sent SQLite's planner down that index over the whole table.)
    conditions: list[ColumnElement[bool]] = [
        Enquiry.status.in_(flt.statuses or OPEN_ENQUIRY_STATUSES)]
    for column, values in ((Enquiry.channel, flt.channels), (Enquiry.category, flt.categories),
                           (Enquiry.priority, flt.priorities),
                           (Enquiry.language, flt.languages)):
        if values:
            conditions.append(column.in_(values))
    if flt.customer_id is not None:
        conditions.append(Enquiry.customer_id == flt.customer_id)
    if flt.older_than_days:
        conditions.append(Enquiry.created_at <= now - timedelta(days=flt.older_than_days))
    return conditions


def _due() -> Any:
    from sqlalchemy import case

    return case((Enquiry.first_response_at.is_(None), Enquiry.first_response_due_at),
                else_=Enquiry.resolution_due_at)


def list_queue(*, session: Session, user: UserInfo, view: str, flt: QueueFilter,
               now: datetime, limit: int = 50, offset: int = 0) -> Page[QueueRow]:
    """One page of a view, most urgent (earliest due) first."""
    conditions = _view(view, user, now) + _filters(flt, now)
    total = session.scalar(select(func.count()).select_from(Enquiry).where(*conditions)) or 0
    due = _due()
    rows = session.execute(
        select(Enquiry, Customer.name, SlaPolicy.first_response_minutes,
               SlaPolicy.resolution_minutes, User.full_name)
        .outerjoin(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Enquiry.sla_policy_id)
        .outerjoin(User, User.id == Enquiry.assignee_id)
        .where(*conditions)
        .order_by(due.is_(None), due, Enquiry.id)
        .limit(limit).offset(offset))
    return Page([QueueRow(enquiry_row(e, name, fr, res, now), assignee, e.version)
                 for e, name, fr, res, assignee in rows], int(total), limit, offset)


def next_in_queue(*, session: Session, user: UserInfo, after_id: int, now: datetime
                  ) -> str | None:
    """The reference of my most urgent open enquiry other than ``after_id``, if any."""
    rows = list_queue(session=session, user=user, view="mine", flt=QueueFilter(), now=now,
                      limit=2).rows
    return next((r.enquiry.reference for r in rows if r.enquiry.id != after_id), None)


def view_counts(*, session: Session, user: UserInfo, flt: QueueFilter,
                now: datetime) -> dict[str, int]:
    """How many enquiries each view holds, with the same filters, in one query."""
    base = _filters(flt, now)
    columns = []
    for view in VIEWS:
        where = _view(view, user, now)  # once per view: the tree is costly to build
        columns.append(func.count().filter(and_(*where)).label(view) if where
                       else func.count().label(view))
    row = session.execute(select(*columns).select_from(Enquiry).where(*base)).one()
    return {view: int(row._mapping[view]) for view in VIEWS}


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str
    team: str | None
    open_enquiries: int


def colleagues(*, session: Session) -> list[Colleague]:
    """Active people who can hold enquiries, with their current load (for reassigning)."""
    from db.models import Team

    load = (select(Enquiry.assignee_id, func.count().label("n"))
            .where(Enquiry.status.in_(OPEN_ENQUIRY_STATUSES))
            .group_by(Enquiry.assignee_id).subquery())
    rows = session.execute(
        select(User.id, User.full_name, Team.name, func.coalesce(load.c.n, 0))
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(load, load.c.assignee_id == User.id)
        .where(User.is_active.is_(True)).order_by(User.full_name))
    return [Colleague(i, name, team, int(n)) for i, name, team, n in rows]
