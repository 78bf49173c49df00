"""Enquiry workflow: SLA pause and resume, stale edits, claiming, replies, merges, queues."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.services import enquiries, queue, workflow
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.queue import QueueFilter
from dashboard.services.sla import deadlines
from dashboard.services.users import UserInfo
from db.models import Enquiry, EnquiryEvent, OutboundMessage
from tests import factories as f

BXL = ZoneInfo("Europe/Brussels")
# Monday 23 November 2026, 09:00 Brussels.
START = datetime(2026, 11, 23, 9, 0, tzinfo=BXL)


def info(user, team_name: str | None = None) -> UserInfo:  # type: ignore[no-untyped-def]
    return UserInfo(user.id, user.username, user.full_name, user.email, user.role,
                    user.team_id, team_name)


@pytest.fixture
def desk(session: Session) -> dict:
    team = f.team(session, "Billing")
    rep = f.user(session, "rep", team_id=team.id, full_name="Sofie Peeters")
    rep2 = f.user(session, "rep2", team_id=team.id, full_name="Jan Claes")
    lead = f.user(session, "lead", role="lead", team_id=team.id, full_name="Marc Dubois")
    c = f.customer(session, "Van den Bossche NV")
    policy = f.sla_policy(session, "normal", 240, 1530)
    due = deadlines(START, policy)
    enquiry = f.enquiry(session, customer_id=c.id, team_id=team.id, sla_policy_id=policy.id,
                        created_at=START, status="new", channel="email", **due.values())
    session.flush()
    return {"team": team, "rep": info(rep), "rep2": info(rep2), "lead": info(lead),
            "c": c, "policy": policy, "e": enquiry}


def test_pending_customer_pauses_the_resolution_clock(session: Session, desk: dict) -> None:
    e, rep = desk["e"], desk["rep"]
    before = e.resolution_due_at
    workflow.assign(session=session, enquiry_id=e.id, assignee_id=rep.id, by=rep,
                    expected_version=1, now=START)
    # Wait for the customer from Monday 10:00 until Wednesday 10:00: 2 business days.
    workflow.change_status(session=session, enquiry_id=e.id, to="pending_customer", by=rep,
                           expected_version=2, now=START + timedelta(hours=1))
    monday_after = datetime(2026, 11, 25, 10, 0, tzinfo=BXL)
    workflow.record_customer_message(session=session, enquiry_id=e.id, inbound_message_id=None,
                                     body="Here is the PO", now=monday_after)
    session.refresh(e)
    assert e.status == "open" and e.paused_seconds == 2 * 510 * 60
    assert e.resolution_due_at - before > timedelta(days=1)
    # The new due time is the old one pushed back by the paused business time.
    assert e.resolution_due_at == deadlines(START, desk["policy"], 1020 * 60).resolution_due_at


def test_pause_across_a_weekend_and_a_holiday(session: Session, desk: dict) -> None:
    e, rep = desk["e"], desk["rep"]
    tuesday = datetime(2026, 11, 10, 16, 0, tzinfo=BXL)    # 11 Nov is a holiday
    workflow.change_status(session=session, enquiry_id=e.id, to="pending_customer", by=rep,
                           expected_version=1, now=tuesday)
    workflow.change_status(session=session, enquiry_id=e.id, to="open", by=rep,
                           expected_version=2, now=datetime(2026, 11, 16, 9, 0, tzinfo=BXL))
    session.refresh(e)
    # Tue 16:00-17:00 (60) + Thu (510) + Fri (510) + Mon 08:30-09:00 (30).
    assert e.paused_seconds == (60 + 510 + 510 + 30) * 60


@pytest.mark.parametrize("seconds", [1, 59, 90, 3599])
def test_paused_time_counts_to_the_second(session: Session, desk: dict, seconds: int) -> None:
    """Paused time is not rounded down to whole minutes: the due time moves on by exactly
    the pause, not up to 59 s less."""
    e, rep = desk["e"], desk["rep"]
    before = e.resolution_due_at
    pause_from = START + timedelta(hours=1)
    workflow.change_status(session=session, enquiry_id=e.id, to="pending_customer", by=rep,
                           expected_version=None, now=pause_from)
    workflow.change_status(session=session, enquiry_id=e.id, to="open", by=rep,
                           expected_version=None, now=pause_from + timedelta(seconds=seconds))
    session.refresh(e)
    assert e.paused_seconds == seconds
    assert e.resolution_due_at - before == timedelta(seconds=seconds)


def test_a_reopened_enquiry_does_not_count_the_time_it_stood_resolved(
        session: Session, desk: dict) -> None:
    """workflow.REOPEN_RULE: one resolution clock from arrival; resolved time is skipped."""
    e, rep = desk["e"], desk["rep"]
    before = e.resolution_due_at
    resolved_at = START + timedelta(hours=2)                      # Monday 11:00
    workflow.change_status(session=session, enquiry_id=e.id, to="resolved", by=rep,
                           expected_version=None, now=resolved_at)
    reopened_at = datetime(2026, 11, 24, 9, 30, 15, tzinfo=BXL)  # Tuesday 09:30:15
    workflow.record_customer_message(session=session, enquiry_id=e.id, inbound_message_id=None,
                                     body="Still wrong", now=reopened_at)
    session.refresh(e)
    # Monday 11:00–17:00 and Tuesday 08:30–09:30:15 are business time it stood resolved.
    stood_resolved = (6 * 60 + 60) * 60 + 15
    assert (e.status, e.reopen_count, e.resolved_at) == ("open", 1, None)
    assert e.paused_seconds == stood_resolved
    assert e.resolution_due_at - before == timedelta(seconds=stood_resolved)
    assert "resolved is not counted" in workflow.REOPEN_RULE


def test_a_stale_edit_is_refused_with_who_and_when(session: Session, desk: dict) -> None:
    e = desk["e"]
    workflow.set_priority(session=session, enquiry_id=e.id, priority="high", by=desk["lead"],
                          expected_version=1, now=START)
    with pytest.raises(StaleEditError, match=r"changed by Marc Dubois at .* reload"):
        workflow.change_status(session=session, enquiry_id=e.id, to="resolved",
                               by=desk["rep"], expected_version=1, now=START)
    session.refresh(e)
    assert e.status == "new" and e.priority == "high"


def test_invalid_transitions_and_reopen(session: Session, desk: dict) -> None:
    e, rep = desk["e"], desk["rep"]
    workflow.change_status(session=session, enquiry_id=e.id, to="resolved", by=rep,
                           expected_version=None, now=START)
    workflow.change_status(session=session, enquiry_id=e.id, to="closed", by=rep,
                           expected_version=None, now=START)
    with pytest.raises(ValidationError, match="cannot become pending customer"):
        workflow.change_status(session=session, enquiry_id=e.id, to="pending_customer",
                               by=rep, expected_version=None, now=START)
    workflow.change_status(session=session, enquiry_id=e.id, to="open", by=rep,
                           expected_version=None, now=START)
    session.refresh(e)
    assert e.reopen_count == 1 and e.resolved_at is None and e.closed_at is None


def test_only_leads_reassign_what_someone_holds(session: Session, desk: dict) -> None:
    e = desk["e"]
    workflow.assign(session=session, enquiry_id=e.id, assignee_id=desk["rep"].id,
                    by=desk["rep"], expected_version=None, now=START)
    with pytest.raises(ValidationError, match="Only a team lead"):
        workflow.assign(session=session, enquiry_id=e.id, assignee_id=desk["rep2"].id,
                        by=desk["rep2"], expected_version=None, now=START)
    workflow.assign(session=session, enquiry_id=e.id, assignee_id=desk["rep2"].id,
                    by=desk["lead"], expected_version=None, now=START)
    session.refresh(e)
    assert e.assignee_id == desk["rep2"].id and e.status == "open"


def test_reply_threads_and_gives_the_first_response(session: Session, desk: dict) -> None:
    e, rep = desk["e"], desk["rep"]
    outbound_id = workflow.reply(session=session, enquiry_id=e.id, to_address="jan@vdb.be",
                                 subject="Your question", body="Here you are.", by=rep,
                                 expected_version=1, now=START + timedelta(minutes=30))
    session.refresh(e)
    message = session.get(OutboundMessage, outbound_id)
    assert message is not None and f"[{e.reference}]" in message.subject
    assert e.first_response_at == START + timedelta(minutes=30)
    assert e.status == "pending_customer"
    kinds = session.scalars(select(EnquiryEvent.kind).where(EnquiryEvent.enquiry_id == e.id)
                            .order_by(EnquiryEvent.id)).all()
    assert kinds == ["reply", "status"]
    second = workflow.reply(session=session, enquiry_id=e.id, to_address="jan@vdb.be",
                            subject="Again", body="And more.", by=rep, expected_version=None,
                            now=START + timedelta(hours=1), then_status=None)
    assert session.get(OutboundMessage, second).references == message.message_id


def test_merge_keeps_history_on_both(session: Session, desk: dict) -> None:
    e = desk["e"]
    duplicate = f.enquiry(session, customer_id=desk["c"].id, status="new", order_id=None,
                          invoice_id=f.invoice(session, desk["c"]).id)
    workflow.merge(session=session, source_id=duplicate.id, target_id=e.id, by=desk["rep"],
                   expected_version=None, now=START)
    session.refresh(duplicate)
    session.refresh(e)
    assert duplicate.status == "closed" and duplicate.merged_into_id == e.id
    assert e.invoice_id == duplicate.invoice_id
    for enquiry in (duplicate, e):
        assert "merge" in session.scalars(select(EnquiryEvent.kind).where(
            EnquiryEvent.enquiry_id == enquiry.id)).all()
    with pytest.raises(ValidationError):
        workflow.merge(session=session, source_id=e.id, target_id=e.id, by=desk["rep"],
                       expected_version=None, now=START)


def test_likely_duplicates_are_the_same_customer_or_sender_of_the_last_14_days(
        session: Session, desk: dict) -> None:
    e, c = desk["e"], desk["c"]
    e.from_address = "Anna@Bossche.example"
    other = f.customer(session, "Brasserie Dupré")
    recent = f.enquiry(session, customer_id=c.id, created_at=START - timedelta(days=3))
    by_sender = f.enquiry(session, customer_id=None, from_address="anna@bossche.example",
                          created_at=START - timedelta(days=1))
    f.enquiry(session, customer_id=c.id, created_at=START - timedelta(days=20))   # too old
    f.enquiry(session, customer_id=other.id, created_at=START)                     # not theirs
    f.enquiry(session, customer_id=other.id, from_address="anna@bossche.example",
              created_at=START)                         # same sender, another customer's
    merged = f.enquiry(session, customer_id=c.id, created_at=START - timedelta(days=2))
    workflow.merge(session=session, source_id=merged.id, target_id=recent.id, by=desk["rep"],
                   expected_version=None, now=START)
    session.flush()
    found = enquiries.likely_duplicates(session=session, enquiry_id=e.id, now=START)
    assert [r.id for r in found] == [by_sender.id, recent.id]


def test_a_link_is_remembered_by_the_documents_number(session: Session, desk: dict) -> None:
    e, c = desk["e"], desk["c"]
    invoice = f.invoice(session, c, number="INV-2026-000555")
    workflow.link_document(session=session, enquiry_id=e.id, kind="invoice",
                           document_id=invoice.id, by=desk["rep"], expected_version=None,
                           now=START)
    event = session.scalars(select(EnquiryEvent).where(
        EnquiryEvent.enquiry_id == e.id, EnquiryEvent.kind == "link")).one()
    assert event.data == {"kind": "invoice", "id": invoice.id, "number": "INV-2026-000555"}


def test_queue_views_and_counts(session: Session, desk: dict) -> None:
    rep, team = desk["rep"], desk["team"]
    now = START + timedelta(hours=5)  # the first response (4 business hours) is now late
    late = desk["e"]
    policy = desk["policy"]
    risky_start = START + timedelta(hours=1, minutes=50)   # 190 of 240 minutes gone at 'now'
    f.enquiry(session, team_id=team.id, status="open", sla_policy_id=policy.id,
              assignee_id=rep.id, created_at=risky_start,
              **deadlines(risky_start, policy).values())
    f.enquiry(session, team_id=team.id, status="open", sla_policy_id=policy.id,
              created_at=now, **deadlines(now, policy).values())
    session.flush()
    counts = queue.view_counts(session=session, user=rep, flt=QueueFilter(), now=now)
    assert counts == {"mine": 1, "unassigned": 2, "team": 3, "at_risk": 1, "breached": 1,
                      "all": 3}
    breached = queue.list_queue(session=session, user=rep, view="breached", flt=QueueFilter(),
                                now=now)
    assert [r.enquiry.id for r in breached.rows] == [late.id]
    assert breached.rows[0].enquiry.sla.state == "breached"
    risky = queue.list_queue(session=session, user=rep, view="at_risk", flt=QueueFilter(),
                             now=now)
    assert risky.rows[0].enquiry.sla.state == "at_risk"
    emails = queue.list_queue(session=session, user=rep, view="all",
                              flt=QueueFilter(channels=("email",)), now=now)
    assert [r.enquiry.id for r in emails.rows] == [late.id]


def test_claim_next_takes_the_most_urgent(session: Session, desk: dict) -> None:
    later = START + timedelta(hours=2)
    f.enquiry(session, team_id=desk["team"].id, status="new", created_at=later,
              sla_policy_id=desk["policy"].id, **deadlines(later, desk["policy"]).values())
    session.flush()
    claimed = workflow.claim_next(session=session, user=desk["rep"], now=START)
    assert claimed is not None and claimed.id == desk["e"].id
    assert claimed.assignee_id == desk["rep"].id and claimed.status == "open"


def test_claim_next_race_never_hands_out_one_enquiry_twice(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing")
        people = [info(f.user(s, f"rep{i}", team_id=team.id)) for i in range(6)]
        for i in range(60):
            f.enquiry(s, team_id=team.id, status="new",
                      created_at=START + timedelta(minutes=i))
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(user: UserInfo) -> None:
        while True:
            with Session(engine) as s, s.begin():
                enquiry = workflow.claim_next(session=s, user=user, now=START)
                if enquiry is None:
                    return
                with lock:
                    claimed.append(enquiry.id)

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(claimed) == 60 and len(set(claimed)) == 60
    with Session(engine) as s:
        assert s.scalar(select(Enquiry.id).where(Enquiry.assignee_id.is_(None))) is None


def test_view_counts_equal_each_views_own_count(session: Session) -> None:
    """The one-statement counts agree with listing each view, filters included."""
    from dashboard.services.users import get_user

    now = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC"))
    billing = f.team(session, "Billing")
    other = f.team(session, "Logistics")
    f.user(session, "anna", team_id=billing.id)
    colleague = f.user(session, "ben", team_id=billing.id)
    customer = f.customer(session)
    for i, (team, assignee, status, due) in enumerate([
            (billing, None, "new", now - timedelta(hours=1)),       # breached
            (billing, None, "open", now + timedelta(minutes=20)),   # at risk
            (billing, colleague, "open", now + timedelta(days=2)),
            (billing, None, "pending_customer", now - timedelta(hours=3)),
            (other, None, "new", now - timedelta(hours=2)),
            (billing, None, "resolved", now - timedelta(days=1))]):
        f.enquiry(session, team_id=team.id, assignee_id=assignee.id if assignee else None,
                  status=status, customer_id=customer.id, channel="email" if i % 2 else "phone",
                  first_response_due_at=due, first_response_risk_at=due - timedelta(hours=1),
                  resolution_due_at=due + timedelta(days=3),
                  resolution_risk_at=due + timedelta(days=2))
    session.flush()
    user = get_user(session=session, username="anna")
    assert user is not None
    seen = []
    for flt in (queue.QueueFilter(), queue.QueueFilter(channels=("email",))):
        counts = queue.view_counts(session=session, user=user, flt=flt, now=now)
        listed = {view: queue.list_queue(session=session, user=user, view=view, flt=flt,
                                         now=now).total for view in queue.VIEWS}
        assert counts == listed, flt
        seen.append(counts)
    assert seen[0] == {"mine": 0, "unassigned": 3, "team": 4, "at_risk": 1, "breached": 1,
                       "all": 5}


def test_news_is_what_happened_to_my_enquiries_since_i_last_looked(session: Session,
                                                                   desk: dict) -> None:
    rep, rep2, lead = desk["rep"], desk["rep2"], desk["lead"]
    mine = f.enquiry(session, team_id=rep.team_id, assignee_id=rep.id, status="open",
                     subject="Waar blijft mijn levering?")
    theirs = f.enquiry(session, team_id=rep.team_id, assignee_id=rep2.id, status="open")
    seen = enquiries.latest_event_id(session=session)
    for enquiry, kind, actor in ((mine, "message_in", None), (theirs, "message_in", None),
                                 (mine, "assignment", lead.id), (mine, "assignment", rep.id),
                                 (mine, "note", lead.id)):
        session.add(EnquiryEvent(enquiry_id=enquiry.id, kind=kind, actor_id=actor,
                                 occurred_at=START))
    session.flush()
    news = enquiries.news_for(session=session, user_id=rep.id, after_event_id=seen)
    # The customer's message and the lead's assignment; not my own taking, a note or
    # someone else's enquiry.
    assert [(n.kind, n.reference) for n in news] == [("message_in", mine.reference),
                                                     ("assignment", mine.reference)]
    assert news[0].subject == "Waar blijft mijn levering?"
    assert enquiries.news_for(session=session, user_id=rep.id,
                              after_event_id=news[-1].event_id) == []
    assert [n.reference for n in enquiries.news_for(
        session=session, user_id=rep2.id, after_event_id=seen)] == [theirs.reference]
