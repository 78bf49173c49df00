"""The SLA policies, business calendar and settings pages per role (Streamlit AppTest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services import sla
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Enquiry, Setting, SlaPolicy
from tests import factories as f
from tests.app_support import APP, PASSWORD, new_app, point_app_at, rendered, sign_in, titles

PAGES = {"SLA policies": "pages/sla_policies.py", "Business calendar":
         "pages/business_calendar.py", "Settings": "pages/settings.py"}


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing")
        f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters", team_id=team.id)
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=team.id)
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        policy = f.sla_policy(s, "normal", 240, 1530)
        created = now - timedelta(days=1)
        f.enquiry(s, subject="Invoice copy please", team_id=team.id, status="open",
                  channel="email", sla_policy_id=policy.id, created_at=created,
                  **sla.deadlines(created, policy).values())
    point_app_at(url, tmp_path, monkeypatch)
    yield engine
    engine.dispose()


def page_titles(at: AppTest) -> list[str]:
    return titles(at)


def errors(at: AppTest) -> str:
    return " ".join(rendered(e.value) for e in at.error)


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize(("username", "reachable"), [
    ("rep", []),
    ("lead", ["SLA policies"]),
    ("admin", ["SLA policies", "Business calendar", "Settings"]),
])
def test_each_role_reaches_what_section_4_gives_it(app_db: Engine, username: str,
                                                   reachable: list[str]) -> None:
    at = sign_in(new_app(), username)
    assert not at.exception
    for title, page in PAGES.items():
        if title in reachable:
            at.switch_page(f"../{page}").run()
            assert not at.exception, at.exception
            assert title in page_titles(at)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"../{page}")


@pytest.mark.parametrize(("page", "role"), [("sla_policies.py", "rep"),
                                            ("business_calendar.py", "lead"),
                                            ("settings.py", "lead"), ("settings.py", "rep")])
def test_the_pages_check_the_role_themselves(app_db: Engine, page: str, role: str) -> None:
    from dashboard.services.users import UserInfo

    at = AppTest.from_file(str(APP.parent.parent / "pages" / page), default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = role
    at.session_state["csol_user"] = UserInfo(1, role, role.title(), f"{role}@x", role, None,
                                             None)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.dataframe and not at.button


def open_page(username: str, title: str) -> AppTest:
    at = sign_in(new_app(), username)
    at.switch_page(f"../{PAGES[title]}").run()
    assert not at.exception, at.exception
    return at


def test_a_lead_edits_a_policy_sees_what_it_moves_and_a_stale_edit_is_refused(
        app_db: Engine) -> None:
    at = open_page("lead", "SLA policies")
    assert list(at.dataframe[0].value["Policy"]) == ["normal 240/1530"]
    assert at.dataframe[0].value["Open enquiries"].iloc[0] == 1
    with Session(app_db) as s:
        policy_id = s.scalar(select(SlaPolicy.id))
    at.selectbox(key="sla_policy_choice").set_value(policy_id).run()
    # Refused in words: resolution shorter than first response.
    at.number_input[1].set_value(100)
    button(at, "Save").click().run()
    assert "cannot be shorter than the first-response target" in errors(at)
    # The preview of a halved resolution target: the open enquiry's due time moves.
    at.number_input[1].set_value(765)
    button(at, "Preview").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Due times move"] == "1"
    with Session(app_db) as s:
        assert s.get(SlaPolicy, policy_id).resolution_minutes == 1530  # not saved by a preview
    # Someone else saves in between: this form's save is refused, nothing overwritten.
    with Session(app_db) as s, s.begin():
        s.execute(update(SlaPolicy).values(version=SlaPolicy.version + 1,
                                           first_response_minutes=200))
    button(at, "Save").click().run()
    assert "This policy was changed by someone else" in errors(at)
    with Session(app_db) as s:
        assert s.get(SlaPolicy, policy_id).resolution_minutes == 1530


def test_a_saved_policy_is_audited_and_open_due_times_follow_after_the_preview(
        app_db: Engine) -> None:
    at = open_page("lead", "SLA policies")
    with Session(app_db) as s:
        policy_id = s.scalar(select(SlaPolicy.id))
        due_before = s.scalar(select(Enquiry.resolution_due_at))
    at.selectbox(key="sla_policy_choice").set_value(policy_id).run()
    at.number_input[1].set_value(3060)
    button(at, "Save").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "sla_policy_changed")).one()
        assert (row.before, row.after) == ({"resolution_minutes": 1530},
                                           {"resolution_minutes": 3060})
        assert row.username == "lead"
    button(at, "Preview the new due times").click().run()
    assert {m.label: m.value for m in at.metric}["Due times move"] == "1"
    button(at, "Apply to 1 enquiries").click().run()
    assert not at.exception
    with Session(app_db) as s:
        assert s.scalar(select(Enquiry.resolution_due_at)) > due_before
        assert s.scalars(select(AuditLog).where(AuditLog.action == "sla_recomputed")).one()


def test_an_admin_changes_the_calendar_and_it_is_in_force_at_the_next_run(
        app_db: Engine) -> None:
    at = open_page("admin", "Business calendar")
    at.text_input(key="cal_opens_0").input("8:00")
    button(at, "Save the calendar").click().run()
    assert "Monday: write the times as HH:MM" in errors(at)
    at.text_input(key="cal_opens_0").input("07:00")
    at.checkbox(key="cal_open_5").check()
    button(at, "Save the calendar").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as s:
        saved = s.get(Setting, "calendar")
        assert saved is not None and saved.value["hours"][0] == ["07:00", "17:00"]
        assert saved.value["hours"][5] == ["08:30", "17:00"]
    from dashboard import business_calendar

    assert business_calendar.active().hours[5] is not None  # Saturdays open, no restart
    button(at, "Preview the new due times").click().run()
    assert not at.exception
    assert "Due times move" in {m.label for m in at.metric}


def test_settings_validate_and_save_with_the_version_seen(app_db: Engine) -> None:
    at = open_page("admin", "Settings")
    assert at.text_input(key="company_name").value == "CSOL IT Solutions NV"
    at.text_input(key="company_name").input("")
    button(at, "Save the company").click().run()
    assert "Company name is needed" in errors(at)
    at.text_input(key="company_name").input("Support Org BV")
    button(at, "Save the company").click().run()
    assert not at.error
    with Session(app_db) as s:
        assert s.get(Setting, "company").value["name"] == "Support Org BV"
    # The at-risk share: out of range, then saved; a stale form is refused.
    at.number_input(key="at_risk_percent").set_value(150)
    next(b for b in at.button if b.label == "Save" and "settings_sla" in str(b.form_id)) \
        .click().run()
    assert "whole percentage from 0 to 100" in errors(at)
    with Session(app_db) as s, s.begin():
        s.add(Setting(key="sla_at_risk_percent", value=30, version=1))
    at.number_input(key="at_risk_percent").set_value(40)
    next(b for b in at.button if b.label == "Save" and "settings_sla" in str(b.form_id)) \
        .click().run()
    assert "changed by someone else" in errors(at)
    with Session(app_db) as s:
        assert s.get(Setting, "sla_at_risk_percent").value == 30
