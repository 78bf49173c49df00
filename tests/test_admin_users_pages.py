"""Users & access and Teams under AppTest: only an admin reaches them; forms say what is
wrong in words, refuse stale edits, and a temporary password leads to a new one first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services import users
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Team, User
from tests import factories as f
from tests.app_support import (
    APP,
    PASSWORD,
    new_app,
    point_app_at,
    rendered,
    select_row,
    sign_in,
    titles,
)

PAGES = {"Users & access": "pages/users.py", "Teams": "pages/teams.py"}


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing", categories=["invoices"], languages=["fr", "nl"])
        f.team(s, "Orders", categories=["orders"], languages=["nl"])
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=billing.id)
        f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters", team_id=billing.id)
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    yield url


def _open(at: AppTest, title: str) -> AppTest:
    at.switch_page(f"../{PAGES[title]}").run()
    assert not at.exception, at.exception
    return at


def _row(at: AppTest, username: str) -> int:
    """The position of ``username`` in the users table (sorted by username)."""
    return list(at.dataframe[0].value["Username"]).index(username)


def _user_form(at: AppTest) -> str:
    """The key of the open account form (it carries the user id and the version seen)."""
    keys = [str(k) for k in at.session_state if str(k).startswith("admin_user_")
            and str(k).endswith("_name") and "seen" not in str(k)]
    assert len(keys) == 1, keys
    return keys[0].removesuffix("_name")


def _errors(at: AppTest) -> str:
    return " ".join(rendered(e.value) for e in at.error)


@pytest.mark.parametrize("role", ["rep", "lead"])
def test_a_rep_and_a_lead_cannot_reach_the_people_pages(app_db: str, role: str) -> None:
    at = sign_in(new_app(), role)
    assert "Today" in titles(at)
    for page in PAGES.values():
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../{page}")
    # Run directly, as if the navigation were bypassed: each page checks the role itself.
    for page in PAGES.values():
        direct = AppTest.from_file(str(APP.parent.parent / page), default_timeout=30)
        direct.session_state["authentication_status"] = True
        with Session(make_engine(app_db)) as s:
            direct.session_state["csol_user"] = users.get_user(session=s, username=role)
        direct.run()
        assert [e.value for e in direct.error] == ["You do not have access to this page."]
        assert not direct.dataframe and not direct.text_input


def test_an_admin_reaches_both_pages(app_db: str) -> None:
    at = sign_in(new_app(), "admin")
    assert "Users & access" in titles(_open(at, "Users & access"))
    assert list(at.dataframe[0].value["Name"]) == ["Claire Weber", "Marc Dubois",
                                                  "Sofie Peeters"]
    assert list(at.dataframe[0].value["Role"]) == ["Administrator", "Team lead",
                                                  "Representative"]
    assert "Teams" in titles(_open(at, "Teams"))
    assert list(at.dataframe[0].value["Team"]) == ["Billing", "Orders"]
    assert any("No team answers Contracts, Inventory & maintenance, Other" in w.value
               for w in at.warning)


def test_creating_a_user_says_what_is_wrong_then_hands_over_a_temporary_password(
        app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"), "Users & access")
    at.text_input(key="admin_new_name").input("Lena Schmit")
    at.text_input(key="admin_new_username").input("lena schmit")
    at.text_input(key="admin_new_email").input("lena-at-csol")
    at.button(key="FormSubmitter:admin_new_user-Create user").click().run()
    assert not at.exception
    said = _errors(at)
    assert "Not saved" in said and "letters, digits, dots and hyphens" in said
    assert "Enter a valid e-mail address" in said
    assert not at.code  # no password handed out for a refused account

    at.text_input(key="admin_new_username").input("lena.schmit")
    at.text_input(key="admin_new_email").input("lena@csol.example")
    with Session(make_engine(app_db)) as s:
        orders = s.scalars(select(Team.id).where(Team.name == "Orders")).one()
    at.selectbox(key="admin_new_team").select(orders)
    at.button(key="FormSubmitter:admin_new_user-Create user").click().run()
    assert not at.exception and not at.error
    assert len(at.code) == 1
    temporary = at.code[0].value
    assert "shown only this once" in rendered(at.success[0].value)
    at.run()  # any next click: it is gone
    assert not at.code

    with Session(make_engine(app_db)) as s:
        lena = s.scalars(select(User).where(User.username == "lena.schmit")).one()
        assert lena.must_change_password and lena.team is not None
        assert lena.team.name == "Orders"

    # Lena signs in with it and must choose her own password before anything else.
    person = sign_in(new_app(), "lena.schmit", temporary)
    assert not person.exception and "Choose a new password" in titles(person)
    person.run()  # as after the cookie component answers
    assert titles(person) == ["Choose a new password"]
    assert not person.dataframe
    person.text_input(key="new_password_current").input(temporary)
    person.text_input(key="new_password").input("qwertyuiop")
    person.text_input(key="new_password_repeat").input("qwertyuiop")
    person.button(key="FormSubmitter:forced_password_change-Save password").click().run()
    assert "too easy to guess" in _errors(person)
    assert titles(person) == ["Choose a new password"]
    person.text_input(key="new_password_current").input(temporary)
    person.text_input(key="new_password").input("orange tram quietly")
    person.text_input(key="new_password_repeat").input("orange tram quietly")
    person.button(key="FormSubmitter:forced_password_change-Save password").click().run()
    assert not person.exception
    assert "Today" in titles(person)
    assert "Today" in titles(sign_in(new_app(), "lena.schmit", "orange tram quietly"))


def test_an_edit_is_saved_and_a_stale_one_refused(app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"), "Users & access")
    select_row(at, "admin_users_table", _row(at, "rep"))
    at.run()
    form = _user_form(at)
    at.text_input(key=f"{form}_name").input("Sofie Peeters-Claes")
    at.selectbox(key=f"{form}_language").select("nl")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert not at.exception and not at.error
    assert "Sofie Peeters-Claes" in list(at.dataframe[0].value["Name"])
    assert "Dutch" in list(at.dataframe[0].value["Language"])

    # Someone else changes her while this form is open: saving over it is refused.
    form = _user_form(at)
    engine = make_engine(app_db)
    with Session(engine) as s, s.begin():
        rep = s.scalars(select(User).where(User.username == "rep")).one()
        admin = users.get_user(session=s, username="admin")
        users.update_user(session=s, user_id=rep.id, version=None, full_name=rep.full_name,
                          email="sofie@csol.example", role=rep.role, language=rep.language,
                          team_id=rep.team_id, by=admin)
    at.run()
    assert any("since you opened it" in rendered(w.value) for w in at.warning)
    at.text_input(key=f"{form}_name").input("Someone Else")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert "changed by Claire Weber" in _errors(at)
    with Session(engine) as s:
        assert s.scalars(select(User.full_name).where(User.username == "rep")).one() \
            == "Sofie Peeters-Claes"
    at.button(key="reload_admin_user_seen").click().run()
    assert not [w for w in at.warning if "since you opened it" in rendered(w.value)]
    assert at.text_input(key=f"{_user_form(at)}_email").value == "sofie@csol.example"


def test_an_admin_keeps_their_own_role_and_a_reset_shows_a_password_once(
        app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"), "Users & access")
    select_row(at, "admin_users_table", _row(at, "admin"))
    at.run()
    form = _user_form(at)
    at.selectbox(key=f"{form}_role").select("lead")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert "You cannot change your own role" in _errors(at)
    with Session(make_engine(app_db)) as s:
        assert s.scalars(select(User.role).where(User.username == "admin")).one() == "admin"

    select_row(at, "admin_users_table", _row(at, "rep"))
    at.run()
    reset = [b for b in at.button if str(b.key).startswith("admin_reset_")]
    reset[0].click().run()
    assert not at.exception and not at.error
    assert len(at.code) == 1 and "Sofie Peeters" in rendered(at.success[0].value)
    with Session(make_engine(app_db)) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "password_reset")).one()
        assert entry.username == "admin" and entry.after is not None
        assert at.code[0].value not in repr(entry.after)


def test_a_team_is_created_then_given_members_and_a_lead(app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"), "Teams")
    at.text_input(key="admin_new_team_name").input("billing")
    at.button(key="FormSubmitter:admin_new_team-Create team").click().run()
    assert "Another team is already called billing" in _errors(at)
    at.text_input(key="admin_new_team_name").input("Contracts")
    at.multiselect(key="admin_new_team_categories").select("contracts").select("inventory")
    at.multiselect(key="admin_new_team_languages").select("de")
    at.button(key="FormSubmitter:admin_new_team-Create team").click().run()
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value["Team"]) == ["Billing", "Contracts", "Orders"]
    assert not any("Contracts" in w.value for w in at.warning)

    select_row(at, "admin_teams_table", 1)
    at.run()
    keys = [str(k) for k in at.session_state if str(k).startswith("admin_team_")
            and str(k).endswith("_members")]
    assert len(keys) == 1
    form = keys[0].removesuffix("_members")
    with Session(make_engine(app_db)) as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
    at.multiselect(key=f"{form}_members").select(ids["rep"]).select(ids["lead"])
    at.selectbox(key=f"{form}_lead").select(ids["rep"])
    at.button(key=f"FormSubmitter:{form}-Save team").click().run()
    assert "Sofie Peeters is a representative" in _errors(at)
    at.selectbox(key=f"{form}_lead").select(ids["lead"])
    at.button(key=f"FormSubmitter:{form}-Save team").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["Lead"]) == ["—", "Marc Dubois", "—"]
    with Session(make_engine(app_db)) as s:
        team = s.scalars(select(Team).where(Team.name == "Contracts")).one()
        members = set(s.scalars(select(User.username).where(User.team_id == team.id)))
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "team_updated")).one()
    assert members == {"rep", "lead"}
    assert entry.before == {"lead": None, "members": []}
    assert entry.after == {"lead": "lead", "members": ["lead", "rep"]}


def test_a_role_change_signs_the_person_out_at_their_next_click(app_db: str) -> None:
    rep = sign_in(new_app(), "rep")
    assert "Today" in titles(rep)
    admin = _open(sign_in(new_app(), "admin"), "Users & access")
    select_row(admin, "admin_users_table", _row(admin, "rep"))
    admin.run()
    form = _user_form(admin)
    admin.selectbox(key=f"{form}_role").select("lead")
    admin.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert not admin.exception and not admin.error
    rep.run()
    assert "Today" not in titles(rep)
    assert rep.text_input(key="login_username") is not None
    sign_in(rep, "rep")
    assert "Today" in titles(rep) and rep.session_state["roles"] == ["lead"]


def test_a_team_without_members_is_retired_after_a_confirmation(app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"), "Teams")
    select_row(at, "admin_teams_table", 0)  # Billing: two members
    at.run()
    billing = next(b for b in at.button if str(b.key).endswith("_retire"))
    assert billing.disabled
    select_row(at, "admin_teams_table", 1)  # Orders: nobody
    at.run()
    retire = next(b for b in at.button if str(b.key).endswith("_retire"))
    assert not retire.disabled
    retire.click().run()
    assert any("Retire **Orders**" in rendered(m.value) for m in at.markdown)
    with Session(make_engine(app_db)) as s:
        assert s.scalars(select(Team).where(Team.name == "Orders")).one().retired_at is None
    next(b for b in at.button if str(b.key).endswith("_retire_yes")).click().run()
    assert not at.exception and not at.error
    assert "Team Orders retired; 0 open enquiries moved" in " ".join(
        rendered(t.value) for t in at.toast) + " ".join(rendered(m.value) for m in at.success)
    assert "Orders (retired)" in list(at.dataframe[0].value["Team"])
    with Session(make_engine(app_db)) as s:
        assert s.scalars(select(Team).where(Team.name == "Orders")).one().retired_at
    # A retired team is not offered for people any more.
    users_page = _open(at, "Users & access")
    assert "Orders" not in [users_page.selectbox(key="admin_new_team").format_func(o)
                            for o in users_page.selectbox(key="admin_new_team").options]


def test_a_person_changes_their_own_password_on_my_account(app_db: str) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/account.py").run()
    assert not at.exception
    assert "My account" in titles(at)
    assert any("Sofie Peeters" in rendered(m.value) for m in at.markdown)
    at.text_input(key="new_password_current").input("not my password")
    at.text_input(key="new_password").input("orange tram quietly")
    at.text_input(key="new_password_repeat").input("orange tram quietly")
    at.button(key="FormSubmitter:own_password_change-Save password").click().run()
    assert "The current password is wrong." in _errors(at)
    at.text_input(key="new_password_current").input(PASSWORD)
    at.button(key="FormSubmitter:own_password_change-Save password").click().run()
    assert not at.exception and not at.error
    assert "Today" in titles(sign_in(new_app(), "rep", "orange tram quietly"))
    with Session(make_engine(app_db)) as s:
        entry = s.scalars(select(AuditLog).where(
            AuditLog.action == "password_changed_by_user")).one()
    assert entry.username == "rep"
