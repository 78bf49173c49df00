"""Users, roles and sign-in: password check, throttling, sessions and the audit of all three."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import bcrypt
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, joinedload
from zxcvbn import zxcvbn

from dashboard import labels
from dashboard.services import audit, login_throttle, sessions
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.login_throttle import UNKNOWN_USER, ClientIdentity
from dashboard.services.sessions import SessionPolicy
from dashboard.services.versioned import changed_by, write_if_unchanged
from db.models import LANGUAGES, ROLES, AuditLog, LoginThrottle, Team, User, UserSession
from db.types import UTCDateTime, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
# zxcvbn's 0-4 scale: 0-2 are the common passwords and near variants of them (up to about
# 10^8 guesses), e.g. "password123", "Summer2026!", "qwertyuiop".
MIN_PASSWORD_SCORE = 3
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
WRONG = "Wrong username or password."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Temporary passwords: no look-alike characters (0/O, 1/l/I), read out or typed from a note.
TEMPORARY_VALID = timedelta(days=3)  # long enough to pass on over a weekend
EXPIRED = (f"This temporary password has expired: it signs in for {TEMPORARY_VALID.days} days "
           "after it is made. Ask an administrator for a new one.")
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    email: str
    role: str
    team_id: int | None
    team_name: str | None
    language: str = "en"
    must_change_password: bool = False

    def has_role(self, role: str) -> bool:
        """Roles are cumulative: a lead can do what a rep can, an admin what a lead can."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True)
class LoginResult:
    user: UserInfo | None
    message: str = ""
    wait_until: datetime | None = None
    session_id: str | None = None
    session_expires_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id, username=user.username, full_name=user.full_name, email=user.email,
        role=user.role, team_id=user.team_id, team_name=user.team.name if user.team else None,
        language=user.language, must_change_password=user.must_change_password,
    )


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _find(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).options(joinedload(User.team))  # _info names the team: no lazy load
        .where(func.lower(User.username) == normalise_username(username))
    ).first()


def get_user(*, session: Session, username: str) -> UserInfo | None:
    user = _find(session, username)
    return _info(user) if user and user.is_active else None


def get_user_by_id(*, session: Session, user_id: int) -> UserInfo | None:
    user = session.get(User, user_id, options=[joinedload(User.team)])  # checked every run
    return _info(user) if user and user.is_active else None


def hash_password(password: str, *, username: str = "", hints: tuple[str, ...] = ()) -> str:
    validate_password(password, username=username, hints=hints)
    # The same bcrypt format streamlit-authenticator reads back for cookie logins.
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def validate_password(password: str, *, username: str = "", hints: tuple[str, ...] = ()
                      ) -> None:
    """Refuse a password that is short, too long for bcrypt, blank, the username, or one of
    the common passwords (zxcvbn, which also weighs the username and ``hints``)."""
    if not password.strip():
        raise ValueError("A password cannot be only spaces.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(f"A password can be at most {MAX_PASSWORD_BYTES} bytes long.")
    name = normalise_username(username)
    if name and normalise_username(password) == name:
        raise ValueError("A password cannot be the username.")
    inputs = [part for part in (name, *hints) if part]
    verdict = zxcvbn(password, user_inputs=inputs)
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"].get("warning") or ""
        raise ValueError("This password is too easy to guess: it is a common password, or "
                         "close to one or to the person's name. "
                         + (f"({warning.rstrip('.')}.) " if warning else "")
                         + "Choose a longer one, e.g. a few unrelated words.")


@functools.cache
def _dummy_hash() -> bytes:
    """Compared against when there is no account, so an unknown name takes as long as a
    known one; made with the same cost as real hashes."""
    return bcrypt.hashpw(b"no such account: timing only", bcrypt.gensalt())


def attempt_login(
    *, session: Session, username: str, password: str, client: ClientIdentity | None = None,
    policy: SessionPolicy | None = None, now: datetime | None = None,
) -> LoginResult:
    """Check a password, throttled per account and per client; on success start a session.

    Every failure gets the same words and takes the same bcrypt time, whether the account
    exists or not. The caller commits: counts and audit rows must be saved on a refusal too.
    """
    now = now or utcnow()
    client = client or ClientIdentity()
    policy = policy or SessionPolicy()
    typed = normalise_username(username)
    if not typed or not password:
        return LoginResult(None, "Enter your username and password.")
    user = _find(session, typed)
    account = user if user is not None and user.is_active else None
    audit_name = user.username if user is not None else UNKNOWN_USER
    client_hash = (login_throttle.digest(session, "client_id", client.client_id)
                   if client.client_id else None)
    known = bool(account and client_hash and sessions.is_known_client(
        session=session, user_id=account.id, client_hash=client_hash, now=now))
    judged_by = login_throttle.buckets(session, typed_username=typed,
                                       user_id=account.id if account else None,
                                       client=client, known_client=known)
    held = login_throttle.blocked_until(session, judged_by, now)
    if held is not None:
        bucket, until = held
        audit.record(session=session, action="login_refused_throttled",
                     user_id=user.id if user else None, username=audit_name,
                     after={"scope": bucket.scope, "until": until.isoformat()})
        return LoginResult(None, _throttled_message(until, now), until)
    if not _password_matches(password, account.password_hash if account else None):
        audit.record(session=session, action="login_failed", user_id=user.id if user else None,
                     username=audit_name, after={"reason": _failure_reason(user, password),
                                                 "client": "known" if known else "unknown"})
        waits = login_throttle.count_failure(session, judged_by, now=now, username=audit_name,
                                             user_id=account.id if account else None)
        return LoginResult(None, WRONG if waits is None
                           else f"{WRONG} {_throttled_message(waits, now)}", waits)
    assert account is not None
    login_throttle.clear(session, judged_by)
    if temporary_expired(account, now):
        audit.record(session=session, action="login_refused_temporary_expired",
                     user_id=account.id, username=account.username, entity_type="user",
                     entity_id=account.id,
                     after={"expired_at": account.temporary_expires_at.isoformat()})  # type: ignore[union-attr]
        return LoginResult(None, EXPIRED)
    account.last_login_at = now
    opened = sessions.start(session=session, user_id=account.id, client_hash=client_hash,
                            policy=policy, now=now)
    audit.record(session=session, action="login", user_id=account.id, username=account.username,
                 entity_type="user", entity_id=account.id,
                 after={"client": "known" if known else "unknown"})
    return LoginResult(_info(account), session_id=opened.id,
                       session_expires_at=opened.expires_at)


def temporary_expired(user: User, now: datetime) -> bool:
    return (user.must_change_password and user.temporary_expires_at is not None
            and user.temporary_expires_at <= now)


def _failure_reason(user: User | None, password: str) -> str:
    if user is None:
        return "unknown user"
    if not user.is_active:
        return "inactive user"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return "password too long"
    return "wrong password"


def _password_matches(password: str, password_hash: str | None) -> bool:
    """One bcrypt comparison whatever happens, so every failure takes as long."""
    candidate = password.encode("utf-8")
    if len(candidate) > MAX_PASSWORD_BYTES:  # bcrypt 5 refuses these; keep the time the same
        candidate, password_hash = b"", None
    try:
        stored = password_hash.encode("ascii") if password_hash else None
        if stored is not None:
            return bcrypt.checkpw(candidate, stored)
    except ValueError:  # a malformed stored hash must not crash the login page
        pass
    bcrypt.checkpw(candidate, _dummy_hash())
    return False


def password_matches(password: str, password_hash: str | None) -> bool:
    """The sign-in's password check (one bcrypt comparison whatever happens), for the
    customer portal's accounts too."""
    return _password_matches(password, password_hash)


def _throttled_message(until: datetime, now: datetime) -> str:
    return (f"Too many failed sign-ins: try again in {login_throttle.wait_text(until, now)}. "
            "An administrator can lift the wait.")


def record_logout(*, session: Session, user: UserInfo, session_id: str | None,
                  now: datetime | None = None) -> None:
    if session_id:
        sessions.revoke(session=session, session_id=session_id, reason="logout",
                        now=now or utcnow())
    audit.record(session=session, action="logout", user_id=user.id, username=user.username)


def record_cookie_login(*, session: Session, user: UserInfo) -> None:
    audit.record(session=session, action="login_cookie", user_id=user.id, username=user.username)


def authenticator_credentials(*, session: Session) -> dict[str, Any]:
    """Active users in the shape streamlit-authenticator expects (a fresh dict each call)."""
    users = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username))
    return {"usernames": {
        u.username.lower(): {
            "name": u.full_name, "email": u.email, "password": u.password_hash,
            "roles": [u.role],
        }
        for u in users
    }}


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    email: str
    role: str
    team: str | None
    is_active: bool
    last_login_at: datetime | None
    locked_until: datetime | None  # the longest sign-in wait on the account, if any
    failed_login_count: int
    team_id: int | None = None
    language: str = "en"
    version: int = 1
    must_change_password: bool = False
    is_team_lead: bool = False
    temporary_expires_at: datetime | None = None


def list_users(*, session: Session) -> list[UserRow]:
    until = func.max(LoginThrottle.blocked_until, type_=UTCDateTime()).label("until")
    waits = (select(LoginThrottle.user_id, until,
                    func.max(LoginThrottle.failures).label("failures"))
             .where(LoginThrottle.user_id.is_not(None)).group_by(LoginThrottle.user_id)
             .subquery())
    rows = session.execute(
        select(User, Team.name, waits.c.until, waits.c.failures)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(waits, waits.c.user_id == User.id).order_by(User.username)
    )
    return [
        UserRow(u.id, u.username, u.full_name, u.email, u.role, team, u.is_active,
                u.last_login_at, until, failures or 0, u.team_id, u.language, u.version,
                u.must_change_password, u.is_team_lead, u.temporary_expires_at)
        for u, team, until, failures in rows
    ]


def get_user_any(*, session: Session, username: str) -> UserRow | None:
    """An account by username, active or not (the command line changes either)."""
    user = _find(session, username)
    return get_row(session=session, user_id=user.id) if user is not None else None


def get_row(*, session: Session, user_id: int) -> UserRow | None:
    """One account as the admin pages show it (active or not)."""
    return next((u for u in list_users(session=session) if u.id == user_id), None)


def unlock(*, session: Session, user_id: int, by: UserInfo) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"No user with id {user_id}.")
    _unlock(session, user, by)


def unlock_by_username(*, session: Session, username: str) -> None:
    """The way in that always works: from the server's command line, the account's waits
    and every address's wait are lifted."""
    user = _find(session, username)
    if user is None:
        raise LookupError(f"No user named {username}.")
    _unlock(session, user, None)
    session.execute(login_throttle.delete_scope("client"))


def _unlock(session: Session, user: User, by: UserInfo | None) -> None:
    lifted = login_throttle.clear_user(session, user.id)
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None,
              "waits": lifted}
    user.locked_until = None
    user.failed_login_count = 0
    audit.record(session=session, action="account_unlocked", user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="user", entity_id=user.id,
                 before=before, after={"locked_until": None, "waits": 0})


def _by(by: UserInfo | None) -> dict[str, Any]:
    return {"user_id": by.id if by else None, "username": by.username if by else None}


def _problems(session: Session, *, user_id: int | None, full_name: str, email: str, role: str,
              language: str, team_id: int | None) -> list[str]:
    """What is wrong with an account's details, each in words (empty when nothing is)."""
    found = []
    if not full_name.strip():
        found.append("Enter the person's full name.")
    if not EMAIL.match(email):
        found.append("Enter a valid e-mail address, such as name@example.com.")
    elif session.scalar(select(User.id).where(func.lower(User.email) == email,
                                              User.id != (user_id or 0))) is not None:
        found.append(f"The e-mail address {email} is already in use by another account.")
    if role not in ROLES:
        found.append("Role must be one of: "
                     + ", ".join(labels.label("role", r) for r in ROLES) + ".")
    if language not in LANGUAGES:
        found.append("Language must be one of: "
                     + ", ".join(labels.label("language", code) for code in LANGUAGES) + ".")
    team = session.get(Team, team_id) if team_id is not None else None
    if team_id is not None and team is None:
        found.append("That team does not exist (any more): choose another.")
    elif team is not None and team.retired_at is not None:
        current = session.scalar(select(User.team_id).where(User.id == (user_id or 0)))
        if current != team_id:
            found.append(f"{team.name} is retired: choose another team.")
    return found


def _new_account(session: Session, *, username: str, full_name: str, email: str, role: str,
                 language: str, team_id: int | None, password: str | None,
                 by: UserInfo | None) -> tuple[User, str | None]:
    """Validate and add an account; without ``password`` it gets a temporary one, returned,
    that must be changed at the first sign-in."""
    username = normalise_username(username)
    email = email.strip().lower()
    found = []
    if not username or not username.replace(".", "").replace("-", "").isalnum():
        found.append("A username uses letters, digits, dots and hyphens only.")
    elif _find(session, username) is not None:
        found.append(f"The username {username} is taken.")
    found += _problems(session, user_id=None, full_name=full_name, email=email, role=role,
                       language=language, team_id=team_id)
    temporary = None
    if not found:
        try:
            if password is None:
                temporary = temporary_password()
                password_hash = _hash(temporary)
            else:
                password_hash = hash_password(password, username=username,
                                              hints=(full_name, email.split("@")[0]))
        except ValueError as exc:
            found.append(str(exc))
    if found:
        raise ValidationError(found)
    user = User(username=username, full_name=full_name.strip(), email=email, role=role,
                language=language, team_id=team_id, password_hash=password_hash,
                is_active=True, failed_login_count=0, version=1,
                must_change_password=temporary is not None,
                temporary_expires_at=utcnow() + TEMPORARY_VALID if temporary else None)
    session.add(user)
    session.flush()
    audit.record(session=session, action="user_created", **_by(by), entity_type="user",
                 entity_id=user.id, after={
                     "username": username, **_readable(session, {
                         "full_name": user.full_name, "email": email, "role": role,
                         "language": language, "team_id": team_id, "is_active": True}),
                     "must_change_password": temporary is not None})
    return user, temporary


def create_user(*, session: Session, username: str, full_name: str, email: str, role: str,
                password: str, language: str = "en", team_id: int | None = None,
                by: UserInfo | None = None) -> UserInfo:
    """Validate and add an account with the password given; raises ValidationError (a
    ValueError) listing what is wrong."""
    user, _ = _new_account(session, username=username, full_name=full_name, email=email,
                           role=role, language=language, team_id=team_id, password=password,
                           by=by)
    return _info(user)


def create_with_temporary_password(
    *, session: Session, username: str, full_name: str, email: str, role: str,
    language: str = "en", team_id: int | None = None, by: UserInfo | None = None,
) -> tuple[UserInfo, str]:
    """Add an account with a one-time password for the admin to pass on; the person chooses
    their own at the first sign-in."""
    user, temporary = _new_account(session, username=username, full_name=full_name,
                                   email=email, role=role, language=language, team_id=team_id,
                                   password=None, by=by)
    assert temporary is not None
    return _info(user), temporary


def temporary_password() -> str:
    """Four groups of four random characters (about 78 bits), e.g. ``k7mp-x3qd-9vhr-tc2w``."""
    while True:
        groups = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4))
                  for _ in range(4))
        candidate = "-".join(groups)
        try:
            validate_password(candidate)
        except ValueError:  # next to never: zxcvbn sees a word in it
            continue
        return candidate


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"No user with id {user_id}.")
    return user


def stale_message(session: Session, user_id: int) -> str:
    return changed_by(session, last_changes("user", user_id), "account", "the system")


def last_changes(entity_type: str, entity_id: int) -> Select[str, datetime]:
    """(who, when) of the audited changes to an entity, newest first."""
    return (select(func.coalesce(User.full_name, AuditLog.username), AuditLog.occurred_at)
            .outerjoin(User, User.id == AuditLog.user_id)
            .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id,
                   ~AuditLog.action.in_(("login", "login_cookie", "login_failed")))
            .order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()))


def _readable(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Values for the audit log: the team by name, never a password or its hash."""
    shown = {}
    for key, value in values.items():
        if key == "password_hash":
            continue
        if key == "team_id":
            shown["team"] = (session.scalar(select(Team.name).where(Team.id == value))
                             if value is not None else None)
        elif isinstance(value, datetime):
            shown[key] = value.isoformat()
        else:
            shown[key] = value
    return shown


def _stops_leading(user: User, values: dict[str, Any]) -> bool:
    """A lead who leaves the team, becomes a representative or is deactivated no longer
    leads it."""
    return user.is_team_lead and ("team_id" in values or values.get("role") == "rep"
                                  or values.get("is_active") is False)


def _lock_admins(session: Session) -> None:
    """PostgreSQL: two admins demoting each other at once wait for one another here, so the
    second sees the first's change (SQLite writes one at a time anyway)."""
    session.execute(select(User.id).where(User.role == "admin", User.is_active.is_(True))
                    .with_for_update()).all()


def _keep_an_admin(session: Session, user: User) -> None:
    """Checked after the write, so concurrent changes are counted too; the caller's
    transaction rolls the change back when it fails."""
    left = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.is_active.is_(True)))
    if not left:
        raise ValidationError([f"{user.full_name} is the last active administrator: make "
                               "someone else an administrator first, or nobody could manage "
                               "users any more."])


def _apply(session: Session, user: User, version: int | None, values: dict[str, Any],
           by: UserInfo | None, action: str, now: datetime | None,
           extra_after: dict[str, Any] | None = None) -> int:
    """Write a change over the version the admin saw, audit it with before and after, and
    end the account's sessions when its role, activity or password changed. Returns how
    many sessions ended."""
    now = now or utcnow()
    if _stops_leading(user, values):
        values = {**values, "is_team_lead": False}
    was_admin = user.role == "admin" and user.is_active
    loses_admin = was_admin and (values.get("role", "admin") != "admin"
                                 or values.get("is_active", True) is False)
    if loses_admin:
        _lock_admins(session)
    before = {key: getattr(user, key) for key in values}
    readable_before = _readable(session, before)
    write_if_unchanged(session, user, user.version if version is None else version,
                       lambda: stale_message(session, user.id), **values)
    if loses_admin:
        _keep_an_admin(session, user)
    ends = ("role" in values or values.get("is_active") is False or "password_hash" in values)
    ended = (sessions.revoke_all(session=session, user_id=user.id, reason=action[:20], now=now)
             if ends else 0)
    audit.record(session=session, action=action, **_by(by), entity_type="user",
                 entity_id=user.id, before=readable_before,
                 after={**_readable(session, values), **(extra_after or {}),
                        **({"sessions_ended": ended} if ends else {})})
    return ended


def update_user(*, session: Session, user_id: int, version: int | None, full_name: str,
                email: str, role: str, language: str, team_id: int | None,
                by: UserInfo | None, now: datetime | None = None) -> list[str]:
    """Save an account's details over ``version`` (None: whatever is stored, for the command
    line). Returns the names of the fields that changed; raises ValidationError or
    StaleEditError, and writes nothing then."""
    user = _account(session, user_id)
    email = email.strip().lower()
    full_name = full_name.strip()
    found = _problems(session, user_id=user.id, full_name=full_name, email=email, role=role,
                      language=language, team_id=team_id)
    wanted = {"full_name": full_name, "email": email, "role": role, "language": language,
              "team_id": team_id}
    values = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if "role" in values and by is not None and by.id == user.id:
        found.append("You cannot change your own role: another administrator can.")
    if found:
        raise ValidationError(found)
    if not values:
        if version is not None and version != user.version:
            raise_stale(session, user.id)
        return []
    action = "user_role_changed" if "role" in values else "user_updated"
    _apply(session, user, version, values, by, action, now)
    return list(values)


def raise_stale(session: Session, user_id: int) -> None:
    raise StaleEditError(stale_message(session, user_id))


def set_active(*, session: Session, user_id: int, active: bool, by: UserInfo | None,
               now: datetime | None = None, version: int | None = None) -> bool:
    """Deactivate (every session ends at its next click) or reactivate an account; False
    when it already was so."""
    user = _account(session, user_id)
    if by is not None and by.id == user.id and not active:
        raise ValidationError(["You cannot deactivate your own account: another "
                               "administrator can."])
    if user.is_active == active:
        if version is not None and version != user.version:
            raise_stale(session, user.id)
        return False
    _apply(session, user, version, {"is_active": active}, by,
           "user_activated" if active else "user_deactivated", now)
    return True


def set_role(*, session: Session, user_id: int, role: str, by: UserInfo | None,
             now: datetime | None = None, version: int | None = None) -> None:
    user = _account(session, user_id)
    update_user(session=session, user_id=user_id, version=version, full_name=user.full_name,
                email=user.email, role=role, language=user.language, team_id=user.team_id,
                by=by, now=now)


def set_password(*, session: Session, user_id: int, password: str, by: UserInfo | None,
                 now: datetime | None = None) -> None:
    """A new password (validated like any other); every session of the account ends."""
    user = _account(session, user_id)
    password_hash = hash_password(password, username=user.username,
                                  hints=(user.full_name, user.email.split("@")[0]))
    _apply(session, user, None, {"password_hash": password_hash, "must_change_password": False,
                                 "temporary_expires_at": None},
           by, "password_changed", now)


def reset_password(*, session: Session, user_id: int, by: UserInfo | None,
                   version: int | None = None, now: datetime | None = None) -> str:
    """A one-time temporary password, returned to be shown once: the account's sessions end
    and its next sign-in leads to nothing but choosing a new password."""
    user = _account(session, user_id)
    if by is not None and by.id == user.id:
        raise ValidationError(["You cannot reset your own password here: another "
                               "administrator can."])
    if not user.is_active:
        raise ValidationError([f"{user.full_name}'s account is deactivated: reactivate it "
                               "first."])
    temporary = temporary_password()
    expires = (now or utcnow()) + TEMPORARY_VALID
    _apply(session, user, version, {"password_hash": _hash(temporary),
                                    "must_change_password": True,
                                    "temporary_expires_at": expires},
           by, "password_reset", now, extra_after={"password": "temporary"})
    return temporary


def change_own_password(*, session: Session, user_id: int, session_id: str | None,
                        current: str, new: str, repeat: str, now: datetime | None = None
                        ) -> None:
    """The person's own new password (after a temporary one, or any time): the session they
    use stays open, every other one ends."""
    now = now or utcnow()
    user = _account(session, user_id)
    found = []
    if not _password_matches(current, user.password_hash):
        found.append("The current password is wrong.")
    if new != repeat:
        found.append("The two new passwords differ: type the same one twice.")
    elif new == current:
        found.append("Choose a new password, not the one you signed in with.")
    else:
        try:
            validate_password(new, username=user.username,
                              hints=(user.full_name, user.email.split("@")[0]))
        except ValueError as exc:
            found.append(str(exc))
    if found:
        raise ValidationError(found)
    before = {"must_change_password": user.must_change_password}
    write_if_unchanged(session, user, user.version, lambda: stale_message(session, user.id),
                       password_hash=_hash(new), must_change_password=False,
                       temporary_expires_at=None)
    others = session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
        UserSession.id != (session_id or "")).values(revoked_at=now,
                                                   revoked_reason="password_changed"))
    audit.record(session=session, action="password_changed_by_user", user_id=user.id,
                 username=user.username, entity_type="user", entity_id=user.id,
                 before=before, after={"must_change_password": False,
                                       "other_sessions_ended": int(others.rowcount or 0)})  # type: ignore[attr-defined]
