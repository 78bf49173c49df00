"""The support line's teams and people: the three demo accounts plus colleagues."""

from __future__ import annotations

import json
from dataclasses import dataclass

from dashboard.services.users import hash_password
from seed.demo_accounts import DEMO_ACCOUNTS
from seed.rows import Row, TeamRow, UserRow

# The colleagues share one password; the login page only shows the demo accounts.
STAFF_PASSWORD = "demo-staff-2026"


@dataclass(frozen=True)
class TeamSpec:
    id: int
    name: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    full_name: str
    role: str
    language: str
    team_id: int | None
    is_active: bool = True
    email: str = ""

    def __post_init__(self) -> None:
        if not self.email:
            object.__setattr__(self, "email", f"{self.username}@csol.example")


TEAMS = (
    TeamSpec(1, "Orders & Delivery", ("orders", "other"), ("nl", "fr", "en")),
    TeamSpec(2, "Billing", ("invoices",), ("nl", "fr", "de", "en")),
    TeamSpec(3, "Contracts & Inventory", ("contracts", "inventory"), ("fr", "de", "nl", "en")),
)
TEAM_FOR_CATEGORY = {
    category: team.id for team in TEAMS for category in team.categories
}

# Team and language of the demo accounts, by username.
_DEMO_PLACEMENT = {"rep": (1, "nl"), "lead": (1, "fr"), "admin": (None, "de")}

COLLEAGUES = (
    Member(4, "jan.devos", "Jan De Vos", "rep", "nl", 1),
    Member(5, "amelie.lambert", "Amélie Lambert", "rep", "fr", 1),
    Member(6, "nathalie.renard", "Nathalie Renard", "rep", "fr", 2),
    Member(7, "pieter.claes", "Pieter Claes", "rep", "nl", 2),
    Member(8, "ines.martin", "Inès Martin", "rep", "en", 2),
    Member(9, "thomas.schmit", "Thomas Schmit", "rep", "de", 3),
    Member(10, "lotte.janssens", "Lotte Janssens", "rep", "nl", 3),
    Member(11, "julien.lemaire", "Julien Lemaire", "rep", "fr", 3),
    Member(12, "an.vermeulen", "An Vermeulen", "lead", "nl", 2),
    Member(13, "kevin.hermans", "Kevin Hermans", "rep", "nl", 1, is_active=False),
)


def demo_members() -> tuple[Member, ...]:
    members = []
    for number, account in enumerate(DEMO_ACCOUNTS, start=1):
        team_id, language = _DEMO_PLACEMENT.get(account.username, (None, "en"))
        members.append(Member(number, account.username, account.full_name, account.role,
                              language, team_id, email=account.email))
    return tuple(members)


@dataclass(frozen=True)
class Staff:
    members: tuple[Member, ...]
    demo_rep_id: int
    # Who answers a team's enquiries (reps and the team's lead), active ones only.
    handlers: dict[int, tuple[int, ...]]
    former_handlers: dict[int, tuple[int, ...]]
    account_managers: tuple[int, ...]

    def member(self, member_id: int) -> Member:
        return self.members[member_id - 1]


def build_staff() -> Staff:
    members = demo_members() + COLLEAGUES
    assert [m.id for m in members] == list(range(1, len(members) + 1))
    handlers = {
        team.id: tuple(m.id for m in members
                       if m.team_id == team.id and m.is_active and m.role in ("rep", "lead"))
        for team in TEAMS
    }
    former = {
        team.id: tuple(m.id for m in members if m.team_id == team.id and not m.is_active)
        for team in TEAMS
    }
    demo_rep = next(m.id for m in members if m.username == "rep")
    managers = tuple(m.id for m in members if m.is_active and m.role in ("rep", "lead"))
    return Staff(members, demo_rep, handlers, former, managers)


def password_hashes() -> dict[str, str]:
    """bcrypt hash per distinct password, each computed once (bcrypt is slow by design)."""
    passwords = {account.password for account in DEMO_ACCOUNTS} | {STAFF_PASSWORD}
    return {password: hash_password(password) for password in sorted(passwords)}


def team_rows() -> list[Row]:
    return [TeamRow(id=t.id, name=t.name, categories=json.dumps(list(t.categories)),
                    languages=json.dumps(list(t.languages)), version=1, retired_at=None)
            for t in TEAMS]


def user_rows(staff: Staff, hashes: dict[str, str], created_at: str,
              last_login_at: str) -> list[Row]:
    passwords = {account.username: account.password for account in DEMO_ACCOUNTS}
    leads: dict[int, int] = {}  # team id -> its lead: the team's first active team lead
    for m in staff.members:
        if m.role == "lead" and m.is_active and m.team_id is not None:
            leads.setdefault(m.team_id, m.id)
    return [
        UserRow(
            id=m.id, username=m.username, full_name=m.full_name, email=m.email,
            password_hash=hashes[passwords.get(m.username, STAFF_PASSWORD)], role=m.role,
            language=m.language, team_id=m.team_id, is_active=m.is_active,
            failed_login_count=0, locked_until=None,
            last_login_at=last_login_at if m.is_active else None, created_at=created_at,
            version=1, must_change_password=False, temporary_expires_at=None,
            is_team_lead=m.team_id is not None and leads.get(m.team_id) == m.id,
        )
        for m in staff.members
    ]
