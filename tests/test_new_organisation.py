"""A new support organisation is set up in the console alone, from an empty database and the
first administrator: company, calendar, a team, a colleague, an SLA policy, a canned reply and
the intake. Then a customer's online form lands in that team's queue, on that policy's clock,
assigned to that colleague, who sees the reply offered in the customer's language."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.__main__ import main as dashboard_cli
from dashboard.intake import webform
from dashboard.services import calendar as calendar_service
from dashboard.services.sla import deadlines
from db.engine import make_engine
from db.models import (
    AuditLog,
    CannedReply,
    Enquiry,
    OutboundMessage,
    Setting,
    SlaPolicy,
    Team,
    User,
)
from db.types import utcnow
from tests.app_support import new_app, point_app_at, rendered, sign_in, titles

ADMIN_PASSWORD = "granite owl parade 7"
REP_PASSWORD = "orange tram quietly"


def _errors(at: AppTest) -> str:
    return " ".join(rendered(e.value) for e in at.error)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"../pages/{page}").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    point_app_at(url, tmp_path, monkeypatch)
    # The one step outside the console: the schema and the first administrator.
    assert dashboard_cli(["db", "upgrade"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    assert dashboard_cli(["users", "create", "alice", "--role", "admin", "--name",
                          "Alice Janssens", "--email", "alice@support.example",
                          "--password-stdin"]) == 0
    return url


def test_a_new_organisation_is_configured_in_the_console_alone(empty: str) -> None:
    engine = make_engine(empty)
    with Session(engine) as s:
        assert s.scalar(select(Team.id)) is None and s.scalar(select(SlaPolicy.id)) is None
        assert s.scalar(select(CannedReply.id)) is None
    at = sign_in(new_app(), "alice", ADMIN_PASSWORD)
    assert not at.exception and "Today" in titles(at)

    # 1. The company printed on documents.
    _go(at, "settings.py")
    at.text_input(key="company_name").input("Helpdesk Liège SRL")
    _button(at, "Save the company").click().run()
    assert not at.exception and not at.error, _errors(at)

    # 2. The calendar: open from 08:00 on Mondays, and a bridge day closed.
    _go(at, "business_calendar.py")
    at.text_input(key="cal_opens_0").input("08:00")
    _button(at, "Save the calendar").click().run()
    assert not at.exception and not at.error, _errors(at)
    bridge = date.today() + timedelta(days=30)
    at.date_input[0].set_value(bridge)
    next(t for t in at.text_input if t.label == "Why").input("Bridge day")
    _button(at, "Add the closure").click().run()
    assert not at.exception and not at.error, _errors(at)

    # 3. A team that answers invoices in French.
    _go(at, "teams.py")
    at.text_input(key="admin_new_team_name").input("Facturation")
    at.multiselect(key="admin_new_team_categories").select("invoices")
    at.multiselect(key="admin_new_team_languages").select("fr")
    at.button(key="FormSubmitter:admin_new_team-Create team").click().run()
    assert not at.exception and not at.error, _errors(at)
    assert list(at.dataframe[0].value["Team"]) == ["Facturation"]
    with Session(engine) as s:
        team_id = s.scalars(select(Team.id).where(Team.name == "Facturation")).one()

    # 4. A colleague in it, with a temporary password she replaces at once.
    _go(at, "users.py")
    at.text_input(key="admin_new_name").input("Julie Lambert")
    at.text_input(key="admin_new_username").input("julie")
    at.text_input(key="admin_new_email").input("julie@support.example")
    at.selectbox(key="admin_new_team").select(team_id)
    at.button(key="FormSubmitter:admin_new_user-Create user").click().run()
    assert not at.exception and not at.error, _errors(at)
    temporary = at.code[0].value
    julie = sign_in(new_app(), "julie", temporary)
    julie.run()  # as after the cookie component answers
    assert titles(julie) == ["Choose a new password"]
    julie.text_input(key="new_password_current").input(temporary)
    julie.text_input(key="new_password").input(REP_PASSWORD)
    julie.text_input(key="new_password_repeat").input(REP_PASSWORD)
    julie.button(key="FormSubmitter:forced_password_change-Save password").click().run()
    assert not julie.exception and "Today" in titles(julie)

    # 5. The SLA policy for normal priority: answer within 2 business hours.
    _go(at, "sla_policies.py")
    assert any("No policies yet" in i.value for i in at.info)
    at.text_input[0].input("Normal")
    at.number_input[0].set_value(120)
    at.number_input[1].set_value(1020)
    _button(at, "Save").click().run()
    assert not at.exception and not at.error, _errors(at)

    # 6. A canned reply, in the four languages.
    _go(at, "canned_replies.py")
    assert any("No canned replies yet" in i.value for i in at.info)
    at.selectbox(key="canned_pick").set_value("new").run()
    prefix = "canned_new_v0"
    at.text_input(key=f"{prefix}_name").input("Invoice copy")
    words = {"en": ("Your invoice", "Dear {contact_name}, here is your invoice."),
             "fr": ("Votre facture", "Chère, cher {contact_name}, voici votre facture."),
             "nl": ("Uw factuur", "Beste {contact_name}, hier is uw factuur."),
             "de": ("Ihre Rechnung", "Sehr geehrte(r) {contact_name}, anbei Ihre Rechnung.")}
    for code, (subject, body) in words.items():
        at.text_input(key=f"{prefix}_subject_{code}").input(subject)
        at.text_area(key=f"{prefix}_body_{code}").input(body)
    at.button(key=f"{prefix}_save").click().run()
    assert not at.exception and not at.error, _errors(at)

    # 7. The intake: the address mail comes to, and new enquiries assigned automatically.
    _go(at, "intake_settings.py")
    at.text_input(key="intake_v0_address").input("aide@support.example")
    at.toggle(key="intake_v0_auto").set_value(True)
    at.button(key="intake_v0_save").click().run()
    assert not at.exception and not at.error, _errors(at)

    # Everything is saved and audited, by the administrator.
    with Session(engine) as s:
        assert s.get_one(Setting, "company").value["name"] == "Helpdesk Liège SRL"
        assert s.get_one(Setting, "intake_address").value == "aide@support.example"
        hours = calendar_service.load(session=s).hours
        assert hours[0] is not None and hours[0][0].strftime("%H:%M") == "08:00"
        assert [c.day for c in calendar_service.closures(session=s)] == [bridge]
        policy = s.scalars(select(SlaPolicy)).one()
        assert (policy.priority, policy.first_response_minutes) == ("normal", 120)
        julie_id = s.scalars(select(User.id).where(User.username == "julie")).one()
        actions = set(s.scalars(select(AuditLog.action).where(
            AuditLog.username == "alice")))
    assert {"team_created", "user_created", "canned_reply_created",
            "intake_settings_changed"} <= actions

    # A customer writes in French: the enquiry is Facturation's, on the new clock, Julie's.
    now = utcnow()
    with Session(engine) as s:  # it commits the enquiry, then queues the acknowledgement
        reference = webform.submit_online_form(s, webform.OnlineForm(
            topic="invoices", name="Marie Dupont", email="marie@client.example", phone="",
            customer_number="", subject="Copie de facture",
            message="Pouvez-vous me renvoyer la facture de novembre ?",
            document="INV-2026-000123"), "fr", now)
    with Session(engine) as s:
        enquiry = s.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        assert (enquiry.team_id, enquiry.sla_policy_id, enquiry.assignee_id) == (
            team_id, policy.id, julie_id)
        assert enquiry.first_response_due_at == deadlines(
            enquiry.created_at, policy).first_response_due_at
        ack = s.scalars(select(OutboundMessage).where(
            OutboundMessage.enquiry_id == enquiry.id)).one()
        assert reference in ack.subject + ack.body_text
    engine.dispose()

    # Julie opens it and finds the reply offered.
    julie.query_params["e"] = reference
    _go(julie, "enquiry.py")
    shown = [*julie.title, *julie.header, *julie.subheader, *julie.markdown]
    assert any("Copie de facture" in rendered(t.value) for t in shown)
    offered = [str(o) for box in julie.selectbox for o in box.options]
    assert any("Invoice copy" in o for o in offered), offered
