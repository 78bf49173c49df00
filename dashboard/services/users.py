"""Users, roles and sign-in: password check, lockout and the audit of both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import bcrypt
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard.services import audit
from db.models import ROLES, Team, User
from db.types import utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


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
    locked_until: datetime | None = None

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
        select(User).where(func.lower(User.username) == normalise_username(username))
    ).first()


def get_user(*, session: Session, username: str) -> UserInfo | None:
    user = _find(session, username)
    return _info(user) if user and user.is_active else None


def hash_password(password: str) -> str:
    validate_password(password)
    # The same bcrypt format streamlit-authenticator reads back for cookie logins.
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def validate_password(password: str) -> None:
    if len(password) < 10:
        raise ValueError("A password needs at least 10 characters.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(f"A password can be at most {MAX_PASSWORD_BYTES} bytes long.")


def attempt_login(
    *, session: Session, username: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a password; count failures and lock the account after five in a row.

    The caller commits: the failure count and the audit rows must be saved even when the
    login is refused.
    """
    now = now or utcnow()
    typed = normalise_username(username)
    if not typed or not password:
        return LoginResult(None, "Enter your username and password.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        audit.record(session=session, action="login_failed", username=typed,
                     after={"reason": "password too long"})
        return LoginResult(None, "Wrong username or password.")
    user = _find(session, typed)
    if user is None or not user.is_active:
        audit.record(session=session, action="login_failed", username=typed,
                     after={"reason": "unknown or inactive user"})
        return LoginResult(None, "Wrong username or password.")
    if user.locked_until and user.locked_until > now:
        audit.record(session=session, action="login_refused_locked", user_id=user.id,
                     username=user.username)
        return LoginResult(None, _locked_message(user.locked_until, now), user.locked_until)
    if not _password_matches(password, user.password_hash):
        return _record_failure(session, user, now)
    before = {"failed_login_count": user.failed_login_count}
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session=session, action="login", user_id=user.id, username=user.username,
                 entity_type="user", entity_id=user.id, before=before)
    return LoginResult(_info(user))


def _password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:  # a malformed stored hash must not crash the login page
        return False


def _record_failure(session: Session, user: User, now: datetime) -> LoginResult:
    # Counted in SQL so two wrong attempts at the same moment both count.
    session.execute(
        update(User).where(User.id == user.id)
        .values(failed_login_count=User.failed_login_count + 1)
    )
    session.refresh(user)
    audit.record(session=session, action="login_failed", user_id=user.id, username=user.username,
                 after={"failed_login_count": user.failed_login_count})
    if user.failed_login_count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_login_count = 0
        audit.record(session=session, action="account_locked", user_id=user.id,
                     username=user.username, entity_type="user", entity_id=user.id,
                     after={"locked_until": user.locked_until.isoformat()})
        return LoginResult(None, _locked_message(user.locked_until, now), user.locked_until)
    left = MAX_FAILED_LOGINS - user.failed_login_count
    return LoginResult(
        None,
        f"Wrong username or password. {left} attempt{'s' if left != 1 else ''} left before "
        f"the account is locked for {LOCKOUT.seconds // 60} minutes.",
    )


def _locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((locked_until - now).total_seconds()) // 60))
    return (
        f"This account is locked after {MAX_FAILED_LOGINS} failed sign-in attempts. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator "
        "to unlock it."
    )


def record_logout(*, session: Session, user: UserInfo) -> None:
    audit.record(session=session, action="logout", user_id=user.id, username=user.username)


def logged_out_since(*, session: Session, username: str, since: datetime) -> bool:
    """Whether the user logged out after ``since``: a remember-me cookie issued before
    that is no longer honoured, even if the browser never deleted it."""
    from db.models import AuditLog

    found = session.scalar(
        select(AuditLog.id).where(AuditLog.action == "logout",
                                  AuditLog.username == normalise_username(username),
                                  AuditLog.occurred_at >= since).limit(1))
    return found is not None


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
    locked_until: datetime | None
    failed_login_count: int


def list_users(*, session: Session) -> list[UserRow]:
    rows = session.execute(
        select(User, Team.name).outerjoin(Team, Team.id == User.team_id).order_by(User.username)
    )
    return [
        UserRow(u.id, u.username, u.full_name, u.email, u.role, team, u.is_active,
                u.last_login_at, u.locked_until, u.failed_login_count)
        for u, team in rows
    ]


def unlock(*, session: Session, user_id: int, by: UserInfo) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"No user with id {user_id}.")
    _unlock(session, user, by)


def unlock_by_username(*, session: Session, username: str) -> None:
    user = _find(session, username)
    if user is None:
        raise LookupError(f"No user named {username}.")
    _unlock(session, user, None)


def _unlock(session: Session, user: User, by: UserInfo | None) -> None:
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None,
              "failed_login_count": user.failed_login_count}
    user.locked_until = None
    user.failed_login_count = 0
    audit.record(session=session, action="account_unlocked", user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="user", entity_id=user.id,
                 before=before, after={"locked_until": None, "failed_login_count": 0})


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
    user = User(username=username, full_name=full_name.strip(), email=email, role=role,
                language=language, team_id=team_id, password_hash=hash_password(password),
                is_active=True, failed_login_count=0)
    session.add(user)
    session.flush()
    audit.record(session=session, action="user_created", user_id=by.id if by else None,
                 username=by.username if by else None, entity_type="user", entity_id=user.id,
                 after={"username": username, "role": role, "email": email})
    return _info(user)

