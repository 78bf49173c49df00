"""The remember-me cookie's token, checked strictly before anything else reads it.

The cookie is an HS256 JWT ``{"username": str, "exp_date": seconds, "sid": str}``; ``sid`` names
the server-side session (``services.sessions``), which alone decides whether it still holds. Any
other shape — another algorithm (``none``, HS512), a wrong signature, an expiry that is not a
number, a missing or empty username, a token that is not a JWT at all — means "signed out".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

ALGORITHM = "HS256"


@dataclass(frozen=True)
class SessionClaims:
    username: str
    expires_at: datetime
    session_id: str


def issue(*, username: str, session_id: str, expires_at: datetime, key: str) -> str:
    return jwt.encode({"username": username, "exp_date": expires_at.timestamp(),
                       "sid": session_id}, key, algorithm=ALGORITHM)


def verify(token: str | None, key: str, *, now: datetime) -> SessionClaims | None:
    """The token's claims when it is ours, well formed and not expired; else None."""
    if not token:
        return None
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            return None
        claims = jwt.decode(token, key, algorithms=[ALGORITHM],
                            options={"require": [], "verify_exp": False})
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    username, expiry = claims.get("username"), claims.get("exp_date")
    session_id = claims.get("sid")
    if not isinstance(username, str) or not username.strip():
        return None
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
        return None
    if isinstance(expiry, bool) or not isinstance(expiry, int | float) or not math.isfinite(expiry):
        return None
    try:
        expires_at = datetime.fromtimestamp(expiry, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if expires_at <= now:
        return None
    return SessionClaims(username, expires_at, session_id)
