"""Failed sign-ins slow down further tries: per account and per client, kept in the database.

A sign-in from a browser on which the account has signed in before (a *known client*, told
by its client-id cookie) is counted on its own: a stranger's failures, from anywhere else,
never delay it. Any other sign-in counts against the account for unknown clients and against
the client's address (password spraying). After a few free failures each further one doubles
the wait, up to a ceiling; a success clears the account's count.

Counts live in ``login_throttles`` rather than in one process's memory (``limits`` keeps its
counters in memory, Redis or Memcached) so that several app servers on one database agree.
The rows hold keyed digests, never what was typed: people type passwords into the username box.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dashboard.services import audit
from db.models import LoginThrottle, Setting

DIGEST_KEY_SETTING = "sign_in_digest_key"
# Failures that cost nothing (typos), then the wait doubles from FIRST_DELAY up to MAX_DELAY.
FREE_FAILURES = {"account": 4, "account_client": 4, "client": 10}
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)  # a count with no failure for this long starts again
UNKNOWN_USER = "unknown user"  # what the audit says instead of a name that is no account


@dataclass(frozen=True)
class ClientIdentity:
    """Who is signing in, as far as the server can tell: the browser's client-id cookie
    (random, set at its first successful sign-in) and the connection's address."""

    client_id: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Bucket:
    scope: str
    key: str
    user_id: int | None


def digest(session: Session, *parts: str) -> str:
    """A keyed digest (HMAC-SHA256) under this installation's key, made on first use."""
    key = _digest_key(session)
    return hmac.new(key.encode("ascii"), "\x1f".join(parts).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def _digest_key(session: Session) -> str:
    found = session.get(Setting, DIGEST_KEY_SETTING)
    if found is not None:
        return str(found.value)
    insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert  # type: ignore[union-attr]
    session.execute(insert(Setting).values(key=DIGEST_KEY_SETTING,
                                           value=secrets.token_urlsafe(32))
                    .on_conflict_do_nothing(index_elements=["key"]))
    value = session.scalar(select(Setting.value).where(Setting.key == DIGEST_KEY_SETTING))
    return str(value)


def buckets(session: Session, *, typed_username: str, user_id: int | None,
            client: ClientIdentity, known_client: bool) -> list[Bucket]:
    """The counts this attempt is judged by (and adds to when it fails)."""
    if known_client and client.client_id:
        return [Bucket("account_client",
                       digest(session, "account_client", typed_username, client.client_id),
                       user_id)]
    return [Bucket("account", digest(session, "account", typed_username), user_id),
            Bucket("client", digest(session, "client", client.address or "no address"), None)]


def blocked_until(session: Session, judged_by: list[Bucket], now: datetime
                  ) -> tuple[Bucket, datetime] | None:
    """The bucket that holds this attempt back, and until when; None when it may go on."""
    rows = {row.key: row.blocked_until for row in session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_([b.key for b in judged_by])))}
    waits = [(b, rows[b.key]) for b in judged_by
             if rows.get(b.key) is not None and rows[b.key] > now]  # type: ignore[operator]
    return max(waits, key=lambda w: w[1]) if waits else None  # type: ignore[return-value,arg-type]


def delay_after(scope: str, failures: int) -> timedelta | None:
    """How long the next try waits after ``failures`` failures in a row; None: no wait."""
    over = failures - FREE_FAILURES[scope]
    if over <= 0:
        return None
    wait: timedelta = FIRST_DELAY * 2 ** min(over - 1, 16)
    return min(wait, MAX_DELAY)


def count_failure(session: Session, judged_by: list[Bucket], *, now: datetime,
                  username: str, user_id: int | None) -> datetime | None:
    """Add one failure to each bucket, atomically in SQL so parallel tries on several servers
    all count; audit every throttle that starts. Returns the longest wait now in force."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
    insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert  # type: ignore[union-attr]
    longest: datetime | None = None
    for bucket in judged_by:
        statement = insert(LoginThrottle).values(
            key=bucket.key, scope=bucket.scope, user_id=bucket.user_id, failures=1,
            last_failure_at=now, blocked_until=None)
        failures = session.execute(statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now,
                  "user_id": func.coalesce(LoginThrottle.user_id, bucket.user_id)},
        ).returning(LoginThrottle.failures)).scalar_one()
        wait = delay_after(bucket.scope, failures)
        if wait is None:
            continue
        until = now + wait
        session.execute(update(LoginThrottle).where(LoginThrottle.key == bucket.key)
                        .values(blocked_until=until))
        audit.record(session=session, action="login_throttled", user_id=None,
                     username=username, entity_type="user" if user_id else None,
                     entity_id=user_id,
                     after={"scope": bucket.scope, "failures": failures,
                            "wait_seconds": int(wait.total_seconds()),
                            "until": until.isoformat()})
        longest = until if longest is None or until > longest else longest
    return longest


def clear(session: Session, judged_by: list[Bucket]) -> None:
    """A success forgets the account's count (a client's count for other accounts stays)."""
    keys = [b.key for b in judged_by if b.scope != "client"]
    if keys:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def clear_user(session: Session, user_id: int) -> int:
    """Lift every wait on one account (the administrator's unlock)."""
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def wait_text(until: datetime, now: datetime) -> str:
    seconds = max(1, int(-(-(until - now).total_seconds() // 1)))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def delete_scope(scope: str) -> Any:
    return delete(LoginThrottle).where(LoginThrottle.scope == scope)
