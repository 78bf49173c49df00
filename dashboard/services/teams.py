"""Teams: their names, members and lead, and the categories and languages routed to them
(``enquiries.route_team`` reads these on every new enquiry, so a change holds at once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard import labels
from dashboard.services import audit
from dashboard.services.enquiries import route_team
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo, last_changes
from dashboard.services.versioned import changed_by, write_if_unchanged
from db.models import CATEGORIES, LANGUAGES, OPEN_ENQUIRY_STATUSES, Enquiry, Team, User
from db.types import utcnow


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    full_name: str
    role: str
    is_active: bool
    team_id: int | None
    is_team_lead: bool = False


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    lead_id: int | None
    lead_name: str | None
    members: tuple[Person, ...]
    version: int
    retired_at: datetime | None = None


def people(*, session: Session) -> list[Person]:
    """Everyone with an account, by name: the choices for members and leads."""
    return [Person(u.id, u.username, u.full_name, u.role, u.is_active, u.team_id,
                   u.is_team_lead)
            for u in session.scalars(select(User).order_by(User.full_name, User.username))]


def list_teams(*, session: Session) -> list[TeamRow]:
    everyone = people(session=session)
    rows = []
    for t in session.scalars(select(Team).order_by(Team.name)):
        members = tuple(p for p in everyone if p.team_id == t.id)
        lead = next((p for p in members if p.is_team_lead), None)
        rows.append(TeamRow(t.id, t.name, _ordered(t.categories, CATEGORIES),
                            _ordered(t.languages, LANGUAGES), lead.id if lead else None,
                            lead.full_name if lead else None, members, t.version,
                            t.retired_at))
    return rows


def get_team(*, session: Session, team_id: int) -> TeamRow | None:
    return next((t for t in list_teams(session=session) if t.id == team_id), None)


def unrouted_categories(*, session: Session) -> list[str]:
    """Categories no team answers: new enquiries of these belong to no team's queue."""
    routed = {c for t in session.scalars(select(Team).where(Team.retired_at.is_(None)))
              for c in (t.categories or [])}
    return [c for c in CATEGORIES if c not in routed]


def _ordered(values: Sequence[str] | None, order: tuple[str, ...]) -> tuple[str, ...]:
    chosen = set(values or ())
    return tuple(v for v in order if v in chosen)


def _name_problems(session: Session, name: str, team_id: int | None) -> list[str]:
    if not name:
        return ["Enter the team's name."]
    taken = session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower(),
                                                 Team.id != (team_id or 0)))
    return [f"Another team is already called {name}."] if taken is not None else []


def _routing_problems(categories: Sequence[str], languages: Sequence[str]) -> list[str]:
    found = []
    if unknown := [c for c in categories if c not in CATEGORIES]:
        found.append(f"Unknown categories: {', '.join(unknown)}.")
    if unknown := [code for code in languages if code not in LANGUAGES]:
        found.append(f"Unknown languages: {', '.join(unknown)}.")
    return found


def _by(by: UserInfo | None) -> dict[str, Any]:
    return {"user_id": by.id if by else None, "username": by.username if by else None}


def create_team(*, session: Session, name: str, categories: Sequence[str] = (),
                languages: Sequence[str] = (), by: UserInfo | None = None) -> int:
    """Add a team (members and lead are set by editing it); returns its id."""
    name = name.strip()
    found = _name_problems(session, name, None) + _routing_problems(categories, languages)
    if found:
        raise ValidationError(found)
    team = Team(name=name, categories=list(_ordered(categories, CATEGORIES)),
                languages=list(_ordered(languages, LANGUAGES)), version=1)
    session.add(team)
    session.flush()
    audit.record(session=session, action="team_created", **_by(by), entity_type="team",
                 entity_id=team.id, after={"name": name, "categories": team.categories,
                                           "languages": team.languages})
    return team.id


def stale_message(session: Session, team_id: int) -> str:
    return changed_by(session, last_changes("team", team_id), "team", "the system")


def update_team(*, session: Session, team_id: int, version: int | None, name: str,
                categories: Sequence[str], languages: Sequence[str], member_ids: Sequence[int],
                lead_id: int | None, by: UserInfo | None) -> bool:
    """Save a team over ``version``: its name, routing, members and lead. A person added
    here leaves their previous team. Returns False when nothing changed; raises
    ValidationError or StaleEditError, and writes nothing then."""
    team = session.get(Team, team_id)
    if team is None:
        raise LookupError(f"No team with id {team_id}.")
    if team.retired_at is not None:
        raise ValidationError([f"{team.name} is retired: reinstate it before changing it."])
    name = name.strip()
    everyone = {p.id: p for p in people(session=session)}
    members = sorted(set(member_ids))
    found = _name_problems(session, name, team.id) + _routing_problems(categories, languages)
    if unknown := [m for m in members if m not in everyone]:
        found.append(f"No such people: {', '.join(map(str, unknown))}.")
    current = sorted(p.id for p in everyone.values() if p.team_id == team.id)
    for person_id in set(members) - set(current):
        person = everyone.get(person_id)
        if person is None:
            continue
        if not person.is_active:
            found.append(f"{person.full_name}'s account is deactivated: reactivate it before "
                         "adding them to a team.")
    if lead_id is not None:
        lead = everyone.get(lead_id)
        if lead is None or lead_id not in members:
            found.append("The lead must be one of the team's members.")
        elif lead.role == "rep":
            found.append(f"{lead.full_name} is a representative: give them the team lead role "
                         "on Users & access first.")
        elif not lead.is_active:
            found.append(f"{lead.full_name}'s account is deactivated.")
    if found:
        raise ValidationError(found)

    categories_ = list(_ordered(categories, CATEGORIES))
    languages_ = list(_ordered(languages, LANGUAGES))
    current_lead = next((p.id for p in everyone.values()
                         if p.team_id == team.id and p.is_team_lead), None)
    wanted = {"name": name, "categories": categories_, "languages": languages_}
    # Routing lists compare as sets: the order they were stored in means nothing.
    values = {k: v for k, v in wanted.items()
              if (set(getattr(team, k) or []) != set(v) if k in ("categories", "languages")
                  else getattr(team, k) != v)}
    if not values and members == current and lead_id == current_lead:
        if version is not None and version != team.version:
            raise StaleEditError(stale_message(session, team.id))
        return False
    before = _readable(team.name, team.categories, team.languages, current_lead, current,
                       everyone)
    # The version moves even when only the members change: it is the team's form that was seen.
    write_if_unchanged(session, team, team.version if version is None else version,
                       lambda: stale_message(session, team.id), **values)
    left, joined = set(current) - set(members), set(members) - set(current)
    if left:
        session.execute(update(User).where(User.id.in_(left), User.team_id == team.id)
                        .values(team_id=None, is_team_lead=False, version=User.version + 1))
    if joined:  # a lead of another team leaves it, and so no longer leads it
        session.execute(update(User).where(User.id.in_(joined))
                        .values(team_id=team.id, is_team_lead=False,
                                version=User.version + 1))
    session.execute(update(User).where(User.team_id == team.id, User.is_team_lead.is_(True),
                                       User.id != (lead_id or 0))
                    .values(is_team_lead=False, version=User.version + 1))
    if lead_id is not None:
        session.execute(update(User).where(User.id == lead_id, User.is_team_lead.is_(False))
                        .values(is_team_lead=True, version=User.version + 1))
    after = _readable(name, categories_, languages_, lead_id, members, everyone)
    audit.record(session=session, action="team_updated", **_by(by), entity_type="team",
                 entity_id=team.id,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    return True


def _readable(name: str, categories: Sequence[str] | None, languages: Sequence[str] | None,
              lead_id: int | None, members: Sequence[int], everyone: dict[int, Person]
              ) -> dict[str, Any]:
    """A team as the audit log keeps it: people by username, codes as stored."""
    def who(person_id: int | None) -> str | None:
        return everyone[person_id].username if person_id in everyone else None

    return {"name": name, "categories": list(_ordered(categories, CATEGORIES)),
            "languages": list(_ordered(languages, LANGUAGES)), "lead": who(lead_id),
            "members": sorted(str(who(m)) for m in members)}


def describe_routing(row: TeamRow) -> str:
    """"Invoices & payments, Orders & delivery in Dutch, French" (words, not codes)."""
    if not row.categories:
        return "Nothing is routed to this team."
    text = ", ".join(labels.label("category", c) for c in row.categories)
    if row.languages:
        text += " — preferred for " + ", ".join(labels.label("language", lang)
                                                 for lang in row.languages)
    return text


def team_id_by_name(*, session: Session, name: str) -> int:
    """The team called ``name`` (any case), for the command line."""
    found = session.scalar(select(Team.id).where(func.lower(Team.name) == name.strip().lower()))
    if found is None:
        known = ", ".join(session.scalars(select(Team.name).order_by(Team.name))) or "none yet"
        raise LookupError(f"No team called {name.strip()} (teams: {known}).")
    return found


def retire_team(*, session: Session, team_id: int, version: int | None, by: UserInfo | None,
                now: datetime | None = None) -> int:
    """Retire a team with no members: it routes nothing from now on, and its open enquiries
    go to the teams that answer their category now (or to no team). Its past enquiries keep
    its name. Returns how many open enquiries moved."""
    now = now or utcnow()
    team = session.get(Team, team_id)
    if team is None:
        raise LookupError(f"No team with id {team_id}.")
    if team.retired_at is not None:
        raise ValidationError([f"{team.name} is already retired."])
    members = session.scalar(select(func.count()).select_from(User)
                             .where(User.team_id == team.id, User.is_active.is_(True))) or 0
    if members:
        raise ValidationError([f"{team.name} still has {members} active "
                               f"member{'s' if members != 1 else ''}: move them to another "
                               "team first (edit the team, or each person on Users & "
                               "access)."])
    write_if_unchanged(session, team, team.version if version is None else version,
                       lambda: stale_message(session, team.id), retired_at=now)
    session.execute(update(User).where(User.team_id == team.id)  # deactivated ones
                    .values(team_id=None, is_team_lead=False, version=User.version + 1))
    session.flush()
    moved: dict[str, list[str]] = {}
    waiting = session.execute(
        select(Enquiry).where(Enquiry.team_id == team.id,
                              Enquiry.status.in_(OPEN_ENQUIRY_STATUSES),
                              Enquiry.merged_into_id.is_(None))).scalars().all()
    names = {t.id: t.name for t in session.scalars(select(Team))}
    for enquiry in waiting:
        to = route_team(session=session, category=enquiry.category,
                        language=enquiry.language or "")
        enquiry.team_id = to
        enquiry.version += 1
        moved.setdefault(names.get(to, "no team") if to else "no team",
                         []).append(enquiry.reference)
    audit.record(session=session, action="team_retired", **_by(by), entity_type="team",
                 entity_id=team.id, before={"retired": False},
                 after={"retired": True, "open_enquiries_moved": {
                     to: len(refs) for to, refs in moved.items()},
                        "references": [r for refs in moved.values() for r in refs][:200]})
    return len(waiting)


def reinstate_team(*, session: Session, team_id: int, version: int | None,
                   by: UserInfo | None) -> None:
    """Bring a retired team back: it routes its categories again from now on."""
    team = session.get(Team, team_id)
    if team is None:
        raise LookupError(f"No team with id {team_id}.")
    if team.retired_at is None:
        raise ValidationError([f"{team.name} is not retired."])
    write_if_unchanged(session, team, team.version if version is None else version,
                       lambda: stale_message(session, team.id), retired_at=None)
    audit.record(session=session, action="team_reinstated", **_by(by), entity_type="team",
                 entity_id=team.id, before={"retired": True}, after={"retired": False})
