"""Sign-in: password check, lockout after five failures, and the audit trail."""

from datetime import UTC, datetime, timedelta

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


def test_wrong_password_counts_down_then_locks(session: Session) -> None:
    u = f.user(session, "rep", "correct-horse-1")
    for attempt in range(1, 5):
        result = users.attempt_login(session=session, username="rep", password="nope", now=NOW)
        assert not result.ok
        assert f"{5 - attempt} attempt" in result.message
    result = users.attempt_login(session=session, username="rep", password="nope", now=NOW)
    assert not result.ok and result.locked_until == NOW + timedelta(minutes=15)
    assert "locked" in result.message and "15 minutes" in result.message
    # Even the right password is refused while locked.
    later = NOW + timedelta(minutes=14)
    result = users.attempt_login(session=session, username="rep", password="correct-horse-1",
                                 now=later)
    assert not result.ok and "1 minute" in result.message
    # After 15 minutes the right password works again.
    result = users.attempt_login(session=session, username="rep", password="correct-horse-1",
                                 now=NOW + timedelta(minutes=15, seconds=1))
    assert result.ok
    session.flush()
    session.refresh(u)
    assert u.failed_login_count == 0 and u.locked_until is None
    assert _actions(session).count("login_failed") == 5
    assert "account_locked" in _actions(session)
    assert "login_refused_locked" in _actions(session)


def test_success_resets_the_failure_count(session: Session) -> None:
    u = f.user(session, "rep", "correct-horse-1")
    for _ in range(4):
        users.attempt_login(session=session, username="rep", password="nope", now=NOW)
    assert users.attempt_login(session=session, username="rep", password="correct-horse-1",
                               now=NOW).ok
    users.attempt_login(session=session, username="rep", password="nope", now=NOW)
    session.flush()
    session.refresh(u)
    assert u.failed_login_count == 1 and u.locked_until is None


def test_unknown_user_and_overlong_password_are_refused_and_audited(session: Session) -> None:
    f.user(session, "rep", "correct-horse-1")
    assert users.attempt_login(session=session, username="ghost", password="x" * 12,
                               now=NOW).message == "Wrong username or password."
    assert not users.attempt_login(session=session, username="rep", password="é" * 40,
                                   now=NOW).ok
    entries = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [e.username for e in entries] == ["ghost", "rep"]
    assert all(e.action == "login_failed" for e in entries)


def test_inactive_user_cannot_sign_in(session: Session) -> None:
    f.user(session, "gone", "correct-horse-1", is_active=False)
    assert not users.attempt_login(session=session, username="gone", password="correct-horse-1",
                                   now=NOW).ok


def test_unlock_lifts_the_lock(session: Session) -> None:
    admin = f.user(session, "admin", "correct-horse-1", role="admin")
    u = f.user(session, "rep", "correct-horse-1", locked_until=NOW + timedelta(minutes=10))
    by = users.get_user(session=session, username="admin")
    assert by is not None and by.id == admin.id
    users.unlock(session=session, user_id=u.id, by=by)
    assert users.attempt_login(session=session, username="rep", password="correct-horse-1",
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


def test_a_cookie_is_refused_only_after_a_later_logout(session: Session) -> None:
    f.user(session, "rep", "correct-horse-1")
    user = users.get_user(session=session, username="rep")
    assert user is not None
    users.record_logout(session=session, user=user)
    session.flush()
    logged_out = session.scalars(select(AuditLog.occurred_at)).one()
    # A cookie issued after the logout (a new sign-in) still works; an older one does not.
    assert not users.logged_out_since(session=session, username="rep",
                                      since=logged_out + timedelta(seconds=1))
    assert users.logged_out_since(session=session, username="REP",
                                  since=logged_out - timedelta(seconds=1))
