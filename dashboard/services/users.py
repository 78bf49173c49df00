"""Users, roles and sign-in: password check, throttling, sessions and the audit of all three."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import bcrypt
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from zxcvbn import zxcvbn

from dashboard.services import audit, login_throttle, sessions
from dashboard.services.login_throttle import UNKNOWN_USER, ClientIdentity
from dashboard.services.sessions import SessionPolicy
from db.models import ROLES, LoginThrottle, Team, User
from db.types import UTCDateTime, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
# zxcvbn's 0-4 scale: 0-2 are the common passwords and near variants of them (up to about
# 10^8 guesses), e.g. "password123", "Summer2026!", "qwertyuiop".
MIN_PASSWORD_SCORE = 3
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
WRONG = "Wrong username or password."


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    email: str
    role: str
    team_id: int | None
    team_name: str | None

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
    account.last_login_at = now
    opened = sessions.start(session=session, user_id=account.id, client_hash=client_hash,
                            policy=policy, now=now)
    audit.record(session=session, action="login", user_id=account.id, username=account.username,
                 entity_type="user", entity_id=account.id,
                 after={"client": "known" if known else "unknown"})
    return LoginResult(_info(account), session_id=opened.id,
                       session_expires_at=opened.expires_at)


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
                u.last_login_at, until, failures or 0)
        for u, team, until, failures in rows
    ]


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


def create_user(*, session: Session, username: str, full_name: str, email: str, role: str,
                password: str, language: str = "en", team_id: int | None = None,
                by: UserInfo | None = None) -> UserInfo:
    """Validate and add an account; raises ValueError saying what is wrong."""
    username = normalise_username(username)
    email = email.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").isalnum():
        raise ValueError("A username uses letters, digits, dots and hyphens only.")
    if role not in ROLES:
        raise ValueError(f"Role must be one of {', '.join(ROLES)}.")
    if "@" not in email:
        raise ValueError("Enter a valid e-mail address.")
    if not full_name.strip():
        raise ValueError("Enter the person's full name.")
    if _find(session, username) is not None:
        raise ValueError(f"The username {username} is taken.")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ValueError(f"The e-mail address {email} is already in use.")
    password_hash = hash_password(password, username=username,
                                  hints=(full_name, email.split("@")[0]))
    user = User(username=username, full_name=full_name.strip(), email=email, role=role,
                language=language, team_id=team_id, password_hash=password_hash,
                is_active=True, failed_login_count=0)
    session.add(user)
    session.flush()
    audit.record(session=session, action="user_created", user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="user", entity_id=user.id,
                 after={"username": username, "role": role, "email": email})
    return _info(user)


def _account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"No user with id {user_id}.")
    return user


def _changed(session: Session, user: User, by: UserInfo | None, action: str,
             before: dict[str, Any], after: dict[str, Any], now: datetime | None) -> None:
    """Audit a change to an account and end its sessions: whoever holds one signs in anew."""
    ended = sessions.revoke_all(session=session, user_id=user.id, reason=action[:20],
                                now=now or utcnow())
    audit.record(session=session, action=action, user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="user", entity_id=user.id,
                 before=before, after={**after, "sessions_ended": ended})


def set_active(*, session: Session, user_id: int, active: bool, by: UserInfo | None,
               now: datetime | None = None) -> None:
    user = _account(session, user_id)
    if by is not None and by.id == user.id and not active:
        raise ValueError("You cannot deactivate your own account.")
    if user.is_active == active:
        return
    user.is_active = active
    _changed(session, user, by, "user_activated" if active else "user_deactivated",
             {"is_active": not active}, {"is_active": active}, now)


def set_role(*, session: Session, user_id: int, role: str, by: UserInfo | None,
             now: datetime | None = None) -> None:
    if role not in ROLES:
        raise ValueError(f"Role must be one of {', '.join(ROLES)}.")
    user = _account(session, user_id)
    if by is not None and by.id == user.id and role != user.role:
        raise ValueError("You cannot change your own role.")
    if user.role == role:
        return
    before = user.role
    user.role = role
    _changed(session, user, by, "user_role_changed", {"role": before}, {"role": role}, now)


def set_password(*, session: Session, user_id: int, password: str, by: UserInfo | None,
                 now: datetime | None = None) -> None:
    """A new password (validated like any other); every session of the account ends."""
    user = _account(session, user_id)
    user.password_hash = hash_password(password, username=user.username,
                                       hints=(user.full_name, user.email.split("@")[0]))
    _changed(session, user, by, "password_changed", {}, {}, now)
