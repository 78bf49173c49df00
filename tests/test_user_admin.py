"""Administering people (services, on SQLite and PostgreSQL): accounts and teams are
validated, versioned, audited with before and after; the last admin stays; role changes and
deactivations end sessions; temporary passwords force a new one."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.__main__ import main as dashboard_cli
from dashboard.services import enquiries, sessions, teams, users
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.sessions import SessionPolicy
from dashboard.services.users import UserInfo
from db.models import AuditLog, User
from tests import factories as f

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-1"


def _info(s: Session, username: str) -> UserInfo:
    found = users.get_user(session=s, username=username)
    assert found is not None
    return found


def _last(s: Session, action: str) -> AuditLog:
    row = s.scalars(select(AuditLog).where(AuditLog.action == action)
                    .order_by(AuditLog.id.desc())).first()
    assert row is not None, action
    return row


def _signed_in(s: Session, username: str, password: str = PASSWORD) -> str:
    result = users.attempt_login(session=s, username=username, password=password, now=NOW)
    assert result.ok and result.session_id, result.message
    return result.session_id


def _holds(s: Session, session_id: str) -> bool:
    return sessions.check(session=s, session_id=session_id, policy=SessionPolicy(),
                          now=NOW) is not None


@pytest.fixture
def desk(session: Session) -> Session:
    billing = f.team(session, "Billing", categories=["invoices"], languages=["fr", "nl"])
    f.team(session, "Orders", categories=["orders"], languages=["nl"])
    f.user(session, "admin", PASSWORD, role="admin", full_name="Claire Weber")
    f.user(session, "rep", PASSWORD, role="rep", full_name="Sofie Peeters",
           team_id=billing.id)
    f.user(session, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=billing.id)
    session.commit()
    return session


def _edit(s: Session, username: str, by: UserInfo, **changes: object) -> list[str]:
    row = users.get_user_any(session=s, username=username)
    assert row is not None
    values: dict[str, object] = {"full_name": row.full_name, "email": row.email,
                                 "role": row.role, "language": row.language,
                                 "team_id": row.team_id, "version": row.version}
    values.update(changes)
    return users.update_user(session=s, user_id=row.id, by=by, now=NOW, **values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- accounts


def test_a_new_account_gets_a_temporary_password_that_must_be_changed(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    orders = teams.team_id_by_name(session=s, name="orders")
    info, temporary = users.create_with_temporary_password(
        session=s, username="Lena.Schmit", full_name="Lena Schmit", email="lena@csol.example",
        role="rep", language="de", team_id=orders, by=admin)
    s.commit()
    assert info.team_id == orders and info.language == "de" and info.must_change_password
    assert len(temporary) == 19 and temporary not in repr(s.scalars(select(AuditLog)).all())
    created = _last(s, "user_created")
    assert created.user_id == admin.id and created.after is not None
    assert created.after["team"] == "Orders" and created.after["must_change_password"] is True

    session_id = _signed_in(s, "lena.schmit", temporary)
    lena = _info(s, "lena.schmit")
    assert lena.must_change_password
    with pytest.raises(ValidationError) as refused:
        users.change_own_password(session=s, user_id=lena.id, session_id=session_id,
                                  current="wrong", new="password123", repeat="password124",
                                  now=NOW)
    assert refused.value.problems == ["The current password is wrong.",
                                      "The two new passwords differ: type the same one twice."]
    with pytest.raises(ValidationError, match="too easy to guess"):
        users.change_own_password(session=s, user_id=lena.id, session_id=session_id,
                                  current=temporary, new="password123", repeat="password123",
                                  now=NOW)
    with pytest.raises(ValidationError, match="not the one you signed in with"):
        users.change_own_password(session=s, user_id=lena.id, session_id=session_id,
                                  current=temporary, new=temporary, repeat=temporary, now=NOW)
    elsewhere = _signed_in(s, "lena.schmit", temporary)
    users.change_own_password(session=s, user_id=lena.id, session_id=session_id,
                              current=temporary, new="orange tram quietly",
                              repeat="orange tram quietly", now=NOW)
    s.commit()
    assert not _info(s, "lena.schmit").must_change_password
    assert _holds(s, session_id) and not _holds(s, elsewhere)
    assert not users.attempt_login(session=s, username="lena.schmit", password=temporary,
                                   now=NOW).ok
    changed = _last(s, "password_changed_by_user")
    assert changed.before == {"must_change_password": True}
    assert changed.after == {"must_change_password": False, "other_sessions_ended": 1}


def test_account_details_are_validated_in_words(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    with pytest.raises(ValidationError) as refused:
        _edit(s, "rep", admin, full_name="  ", email="rep-at-nowhere", role="boss",
              language="xx", team_id=9999)
    assert refused.value.problems == [
        "Enter the person's full name.",
        "Enter a valid e-mail address, such as name@example.com.",
        "Role must be one of: Representative, Team lead, Administrator.",
        "Language must be one of: Dutch, French, German, English.",
        "That team does not exist (any more): choose another."]
    with pytest.raises(ValidationError, match="already in use by another account"):
        _edit(s, "rep", admin, email="LEAD@csol.example")
    with pytest.raises(ValidationError, match="Full name can be at most 120"):
        _edit(s, "rep", admin, full_name="N" * 121)
    with pytest.raises(ValidationError, match="username lead is taken"):
        users.create_with_temporary_password(session=s, username="LEAD", full_name="Other",
                                             email="other@csol.example", role="rep", by=admin)
    s.rollback()
    assert _info(s, "rep").full_name == "Sofie Peeters"


def test_an_edit_is_audited_with_before_and_after_and_a_stale_one_is_refused(
        desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    rep = users.get_user_any(session=s, username="rep")
    assert rep is not None
    orders = teams.team_id_by_name(session=s, name="Orders")
    session_id = _signed_in(s, "rep")
    changed = _edit(s, "rep", admin, full_name="Sofie Peeters-Claes", language="nl",
                    team_id=orders)
    s.commit()
    assert changed == ["full_name", "language", "team_id"]
    entry = _last(s, "user_updated")
    assert entry.entity_id == rep.id and entry.username == "admin"
    assert entry.before == {"full_name": "Sofie Peeters", "language": "en", "team": "Billing"}
    assert entry.after == {"full_name": "Sofie Peeters-Claes", "language": "nl",
                           "team": "Orders"}
    assert _holds(s, session_id)  # a new name or team does not sign anyone out
    assert _info(s, "rep").team_id == orders

    # A second admin's form, opened on the old version, is refused and names who changed it.
    with pytest.raises(StaleEditError, match=r"changed by Claire Weber at .* reload"):
        users.update_user(session=s, user_id=rep.id, version=rep.version, full_name="X Y",
                          email=rep.email, role=rep.role, language=rep.language,
                          team_id=rep.team_id, by=admin, now=NOW)
    s.rollback()
    for stale in (lambda: users.set_active(session=s, user_id=rep.id, active=False, by=admin,
                                           version=rep.version, now=NOW),
                  lambda: users.reset_password(session=s, user_id=rep.id, by=admin,
                                               version=rep.version, now=NOW)):
        with pytest.raises(StaleEditError):
            stale()
        s.rollback()
    assert _info(s, "rep").full_name == "Sofie Peeters-Claes"


def test_a_role_change_and_a_deactivation_end_the_sessions(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    rep_id = _info(s, "rep").id
    first = _signed_in(s, "rep")
    assert _edit(s, "rep", admin, role="lead") == ["role"]
    assert not _holds(s, first)
    role = _last(s, "user_role_changed")
    assert role.before == {"role": "rep"} and role.after == {"role": "lead", "sessions_ended": 1}

    second = _signed_in(s, "rep")
    assert users.set_active(session=s, user_id=rep_id, active=False, by=admin, now=NOW)
    assert not _holds(s, second)
    gone = _last(s, "user_deactivated")
    assert gone.before == {"is_active": True}
    assert gone.after == {"is_active": False, "sessions_ended": 1}
    assert not users.attempt_login(session=s, username="rep", password=PASSWORD, now=NOW).ok
    assert users.set_active(session=s, user_id=rep_id, active=True, by=admin, now=NOW)
    assert _last(s, "user_activated").after == {"is_active": True}
    assert users.attempt_login(session=s, username="rep", password=PASSWORD, now=NOW).ok


def test_a_password_reset_is_shown_once_ends_sessions_and_forces_a_change(
        desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    rep_id = _info(s, "rep").id
    session_id = _signed_in(s, "rep")
    temporary = users.reset_password(session=s, user_id=rep_id, by=admin, now=NOW)
    s.commit()
    assert not _holds(s, session_id)
    assert not users.attempt_login(session=s, username="rep", password=PASSWORD, now=NOW).ok
    assert users.attempt_login(session=s, username="rep", password=temporary, now=NOW).ok
    assert _info(s, "rep").must_change_password
    entry = _last(s, "password_reset")
    assert entry.before == {"must_change_password": False, "temporary_expires_at": None}
    assert entry.after == {"must_change_password": True, "password": "temporary",
                           "temporary_expires_at": (NOW + users.TEMPORARY_VALID).isoformat(),
                           "sessions_ended": 1}
    assert "$2" not in repr(entry.after) and temporary not in repr(entry.after)
    with pytest.raises(ValidationError, match="cannot reset your own password"):
        users.reset_password(session=s, user_id=admin.id, by=admin, now=NOW)


def test_a_temporary_password_expires_and_a_new_reset_gives_a_fresh_one(desk: Session
                                                                        ) -> None:
    s = desk
    admin = _info(s, "admin")
    rep_id = _info(s, "rep").id
    temporary = users.reset_password(session=s, user_id=rep_id, by=admin, now=NOW)
    s.commit()
    last_minute = NOW + users.TEMPORARY_VALID - timedelta(minutes=1)
    assert users.attempt_login(session=s, username="rep", password=temporary,
                               now=last_minute).ok
    late = users.attempt_login(session=s, username="rep", password=temporary,
                               now=NOW + users.TEMPORARY_VALID)
    assert not late.ok and late.message == users.EXPIRED
    assert _last(s, "login_refused_temporary_expired").user_id == rep_id
    row = users.get_row(session=s, user_id=rep_id)
    assert row is not None and row.temporary_expires_at == NOW + users.TEMPORARY_VALID
    # A fresh reset signs in again; the person's own password then never expires.
    later = NOW + timedelta(days=10)
    fresh = users.reset_password(session=s, user_id=rep_id, by=admin, now=later)
    signed = users.attempt_login(session=s, username="rep", password=fresh, now=later)
    assert signed.ok
    users.change_own_password(session=s, user_id=rep_id, session_id=signed.session_id,
                              current=fresh, new="orange tram quietly",
                              repeat="orange tram quietly", now=later)
    assert _info(s, "rep").must_change_password is False
    years = later + timedelta(days=800)
    assert users.attempt_login(session=s, username="rep", password="orange tram quietly",
                               now=years).ok


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    # Nobody else is an admin: the command line (no signed-in admin) cannot remove the last.
    with pytest.raises(ValidationError, match="last active administrator"):
        _edit(s, "admin", None, role="lead")  # type: ignore[arg-type]
    s.rollback()
    with pytest.raises(ValidationError, match="last active administrator"):
        users.set_active(session=s, user_id=admin.id, active=False, by=None, now=NOW)
    s.rollback()
    assert _info(s, "admin").role == "admin"
    # With a second admin, one of them may go; then the other is the last again.
    _edit(s, "lead", admin, role="admin")
    s.commit()
    second = _info(s, "lead")
    assert users.set_active(session=s, user_id=admin.id, active=False, by=second, now=NOW)
    s.commit()
    with pytest.raises(ValidationError, match="Marc Dubois is the last active administrator"):
        users.set_active(session=s, user_id=second.id, active=False, by=None, now=NOW)
    s.rollback()
    with pytest.raises(ValidationError, match="cannot change your own role"):
        _edit(s, "lead", second, role="rep")
    s.rollback()
    assert _info(s, "lead").role == "admin"


def test_two_admins_demoting_each_other_at_once_leave_one(engine: Engine) -> None:
    """Each demotes the other in a transaction of its own, the second while the first is
    still open: the second waits for the first and is then refused."""
    with Session(engine) as s, s.begin():
        one = users._info(f.user(s, "one", PASSWORD, role="admin", full_name="Admin One"))
        two = users._info(f.user(s, "two", PASSWORD, role="admin", full_name="Admin Two"))
    outcome: dict[str, str] = {}

    def demote_one() -> None:
        with Session(engine) as b:
            try:
                with b.begin():
                    users.set_role(session=b, user_id=one.id, role="rep", by=two, now=NOW)
                outcome["second"] = "saved"
            except ValidationError as exc:
                outcome["second"] = str(exc)

    with Session(engine) as a:
        a.begin()
        users.set_role(session=a, user_id=two.id, role="rep", by=one, now=NOW)
        other = threading.Thread(target=demote_one)
        other.start()
        other.join(1.0)
        assert other.is_alive(), outcome  # held up by the first, still open
        a.commit()
    other.join(15)
    assert "Admin One is the last active administrator" in outcome["second"]
    with Session(engine) as s:
        roles = dict(s.execute(select(User.username, User.role)).all())
    assert roles == {"one": "admin", "two": "rep"}


# --------------------------------------------------------------------------- teams


def test_a_team_is_created_and_routes_at_once(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    with pytest.raises(ValidationError) as refused:
        teams.create_team(session=s, name="  ", categories=["bogus"], languages=["xx"],
                          by=admin)
    assert refused.value.problems == ["Enter the team's name.", "Unknown categories: bogus.",
                                      "Unknown languages: xx."]
    with pytest.raises(ValidationError, match="Another team is already called billing"):
        teams.create_team(session=s, name="billing", by=admin)
    assert enquiries.route_team(session=s, category="contracts", language="de") is None
    assert teams.unrouted_categories(session=s) == ["contracts", "inventory", "other"]
    team_id = teams.create_team(session=s, name="Contracts DE", categories=["contracts"],
                                languages=["de"], by=admin)
    assert enquiries.route_team(session=s, category="contracts", language="de") == team_id
    entry = _last(s, "team_created")
    assert entry.after == {"name": "Contracts DE", "categories": ["contracts"],
                           "languages": ["de"]}


def test_a_team_without_members_is_retired_its_queue_rerouted_and_it_can_come_back(
        desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    billing_id = teams.team_id_by_name(session=s, name="Billing")
    orders_id = teams.team_id_by_name(session=s, name="Orders")
    old = teams.create_team(session=s, name="Orders BE", categories=["contracts", "orders"],
                            languages=["de"], by=admin)
    waiting = f.enquiry(s, team_id=old, category="orders", language="nl", status="open")
    done = f.enquiry(s, team_id=old, category="orders", language="nl", status="closed")
    unrouted = f.enquiry(s, team_id=old, category="contracts", language="de",
                         status="pending_customer")
    invoices = f.enquiry(s, team_id=old, category="invoices", language="fr", status="new")
    s.commit()
    assert enquiries.route_team(session=s, category="contracts", language="de") == old
    # Members first: an active member keeps the team.
    _edit(s, "rep", admin, team_id=old)
    with pytest.raises(ValidationError, match="still has 1 active member"):
        teams.retire_team(session=s, team_id=old, version=None, by=admin, now=NOW)
    s.rollback()
    _edit(s, "rep", admin, team_id=billing_id)
    version = teams.get_team(session=s, team_id=old).version  # type: ignore[union-attr]
    with pytest.raises(StaleEditError):
        teams.retire_team(session=s, team_id=old, version=version - 1, by=admin, now=NOW)
    s.rollback()
    assert teams.retire_team(session=s, team_id=old, version=version, by=admin, now=NOW) == 3
    s.commit()
    s.expire_all()
    assert (waiting.team_id, invoices.team_id, unrouted.team_id, done.team_id) == (
        orders_id, billing_id, None, old)
    assert enquiries.route_team(session=s, category="contracts", language="de") is None
    assert "contracts" in teams.unrouted_categories(session=s)
    entry = _last(s, "team_retired")
    assert entry.after["open_enquiries_moved"] == {"Orders": 1, "Billing": 1, "no team": 1}
    assert sorted(entry.after["references"]) == sorted(
        [waiting.reference, invoices.reference, unrouted.reference])
    with pytest.raises(ValidationError, match="Orders BE is retired: choose another team"):
        _edit(s, "lead", admin, team_id=old)
    s.rollback()
    with pytest.raises(ValidationError, match="reinstate it before changing it"):
        teams.update_team(session=s, team_id=old, version=None, name="Orders BE",
                          categories=["orders"], languages=["nl"], member_ids=[],
                          lead_id=None, by=admin)
    s.rollback()
    teams.reinstate_team(session=s, team_id=old, version=None, by=admin)
    s.commit()
    assert _last(s, "team_reinstated").after == {"retired": False}
    assert enquiries.route_team(session=s, category="contracts", language="de") == old


def test_members_lead_and_routing_are_saved_versioned_and_audited(desk: Session) -> None:
    s = desk
    admin = _info(s, "admin")
    billing = teams.get_team(session=s, team_id=teams.team_id_by_name(session=s,
                                                                     name="Billing"))
    orders_id = teams.team_id_by_name(session=s, name="Orders")
    assert billing is not None
    rep, lead = _info(s, "rep"), _info(s, "lead")

    def save(version: int | None, **changes: object) -> bool:
        values: dict[str, object] = {
            "name": "Billing", "categories": ["invoices"], "languages": ["fr", "nl"],
            "member_ids": [rep.id, lead.id], "lead_id": None}
        values.update(changes)
        return teams.update_team(session=s, team_id=billing.id, version=version, by=admin,
                                 **values)  # type: ignore[arg-type]

    with pytest.raises(ValidationError) as refused:
        save(billing.version, name="Orders", categories=["nope"], lead_id=admin.id)
    assert refused.value.problems == ["Another team is already called Orders.",
                                      "Unknown categories: nope.",
                                      "The lead must be one of the team's members."]
    with pytest.raises(ValidationError, match="Sofie Peeters is a representative"):
        save(billing.version, lead_id=rep.id)
    assert save(billing.version) is False  # nothing changed

    assert save(billing.version, name="Billing & Payments", categories=["invoices", "other"],
                member_ids=[lead.id, admin.id], lead_id=lead.id)
    s.commit()
    entry = _last(s, "team_updated")
    assert entry.before == {"name": "Billing", "categories": ["invoices"], "lead": None,
                            "members": ["lead", "rep"]}
    assert entry.after == {"name": "Billing & Payments", "categories": ["invoices", "other"],
                           "lead": "lead", "members": ["admin", "lead"]}
    saved = teams.get_team(session=s, team_id=billing.id)
    assert saved is not None and saved.lead_name == "Marc Dubois"
    assert [m.username for m in saved.members] == ["admin", "lead"]
    assert _info(s, "rep").team_id is None
    assert enquiries.route_team(session=s, category="other", language="en") == billing.id

    # The form opened before that save is refused; whoever saved is named.
    with pytest.raises(StaleEditError, match="This team was changed by Claire Weber"):
        save(billing.version, name="Stale")
    s.rollback()

    # The lead moved to another team stops leading this one.
    _edit(s, "lead", admin, team_id=orders_id)
    s.commit()
    moved = teams.get_team(session=s, team_id=billing.id)
    assert moved is not None and moved.lead_id is None
    assert _last(s, "user_updated").after == {"team": "Orders", "is_team_lead": False}


def test_the_command_line_creates_in_a_team_and_updates(engine: Engine,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    with Session(engine) as s, s.begin():
        f.team(s, "Billing")
        f.user(s, "admin", PASSWORD, role="admin")
    url = engine.url
    if engine.dialect.name == "postgresql":  # the command line's own engine, on this schema
        with engine.connect() as conn:
            schema = conn.exec_driver_sql("SHOW search_path").scalar()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)  # type: ignore[assignment]
    monkeypatch.setattr("sys.stdin", io.StringIO("orange tram quietly\n"))
    assert dashboard_cli(["--database-url", url, "users", "create", "lena", "--role", "rep",
                          "--name", "Lena Schmit", "--email", "lena@csol.example", "--team",
                          "billing", "--password-stdin"]) == 0
    assert dashboard_cli(["--database-url", url, "users", "create", "jan", "--role", "rep",
                          "--name", "Jan", "--email", "jan@csol.example", "--team", "Nope",
                          "--password-stdin"]) == 2
    assert "No team called Nope (teams: Billing)" in capsys.readouterr().err
    assert dashboard_cli(["--database-url", url, "users", "update", "lena", "--role", "lead",
                          "--language", "fr", "--no-team"]) == 0
    assert "Updated lena: role, language, team_id." in capsys.readouterr().out
    assert dashboard_cli(["--database-url", url, "users", "update", "lena",
                          "--inactive"]) == 0
    assert dashboard_cli(["--database-url", url, "users", "update", "admin",
                          "--role", "rep"]) == 2
    assert "last active administrator" in capsys.readouterr().err
    with Session(engine) as s:
        lena = s.scalars(select(User).where(User.username == "lena")).one()
        assert (lena.role, lena.language, lena.team_id, lena.is_active) == ("lead", "fr",
                                                                            None, False)
        actions = [a for a in s.scalars(select(AuditLog.action).order_by(AuditLog.id))]
    assert actions == ["user_created", "user_role_changed", "user_deactivated"]
