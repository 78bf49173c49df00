"""Sign-in: password check, accounts and the audit trail (waits and sessions: test_sign_in)."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import users
from db.models import AuditLog, User
from tests import factories as f

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _actions(s: Session) -> list[str]:
    return list(s.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_right_password_signs_in_and_is_audited(session: Session) -> None:
    f.user(session, "sofie", "correct-horse-1", role="lead")
    result = users.attempt_login(session=session, username="  SOFIE ", password="correct-horse-1",
                                 now=NOW)
    assert result.ok and result.user is not None
    assert result.user.username == "sofie" and result.user.role == "lead"
    assert result.user.has_role("rep") and not result.user.has_role("admin")
    assert _actions(session) == ["login"]


def test_unknown_user_and_overlong_password_are_refused_and_audited(session: Session) -> None:
    f.user(session, "rep", "correct-horse-1")
    assert users.attempt_login(session=session, username="ghost", password="x" * 12,
                               now=NOW).message == "Wrong username or password."
    assert not users.attempt_login(session=session, username="rep", password="é" * 40,
                                   now=NOW).ok
    entries = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    # What was typed is not kept when it is no account: people type passwords there.
    assert [e.username for e in entries] == ["unknown user", "rep"]
    assert all(e.action == "login_failed" for e in entries)


def test_inactive_user_cannot_sign_in(session: Session) -> None:
    f.user(session, "gone", "correct-horse-1", is_active=False)
    assert not users.attempt_login(session=session, username="gone", password="correct-horse-1",
                                   now=NOW).ok


def test_create_user_validates(session: Session) -> None:
    users.create_user(session=session, username="Lena.Schmit", full_name="Lena Schmit",
                      email="Lena@csol.example", role="rep", password="long-enough-pw")
    stored = session.scalars(select(User)).one()
    assert stored.username == "lena.schmit" and stored.email == "lena@csol.example"
    for bad in ({"username": "lena.schmit"}, {"email": "nope"}, {"password": "short"},
                {"password": "x" * 73}, {"role": "boss"}):
        args = {"username": "other", "full_name": "Other", "email": "other@csol.example",
                "role": "rep", "password": "long-enough-pw", **bad}
        try:
            users.create_user(session=session, **args)
        except ValueError as exc:
            assert str(exc)
        else:
            raise AssertionError(f"accepted {bad}")


def test_authenticator_credentials_lists_active_users(session: Session) -> None:
    f.user(session, "rep", "correct-horse-1")
    f.user(session, "gone", "correct-horse-1", is_active=False)
    creds = users.authenticator_credentials(session=session)
    assert list(creds["usernames"]) == ["rep"]
    assert creds["usernames"]["rep"]["roles"] == ["rep"]
    assert creds["usernames"]["rep"]["password"].startswith("$2")
