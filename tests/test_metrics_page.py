"""The enquiry metrics page under AppTest: roles, every range preset and filter, drill-down.

The page script runs directly (``AppTest.from_file(pages/metrics.py)``) with the signed-in
user in session state, as the navigation would run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.business_calendar import BRUSSELS, is_business_day
from dashboard.services import metrics
from dashboard.services.metrics import Drill
from dashboard.services.users import UserInfo
from dashboard.ui import metrics as metrics_ui
from db.engine import make_engine
from db.migrate import upgrade
from tests import factories as f
from tests.app_support import point_app_at

PAGE = Path(__file__).resolve().parent.parent / "pages" / "metrics.py"
ACCESS_DENIED = "You do not have access to this page."


def business_days_back(count: int) -> date:
    """The business day ``count`` business days before the last one before today."""
    day = datetime.now(BRUSSELS).date() - timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    for _ in range(count):
        day -= timedelta(days=1)
        while not is_business_day(day):
            day -= timedelta(days=1)
    return day


# Billing's enquiries, received at 10:00 this many business days before the last business
# day, each answered 30 business minutes later. 25 back is outside the last 30 days.
BACK = (25, 6, 2, 0)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, UserInfo]]:
    """Two teams, three roles, and enquiries from the last few weeks up to now."""
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        billing, logistics = f.team(s, "Billing"), f.team(s, "Logistics")
        rep = f.user(s, "rep", full_name="Sofie Peeters", team_id=billing.id)
        lead = f.user(s, "lead", role="lead", full_name="Marc Dubois", team_id=billing.id)
        admin = f.user(s, "admin", role="admin", full_name="Claire Weber")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042")
        policy = f.sla_policy(s)
        for days, status in zip(BACK, ("closed", "resolved", "open", "new"), strict=True):
            created = datetime.combine(business_days_back(days), time(10),
                                       tzinfo=BRUSSELS).astimezone(UTC)
            done = status in ("closed", "resolved")
            f.enquiry(s, subject=f"Invoice copy {days}", customer_id=cust.id,
                      assignee_id=rep.id, team_id=billing.id, status=status,
                      category="invoices", channel="email", sla_policy_id=policy.id,
                      created_at=created, first_response_at=created + timedelta(minutes=30),
                      resolved_at=created + timedelta(hours=2) if done else None,
                      first_response_due_at=created + timedelta(hours=4),
                      resolution_due_at=created + timedelta(days=1))
        f.enquiry(s, subject="Where is my order?", team_id=logistics.id, status="new",
                  channel="phone", created_at=now - timedelta(hours=2))
        s.flush()
        people = {"rep": info(rep, "Billing"), "lead": info(lead, "Billing"),
                  "admin": info(admin, None)}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    yield people


def info(user, team: str | None) -> UserInfo:  # type: ignore[no-untyped-def]
    return UserInfo(user.id, user.username, user.full_name, user.email, user.role,
                    user.team_id, team)


def page_as(user: UserInfo) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user.username
    at.session_state["csol_user"] = user
    return at.run()


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_representative_cannot_see_the_metrics(desk: dict[str, UserInfo]) -> None:
    at = page_as(desk["rep"])
    assert not at.exception
    assert [e.value for e in at.error] == [ACCESS_DENIED]
    assert not at.metric and not at.get("plotly_chart")


def test_anonymous_visitors_are_asked_to_sign_in(desk: dict[str, UserInfo]) -> None:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert [w.value for w in at.warning] == ["Please sign in."]
    assert not at.metric


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_leads_and_admins_see_kpis_charts_and_definitions(desk: dict[str, UserInfo],
                                                          role: str) -> None:
    at = page_as(desk[role])
    assert not at.exception, at.exception
    values = metric_values(at)
    assert set(values) == {
        "Received", "Resolved", "Backlog now", "SLA met, first response",
        "SLA met, resolution", "First response, median", "First response, p90",
        "Resolution, median", "Resolution, p90", "Reopen rate"}
    # Last 30 days. The lead starts on their team (Billing); the admin sees both teams.
    assert values["Received"] == ("3" if role == "lead" else "4")
    assert values["First response, median"] == "30 min"
    team = at.selectbox(key=metrics_ui.TEAM).value
    assert (team.name if team else None) == ("Billing" if role == "lead" else None)
    assert len(at.get("plotly_chart")) == 9
    assert any("How these are measured" in e.label for e in at.expander)
    assert "Belgian public holidays" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("preset", metrics.PRESETS)
def test_every_range_preset_renders(desk: dict[str, UserInfo], preset: str) -> None:
    at = page_as(desk["lead"])
    at.segmented_control(key=metrics_ui.PRESET).set_value(preset).run()
    assert not at.exception, at.exception
    if preset == "custom":
        six_back = business_days_back(6)
        at.date_input(key=metrics_ui.CUSTOM_RANGE).set_value(
            (six_back - timedelta(days=1), six_back)).run()
        assert not at.exception, at.exception
        assert metric_values(at)["Received"] == "1"
        assert "Backlog on" in " ".join(metric_values(at))
    assert "Received" in metric_values(at)


def test_every_filter_renders(desk: dict[str, UserInfo]) -> None:
    at = page_as(desk["admin"])
    assert at.selectbox(key=metrics_ui.TEAM).value is None           # all teams
    at.selectbox(key=metrics_ui.TEAM).select_index(2).run()          # Logistics
    assert not at.exception and metric_values(at)["Received"] == "1"
    at.selectbox(key=metrics_ui.TEAM).select_index(0).run()       # All teams
    at.selectbox(key=metrics_ui.PERSON).select_index(3).run()        # Sofie Peeters
    assert not at.exception and metric_values(at)["Received"] == "3"
    for key, values in ((metrics_ui.CHANNEL, ["email", "fax"]),
                        (metrics_ui.CATEGORY, ["invoices"]),
                        (metrics_ui.PRIORITY, ["normal", "urgent"]),
                        (metrics_ui.SEGMENT, ["small_business"])):
        at.multiselect(key=key).set_value(values).run()
        assert not at.exception, (key, at.exception)
    assert metric_values(at)["Received"] == "3"
    at.multiselect(key=metrics_ui.SEGMENT).set_value(["enterprise"]).run()
    assert not at.exception and metric_values(at)["Received"] == "0"


@pytest.mark.parametrize("kind", metrics_ui.KPI_DRILLS)
def test_every_kpi_lists_its_enquiries(desk: dict[str, UserInfo], kind: str) -> None:
    at = page_as(desk["lead"])
    at.selectbox(key=metrics_ui.DRILL_KIND).set_value(kind).run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert "Reference" in table.columns and "Customer" in table.columns
    if kind == "received":
        assert len(table) == 3
        assert list(table["Subject"]) == ["Invoice copy 0", "Invoice copy 2", "Invoice copy 6"]


def test_a_clicked_bar_narrows_the_list(desk: dict[str, UserInfo]) -> None:
    """What a click on a day's bar stores; the browser test clicks for real."""
    at = page_as(desk["admin"])
    two_back = business_days_back(2)
    at.session_state[metrics_ui.DRILL] = Drill("received", day=two_back)
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[-1].value["Subject"]) == ["Invoice copy 2"]
    assert any("Received on" in m.value for m in at.markdown)
    for drill in (Drill("person_open", person_id=0), Drill("channel", value="phone"),
                  Drill("first_response", value="30–60 min"), Drill("heat", weekday=0, hour=9),
                  Drill("resolution_missed", week=two_back)):
        at.session_state[metrics_ui.DRILL] = drill
        at.run()
        assert not at.exception, (drill, at.exception)
    at.session_state[metrics_ui.DRILL] = Drill("person_open", person_id=0)
    at.run()
    assert list(at.dataframe[-1].value["Subject"]) == ["Where is my order?"]


def test_the_heat_map_cell_can_be_listed(desk: dict[str, UserInfo]) -> None:
    at = page_as(desk["admin"])
    at.button(key="metrics_heat_list").click().run()
    assert not at.exception, at.exception
    assert isinstance(at.session_state[metrics_ui.DRILL], Drill)
    assert at.session_state[metrics_ui.DRILL].kind == "heat"


def test_a_lead_can_leave_their_team_for_all_teams(desk: dict[str, UserInfo]) -> None:
    at = page_as(desk["lead"])
    assert at.selectbox(key=metrics_ui.TEAM).value.name == "Billing"
    assert at.selectbox(key=metrics_ui.TEAM).options[0] == "All teams"
    at.selectbox(key=metrics_ui.TEAM).select_index(0).run()       # All teams
    assert not at.exception and metric_values(at)["Received"] == "4"
