"""The app as each role sees it (Streamlit AppTest): sign-in, lockout, navigation, pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.__main__ import main as dashboard_cli
from db.engine import make_engine
from db.migrate import upgrade
from db.models import UserSession
from tests import factories as f
from tests.app_support import APP, PASSWORD, new_app, point_app_at, sign_in, titles


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A small database the app is pointed at, outside demo mode."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing")
        rep = f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters",
                     team_id=billing.id)
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=billing.id)
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042",
                          vat_number="BE0403019261")
        f.contact(s, cust, email="anne.dupre@dupre.be")
        policy = f.sla_policy(s)
        f.enquiry(s, subject="Invoice copy please", customer_id=cust.id, assignee_id=rep.id,
                  team_id=billing.id, status="open", category="invoices",
                  sla_policy_id=policy.id, created_at=now - timedelta(days=3),
                  first_response_due_at=now - timedelta(days=2),
                  resolution_due_at=now - timedelta(hours=1))
        f.enquiry(s, subject="Delivery date?", customer_id=cust.id, team_id=billing.id,
                  status="new", sla_policy_id=policy.id, created_at=now,
                  first_response_due_at=now + timedelta(days=1),
                  resolution_due_at=now + timedelta(days=5))
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    yield url


def test_sign_in_page_without_demo_accounts_outside_demo_mode(app_db: str) -> None:
    at = new_app()
    at.run()
    assert not at.exception
    assert at.text_input(key="login_username").label == "Username"
    assert at.text_input(key="login_password").label == "Password"
    assert "Demo accounts" not in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(("username", "visible", "hidden"), [
    ("rep", ["Today"], ["Team overview", "Users & access"]),
    ("lead", ["Today", "Team overview"], ["Users & access"]),
    ("admin", ["Today", "Team overview", "Users & access"], []),
])
def test_each_role_signs_in_to_today(app_db: str, username: str, visible: list[str],
                                     hidden: list[str]) -> None:
    at = sign_in(new_app(), username)
    assert not at.exception
    assert "Today" in titles(at)
    at.run()  # a second run, as after the cookie component answers
    assert not at.exception and "Today" in titles(at)
    assert at.session_state["roles"] == [username]
    for title in visible:
        page = {"Today": "pages/today.py", "Team overview": "pages/team.py",
                "Users & access": "pages/users.py"}[title]
        at.switch_page(f"../{page}").run()
        assert not at.exception, at.exception
        assert title in titles(at)
    for title in hidden:
        page = {"Team overview": "pages/team.py", "Users & access": "pages/users.py"}[title]
        # Not in this role's navigation, so there is nothing to switch to.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../{page}")


@pytest.mark.parametrize(("page", "role"), [("team.py", "rep"), ("users.py", "rep"),
                                            ("users.py", "lead")])
def test_pages_check_the_role_themselves(app_db: str, page: str, role: str) -> None:
    """Run a page script directly, as if the navigation had been bypassed."""
    at = AppTest.from_file(str(APP.parent.parent / "pages" / page), default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = role
    from dashboard.services.users import UserInfo

    at.session_state["csol_user"] = UserInfo(1, role, role.title(), f"{role}@x", role, None,
                                             None)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.dataframe


def test_pages_refuse_anonymous_visitors(app_db: str) -> None:
    at = AppTest.from_file(str(APP.parent.parent / "pages" / "today.py"), default_timeout=30)
    at.run()
    assert [w.value for w in at.warning] == ["Please sign in."]
    assert not at.metric


def test_today_lists_my_enquiries_with_sla_state(app_db: str) -> None:
    at = sign_in(new_app(), "rep")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["My open enquiries"] == "1"
    assert metrics["Breached"] == "1"
    assert metrics["Unassigned in my team"] == "1"
    table = at.dataframe[0].value
    assert list(table["Subject"]) == ["Invoice copy please"]
    assert table["SLA"].iloc[0] == "🔴 Breached"


def test_wrong_password_says_so(app_db: str) -> None:
    at = sign_in(new_app(), "rep", "wrong-password")
    assert not at.exception
    assert any("Wrong username or password" in e.value for e in at.error)
    assert "Today" not in titles(at)


def test_repeated_failures_make_the_account_wait_until_the_cli_unlock(app_db: str) -> None:
    at = new_app()
    for _ in range(5):
        sign_in(at, "rep", "wrong-password")
    assert any("Too many failed sign-ins" in e.value for e in at.error)
    sign_in(at, "rep", PASSWORD)
    assert any("Too many failed sign-ins" in e.value for e in at.error)
    assert "Today" not in titles(at)
    # The page says how an administrator always gets in, and that way works.
    assert any("users unlock" in c.value for c in at.caption)
    assert dashboard_cli(["--database-url", app_db, "users", "unlock", "rep"]) == 0
    sign_in(at, "rep", PASSWORD)
    assert "Today" in titles(at)


def test_search_by_vat_spelling_opens_the_customer(app_db: str) -> None:
    at = sign_in(new_app(), "rep")
    at.text_input(key="today_search_query").input("0403.019.261")
    at.button(key="FormSubmitter:today_search_form-Search").click().run()
    assert not at.exception
    assert "Brasserie Dupré & Fils" in titles(at)
    assert at.query_params.get("c") == ["C100042"] or at.query_params.get("c") == "C100042"


def test_logout_returns_to_sign_in(app_db: str) -> None:
    at = sign_in(new_app(), "rep")
    at.button(key="logout_button").click().run()
    assert not at.exception
    assert at.text_input(key="login_username") is not None
    assert "Today" not in titles(at)


def test_an_idle_session_ends_on_the_server(app_db: str) -> None:
    at = sign_in(new_app(), "rep")
    assert "Today" in titles(at)
    engine = make_engine(app_db)
    with Session(engine) as s, s.begin():  # an hour and a bit without a click
        s.execute(update(UserSession).values(
            last_seen_at=datetime.now(UTC) - timedelta(minutes=61)))
    engine.dispose()
    at.run()
    assert "Today" not in titles(at)
    assert at.text_input(key="login_username") is not None


def test_an_admin_lifts_a_wait_on_users_and_access(app_db: str) -> None:
    stranger = new_app()
    for _ in range(5):
        sign_in(stranger, "lead", "wrong-password")
    sign_in(stranger, "nobody-here", "wrong-password")
    admin = sign_in(new_app(), "admin")
    admin.switch_page("../pages/users.py").run()
    assert not admin.exception
    lift = [b for b in admin.button if str(b.key).startswith("unlock_")]
    assert len(lift) == 1
    activity = admin.dataframe[-1].value
    assert "Sign-ins made to wait" in set(activity["Event"])
    assert "nobody-here" not in set(activity["User"]) and "unknown user" in set(activity["User"])
    lift[0].click().run()
    assert not admin.exception
    assert not [b for b in admin.button if str(b.key).startswith("unlock_")]
    assert "Today" in titles(sign_in(new_app(), "lead"))
