"""Settings, SLA policies and the business calendar as admins keep them: validation in words,
stale edits refused, audit rows with before and after, due times worked out again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.services import auto_close, outbox, settings, sla, sla_admin
from dashboard.services import calendar as calendar_service
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.sla_admin import Policy
from dashboard.services.users import UserInfo
from db.models import AuditLog, Enquiry, EnquiryEvent, OutboundMessage, SlaPolicy
from tests import factories as f

BXL = ZoneInfo("Europe/Brussels")
# Monday 23 November 2026, 09:00 Brussels; "now" is that Wednesday 16:00.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=BXL)
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=BXL)
DEFAULT_HOURS = [("08:30", "17:00")] * 5 + [None, None]


def info(user) -> UserInfo:  # type: ignore[no-untyped-def]
    return UserInfo(user.id, user.username, user.full_name, user.email, user.role,
                    user.team_id, None)


@pytest.fixture
def admin(session: Session) -> UserInfo:
    return info(f.user(session, "admin", role="admin", full_name="Ann Admin"))


@pytest.fixture
def lead(session: Session) -> UserInfo:
    return info(f.user(session, "lead", role="lead", full_name="Luc Lead"))


def audits(session: Session, action: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == action)
                                .order_by(AuditLog.id)))


# --- settings -------------------------------------------------------------------------------

def test_company_falls_back_to_the_secrets_then_is_saved_audited_and_versioned(
        session: Session, admin: UserInfo) -> None:
    assert settings.company(session=session).name == "CSOL IT Solutions NV"  # the fallback
    values = {**settings.company(session=session).__dict__, "name": "Nieuw Bedrijf BV"}
    settings.save_company(session=session, values=values, version=0, by=admin)
    assert settings.company(session=session).name == "Nieuw Bedrijf BV"
    (row,) = audits(session, settings.CHANGED)
    assert row.entity_type == "setting:company" and row.username == "admin"
    assert row.before == {"company": None}
    assert row.after["company"]["name"] == "Nieuw Bedrijf BV"
    # Someone who opened the form before that save (version 0) is refused, with who and when.
    with pytest.raises(StaleEditError, match="changed by admin at"):
        settings.save_company(session=session, values={**values, "name": "Ander"}, version=0,
                              by=admin)
    settings.save_company(session=session, values={**values, "city": "Gent"}, version=1,
                          by=admin)
    last = audits(session, settings.CHANGED)[-1]
    assert last.before["company"]["city"] == "Brussel" and last.after["company"]["city"] == "Gent"
    assert settings.versions(session=session)[settings.COMPANY] == 2


def test_company_problems_are_said_in_words(session: Session, admin: UserInfo) -> None:
    values = {**settings.company(session=session).__dict__, "name": " ", "iban": "12345",
              "email": "nowhere"}
    with pytest.raises(ValidationError) as refused:
        settings.save_company(session=session, values=values, version=0, by=admin)
    assert refused.value.problems == [
        "Company name is needed: it is printed on every invoice.",
        "The IBAN is not valid: two letters, two check digits, then the account "
        "(e.g. BE71 0961 2345 6769).",
        "The e-mail address needs an @."]
    assert audits(session, settings.CHANGED) == []


def test_numbers_are_validated(session: Session, admin: UserInfo) -> None:
    with pytest.raises(ValidationError, match="whole percentage from 0 to 100"):
        settings.save_at_risk_percent(session=session, percent=101, version=0, by=admin)
    with pytest.raises(ValidationError, match="1 to 60 business days"):
        settings.save_auto_close_days(session=session, days=0, version=0, by=admin)
    with pytest.raises(ValidationError) as refused:
        settings.save_outbox_retry(session=session, version=0, by=admin,
                                   retry=settings.OutboxRetry(0, 30, 10))
    assert refused.value.problems == ["Tries per e-mail: 1 to 20.",
                                      "The longest wait cannot be shorter than the first."]


def test_the_outbox_follows_the_saved_retry_policy(session: Session, admin: UserInfo) -> None:
    settings.save_outbox_retry(session=session, version=0, by=admin,
                               retry=settings.OutboxRetry(2, 10, 15))
    message = OutboundMessage(kind="reply", to_address="a@b.example", subject="Hi",
                              body_text="Hello", status="sending", attempts=0,
                              message_id="<x@csol.example>")
    session.add(message)
    session.flush()
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert outbox.record_failure(session=session, outbound_message_id=message.id, now=now,
                                 error="421", permanent=False) == "queued"
    session.refresh(message)
    assert message.next_attempt_at == now + timedelta(minutes=10)
    message.status = "sending"
    session.flush()
    assert outbox.record_failure(session=session, outbound_message_id=message.id, now=now,
                                 error="421", permanent=False) == "failed"


def test_auto_close_waits_the_saved_business_days(session: Session, admin: UserInfo) -> None:
    settings.save_auto_close_days(session=session, days=2, version=0, by=admin)
    # Resolved Thursday 10:00: two business days later is Monday 10:00 (not Saturday).
    thursday = datetime(2026, 11, 26, 10, tzinfo=BXL)
    e = f.enquiry(session, status="resolved", resolved_at=thursday, created_at=thursday)
    assert auto_close.close_resolved(session=session,
                                     now=datetime(2026, 11, 29, 12, tzinfo=BXL)) == []
    assert auto_close.close_resolved(
        session=session, now=datetime(2026, 11, 30, 10, 1, tzinfo=BXL)) == [e.reference]
    session.refresh(e)
    assert e.status == "closed"


# --- SLA policies ---------------------------------------------------------------------------

def draft(**kw: object) -> Policy:
    values: dict[str, object] = {"name": "Enterprise fax", "priority": "normal",
                                 "channel": "fax", "segment": "enterprise",
                                 "first_response_minutes": 120, "resolution_minutes": 960}
    return Policy(**(values | kw))  # type: ignore[arg-type]


def test_policy_problems_are_said_in_words(session: Session, lead: UserInfo) -> None:
    with pytest.raises(ValidationError) as refused:
        sla_admin.save(session=session, policy=draft(name="", first_response_minutes=300,
                                                     resolution_minutes=200,
                                                     at_risk_percent=120), by=lead)
    assert refused.value.problems == [
        "Give the policy a name (1 to 80 characters).",
        "The resolution target cannot be shorter than the first-response target.",
        "The at-risk share is a whole percentage from 0 to 100."]
    with pytest.raises(ValidationError, match="more than 0 business minutes"):
        sla_admin.save(session=session, policy=draft(first_response_minutes=0), by=lead)


def test_no_two_active_policies_for_the_same_key(session: Session, lead: UserInfo) -> None:
    # The database's unique constraint lets NULLs repeat: "any channel" is checked here.
    sla_admin.save(session=session, policy=draft(name="Normal", channel=None, segment=None),
                   by=lead)
    with pytest.raises(ValidationError) as refused:
        sla_admin.save(session=session, policy=draft(name="Normal again", channel=None,
                                                     segment=None), by=lead)
    assert refused.value.problems == [
        "An active policy already covers Normal · any channel · any segment: change that "
        "one, or make it inactive first."]
    with pytest.raises(ValidationError, match="already called Normal"):
        sla_admin.save(session=session, policy=draft(name="normal"), by=lead)


def test_a_rep_cannot_change_policies(session: Session) -> None:
    rep = info(f.user(session, "rep"))
    with pytest.raises(ValidationError, match="Only a team lead or an admin"):
        sla_admin.save(session=session, policy=draft(), by=rep)


def test_policy_edit_is_versioned_and_audited_with_before_and_after(
        session: Session, lead: UserInfo, admin: UserInfo) -> None:
    saved = sla_admin.save(session=session, policy=draft(), by=lead)
    assert saved.version == 1
    created = audits(session, "sla_policy_created")[0]
    assert created.before is None and created.after["channel"] == "fax"
    changed = sla_admin.save(session=session, policy=draft(
        id=saved.id, version=1, first_response_minutes=90, at_risk_percent=40), by=admin)
    assert changed.version == 2
    (row,) = audits(session, "sla_policy_changed")
    assert row.entity_id == saved.id
    assert row.before == {"first_response_minutes": 120, "at_risk_percent": None}
    assert row.after == {"first_response_minutes": 90, "at_risk_percent": 40}
    with pytest.raises(StaleEditError, match="policy was changed by admin"):
        sla_admin.save(session=session, policy=draft(id=saved.id, version=1), by=lead)


def test_the_most_specific_policy_wins_channel_and_segment(session: Session,
                                                           lead: UserInfo) -> None:
    general = sla_admin.save(session=session, policy=draft(name="Normal", channel=None,
                                                           segment=None), by=lead)
    fax = sla_admin.save(session=session, policy=draft(name="Fax", segment=None), by=lead)
    enterprise = sla_admin.save(session=session, policy=draft(name="Enterprise",
                                                              channel=None), by=lead)
    both = sla_admin.save(session=session, policy=draft(name="Enterprise fax"), by=lead)

    def chosen(channel: str, segment: str | None) -> int | None:
        found = sla.policy_for(session=session, priority="normal", channel=channel,
                               segment=segment)
        return found.id if found else None

    assert chosen("email", None) == general.id
    assert chosen("fax", "mid_market") == fax.id
    assert chosen("email", "enterprise") == enterprise.id
    assert chosen("fax", "enterprise") == both.id
    assert sla.policy_for(session=session, priority="urgent", channel="fax",
                          segment=None) is None


# --- due times worked out again ------------------------------------------------------------

@pytest.fixture
def open_enquiries(session: Session, lead: UserInfo) -> dict[str, Enquiry]:
    """Three open e-mail enquiries of Monday 09:00 under a 4 h / 2 d policy."""
    policy = sla_admin.save(session=session, policy=draft(
        name="Normal", channel=None, segment=None, first_response_minutes=240,
        resolution_minutes=1020), by=lead)
    due = sla.deadlines(MONDAY, session.get(SlaPolicy, policy.id))
    made = {}
    for name, created in (("monday", MONDAY), ("tuesday", MONDAY + timedelta(days=1)),
                          ("answered", MONDAY)):
        stamps = sla.deadlines(created, session.get(SlaPolicy, policy.id))
        made[name] = f.enquiry(session, channel="email", status="open", created_at=created,
                               sla_policy_id=policy.id, **stamps.values())
    made["answered"].first_response_at = MONDAY + timedelta(minutes=30)
    session.flush()
    assert due.resolution_due_at == datetime(2026, 11, 25, 9, 0, tzinfo=BXL)
    return made


def test_a_calendar_change_moves_due_times_after_a_preview(
        session: Session, admin: UserInfo, open_enquiries: dict[str, Enquiry]) -> None:
    assert sla_admin.preview(session=session, now=NOW).moves == ()  # nothing to do yet
    before = {k: (e.first_response_due_at, e.resolution_due_at, e.version)
              for k, e in open_enquiries.items()}
    # Tuesday 24 November becomes a closure: resolutions of Monday 09:00 (due Wednesday
    # 09:00 so far, breached at Wednesday 16:00) move to Thursday 09:00. The answered one is
    # only at risk now; the unanswered one stays breached by its first response.
    calendar_service.add_closure(session=session, day=date(2026, 11, 24), name="Bridge day",
                                 by=admin)
    sla.refresh(session=session)
    preview = sla_admin.preview(session=session, now=NOW)
    assert {m.reference for m in preview.moves} == {e.reference
                                                   for e in open_enquiries.values()}
    moved = {m.reference: m for m in preview.moves}
    answered = moved[open_enquiries["answered"].reference]
    monday = moved[open_enquiries["monday"].reference]
    assert (answered.state_before, answered.state_after) == (sla.BREACHED, sla.AT_RISK)
    assert (monday.state_before, monday.state_after) == (sla.BREACHED, sla.BREACHED)
    assert monday.resolution_due_after == datetime(2026, 11, 26, 9, 0, tzinfo=BXL)
    assert preview.leaving(sla.BREACHED) == 1 and preview.becoming(sla.AT_RISK) == 1
    # Nothing is written by a preview.
    session.refresh(open_enquiries["monday"])
    assert open_enquiries["monday"].resolution_due_at == before["monday"][1]

    done = sla_admin.recompute(session=session, now=NOW, by=admin, reason="bridge day")
    assert done.summary() == preview.summary()
    for name, e in open_enquiries.items():
        session.refresh(e)
        assert e.resolution_due_at > before[name][1]
        assert e.version == before[name][2] + 1
    # The answered clock stays as it was; the others follow the new calendar.
    assert open_enquiries["answered"].first_response_due_at == before["answered"][0]
    assert open_enquiries["tuesday"].first_response_due_at == datetime(
        2026, 11, 25, 12, 30, tzinfo=BXL)
    (row,) = audits(session, "sla_recomputed")
    assert row.after["moved"] == 3 and row.after["no_longer_breached"] == 1
    assert row.after["reason"] == "bridge day"
    events = session.scalars(select(EnquiryEvent).where(EnquiryEvent.kind == "sla")).all()
    assert len(events) == 3
    assert sla_admin.preview(session=session, now=NOW).moves == ()  # done once and for all


def test_saved_opening_hours_move_due_times_and_take_effect_on_refresh(
        session: Session, admin: UserInfo, open_enquiries: dict[str, Enquiry]) -> None:
    hours = [("07:00", "19:00")] * 5 + [None, None]
    calendar = calendar_service.parse(hours=hours, time_zone="Europe/Brussels",
                                      holiday_country="BE")
    calendar_service.save(session=session, calendar=calendar, version=0, by=admin)
    assert business_calendar.active().hours[0] == (time(8, 30), time(17, 0))  # not yet
    sla.refresh(session=session)
    assert business_calendar.active().hours[0] == (time(7, 0), time(19, 0))
    assert business_calendar.active().minutes_per_day == 720
    done = sla_admin.recompute(session=session, now=NOW, by=admin, reason="longer hours")
    assert len(done.moves) == 3
    session.refresh(open_enquiries["monday"])
    # 1020 business minutes from Monday 09:00 in 12-hour days: Tuesday 14:00.
    assert open_enquiries["monday"].resolution_due_at == datetime(2026, 11, 24, 14, 0,
                                                                  tzinfo=BXL)
    row = audits(session, settings.CHANGED)[-1]
    assert row.entity_type == "setting:calendar" and row.before == {"calendar": None}
    assert row.after["calendar"]["hours"][0] == ["07:00", "19:00"]
    with pytest.raises(StaleEditError, match="business calendar was changed by admin"):
        calendar_service.save(session=session, calendar=calendar, version=0, by=admin)


def test_a_policy_edit_previews_what_it_moves_before_saving(
        session: Session, lead: UserInfo, open_enquiries: dict[str, Enquiry]) -> None:
    (saved,) = sla_admin.list_policies(session=session)
    edit = sla_admin.check(session=session, policy=Policy(
        **{**saved.values(), "resolution_minutes": 3060}, id=saved.id, version=saved.version))
    preview = sla_admin.preview(session=session, now=NOW,
                                policies=sla_admin.edited(session=session, policy=edit))
    assert len(preview.moves) == 3
    # The answered one was breached and is on time; the others stay breached by their
    # first response.
    assert preview.becoming(sla.OK) == 1 and preview.leaving(sla.BREACHED) == 1
    # A 0 % at-risk share: at risk only a minute after it is due, i.e. never before.
    relaxed = sla_admin.check(session=session, policy=Policy(
        **{**saved.values(), "at_risk_percent": 0}, id=saved.id, version=saved.version))
    calm = sla_admin.preview(session=session, now=NOW,
                             policies=sla_admin.edited(session=session, policy=relaxed))
    assert all(m.values["resolution_risk_at"] == m.resolution_due_after + timedelta(minutes=1)
               for m in calm.moves) and len(calm.moves) == 3
    assert sla_admin.list_policies(session=session)[0].resolution_minutes == 1020


def test_calendar_problems_are_said_in_words(session: Session, admin: UserInfo) -> None:
    hours = [("8:30", "17:00"), ("17:00", "08:30"), *DEFAULT_HOURS[2:]]
    with pytest.raises(ValidationError) as refused:
        calendar_service.parse(hours=hours, time_zone="Europe/Bruxelles",
                               holiday_country="XX")
    assert refused.value.problems == [
        "Monday: write the times as HH:MM, e.g. 08:30 and 17:00.",
        "Tuesday: the line must close after it opens (17:00 to 08:30).",
        "Europe/Bruxelles is not a time zone; pick one such as Europe/Brussels.",
        "No public holidays are known for XX."]
    with pytest.raises(ValidationError, match="at least one weekday"):
        calendar_service.parse(hours=[None] * 7, time_zone="Europe/Brussels",
                               holiday_country="BE")
    calendar_service.add_closure(session=session, day=date(2026, 12, 24), name="Christmas Eve",
                                 by=admin)
    with pytest.raises(ValidationError, match="24/12/2026 is already a closure"):
        calendar_service.add_closure(session=session, day=date(2026, 12, 24), name="Again",
                                     by=admin)
    (closure,) = calendar_service.closures(session=session)
    calendar_service.remove_closure(session=session, closure_id=closure.id, by=admin)
    assert audits(session, "closure_removed")[0].before == {"day": "2026-12-24",
                                                            "name": "Christmas Eve"}
    with pytest.raises(ValidationError, match="already removed"):
        calendar_service.remove_closure(session=session, closure_id=closure.id, by=admin)


def test_a_policy_edit_shows_only_what_it_moves_itself(
        session: Session, admin: UserInfo, open_enquiries: dict[str, Enquiry]) -> None:
    # A closure waits for a recompute: it moves all three, the edit below none of them more.
    calendar_service.add_closure(session=session, day=date(2026, 11, 24), name="Bridge day",
                                 by=admin)
    sla.refresh(session=session)
    (saved,) = sla_admin.list_policies(session=session)
    same = sla_admin.check(session=session, policy=saved)
    assert len(sla_admin.preview(session=session, now=NOW).moves) == 3
    assert sla_admin.effect_of(session=session, now=NOW, policy=same).moves == ()
    # A fax-only policy would move none of these e-mail enquiries either; a new e-mail one
    # all three.
    fax = Policy(**{**saved.values(), "name": "Fax", "channel": "fax"})
    assert sla_admin.effect_of(session=session, now=NOW, policy=fax).moves == ()
    email = Policy(**{**saved.values(), "name": "E-mail", "channel": "email",
                      "resolution_minutes": 2040})
    moved = sla_admin.effect_of(session=session, now=NOW, policy=email).moves
    assert {m.policy_after for m in moved} == {"E-mail"} and len(moved) == 3


def test_retention_deletes_audit_rows_older_than_the_saved_period(
        session: Session, admin: UserInfo) -> None:
    from dashboard.services import retention

    now = datetime(2026, 3, 31, 12, tzinfo=BXL)
    for when in (datetime(2025, 2, 27, 23, tzinfo=BXL), datetime(2025, 3, 1, 1, tzinfo=BXL)):
        session.add(AuditLog(action="login", occurred_at=when))
    session.flush()
    assert retention.purge(session=session, now=now) == 0  # ten years by default
    with pytest.raises(ValidationError, match="12 to 600 months"):
        settings.save_audit_retention_months(session=session, months=6, version=0, by=admin)
    settings.save_audit_retention_months(session=session, months=13, version=0, by=admin)
    # 13 months before 31 March 2026 is 28 February 2025 (no 29th): the 27th goes.
    assert retention.cutoff(session=session, now=now) == datetime(2025, 2, 28, tzinfo=BXL)
    assert retention.purge(session=session, now=now) == 1
    (row,) = audits(session, "audit_purged")
    assert row.after == {"deleted": 1, "older_than": "2025-02-28T00:00:00+01:00"}
    assert len(audits(session, "login")) == 1


def test_the_two_jobs_run_from_the_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from dashboard.__main__ import main
    from db.engine import make_engine
    from db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    long_ago = datetime(2026, 1, 5, 10, tzinfo=BXL)
    with Session(engine) as s, s.begin():
        e = f.enquiry(s, status="resolved", resolved_at=long_ago, created_at=long_ago)
        reference = e.reference
        s.add(AuditLog(action="login", occurred_at=datetime(2001, 1, 1, tzinfo=UTC)))
    engine.dispose()
    assert main(["--database-url", url, "enquiries", "auto-close"]) == 0
    assert f"Closed 1 resolved enquiries: {reference}." in capsys.readouterr().out
    assert main(["--database-url", url, "retention", "purge"]) == 0
    assert "Deleted 1 audit rows" in capsys.readouterr().out
