"""Server-side sign-in sessions: the cookie carries a session id, the database decides.

A session ends on logout, when its user is deactivated or gets a new password or role, after
its absolute lifetime and after an idle spell. Whatever expiry a cookie claims (even one signed
with the real key and dated years ahead), a session this table does not hold open is over.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import User, UserSession

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
KNOWN_CLIENT_FOR = timedelta(days=90)  # a browser counts as known this long after a sign-in


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=60)


@dataclass(frozen=True)
class OpenSession:
    id: str
    user_id: int
    username: str
    expires_at: datetime


def start(*, session: Session, user_id: int, client_hash: str | None, policy: SessionPolicy,
          now: datetime) -> UserSession:
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user_id, client_hash=client_hash,
                      created_at=now, last_seen_at=now, expires_at=now + policy.lifetime)
    session.add(row)
    session.flush()
    return row


def check(*, session: Session, session_id: str, policy: SessionPolicy, now: datetime
          ) -> OpenSession | None:
    """The session while it holds (its last use noted); None once it is over."""
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        return None
    found = session.execute(
        select(UserSession, User.username, User.is_active)
        .join(User, User.id == UserSession.user_id).where(UserSession.id == session_id)
    ).first()
    if found is None:
        return None
    row, username, active = found
    if row.revoked_at is not None:
        return None
    ends = min(row.expires_at, row.created_at + policy.lifetime)
    reason = ("deactivated" if not active else "expired" if now >= ends
              else "idle" if now >= row.last_seen_at + policy.idle else None)
    if reason is not None:
        row.revoked_at, row.revoked_reason = now, reason
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return OpenSession(row.id, row.user_id, username, ends)


def revoke(*, session: Session, session_id: str, reason: str, now: datetime) -> None:
    session.execute(update(UserSession)
                    .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
                    .values(revoked_at=now, revoked_reason=reason))


def revoke_all(*, session: Session, user_id: int, reason: str, now: datetime) -> int:
    """End every open session of a user; returns how many were open."""
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user_id,
                                    UserSession.revoked_at.is_(None))
                             .values(revoked_at=now, revoked_reason=reason))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def is_known_client(*, session: Session, user_id: int, client_hash: str, now: datetime
                    ) -> bool:
    """Whether the user signed in from this browser within the last 90 days."""
    found = session.scalar(select(UserSession.id).where(
        UserSession.user_id == user_id, UserSession.client_hash == client_hash,
        UserSession.created_at >= now - KNOWN_CLIENT_FOR).limit(1))
    return found is not None


def open_count(*, session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None))) or 0)
