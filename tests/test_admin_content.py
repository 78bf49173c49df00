"""Canned replies, intake settings, the outbox and the audit log as admins change them: on
SQLite and PostgreSQL, against a real SMTP server (aiosmtpd) for resending."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.config import SmtpSettings
from dashboard.intake import classify, mime, pipeline, trial
from dashboard.mail import sender
from dashboard.services import audit, canned_replies, intake_settings, outbox, workflow
from dashboard.services.canned_replies import ReplyText
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from db.models import Attachment as AttachmentRow
from db.models import AuditLog, CannedReply, Enquiry, InboundMessage, OutboundMessage, Setting
from tests import factories as f
from tests.browser_support import free_port

T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
CORPUS = Path(__file__).parent / "data" / "email"


@contextmanager
def tx(s: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll it back if it raised."""
    try:
        yield
    except BaseException:
        s.rollback()
        raise
    s.commit()


def info(u: Any) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.email, u.role, u.team_id, None)


@pytest.fixture
def admin(session: Session) -> UserInfo:
    u = info(f.user(session, "claire", role="admin", full_name="Claire Weber"))
    session.commit()
    return u


@pytest.fixture
def lead(session: Session) -> UserInfo:
    u = info(f.user(session, "marc", role="lead", full_name="Marc Dubois"))
    session.commit()
    return u


def texts(**override: str) -> dict[str, ReplyText]:
    out = {code: ReplyText(f"Your order {{order_number}} ({code})",
                           f"Dear {{contact_name}},\n\nOrder {{order_number}} ships soon.\n"
                           f"{{agent_name}} ({code})")
           for code in ("en", "fr", "nl", "de")}
    for key, value in override.items():
        code, part = key.split("_")
        old = out[code]
        out[code] = ReplyText(value, old.body) if part == "subject" else ReplyText(
            old.subject, value)
    return out


def audit_rows(session: Session, action: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == action)
                                .order_by(AuditLog.id)))


# --- canned replies -----------------------------------------------------------------------

def test_a_reply_is_created_in_four_languages_and_audited(session: Session,
                                                          admin: UserInfo) -> None:
    with tx(session):
        reply_id = canned_replies.create_reply(session=session, name="  Shipping soon ",
                                               category="orders", texts=texts(), by=admin)
    rows = session.scalars(select(CannedReply).order_by(CannedReply.language)).all()
    assert [(r.name, r.language, r.version, r.is_active) for r in rows] == [
        ("Shipping soon", code, 1, True) for code in ("de", "en", "fr", "nl")]
    reply = canned_replies.get_reply(session=session, reply_id=reply_id)
    assert reply is not None and set(reply.texts) == {"en", "fr", "nl", "de"}
    [row] = audit_rows(session, "canned_reply_created")
    assert (row.user_id, row.entity_type, row.entity_id) == (admin.id, "canned_reply",
                                                             reply_id)
    assert row.before is None and row.after is not None
    assert row.after["name"] == "Shipping soon"
    assert row.after["subject_nl"] == "Your order {order_number} (nl)"


def test_every_problem_is_said_in_words(session: Session, admin: UserInfo) -> None:
    with tx(session):
        canned_replies.create_reply(session=session, name="Shipping soon", category="orders",
                                    texts=texts(), by=admin)
    bad = texts(fr_subject="", de_body="Sehr geehrte {kunde}, {order_number}",
                nl_subject="Twee\nregels")
    with pytest.raises(ValidationError) as refused, tx(session):
        canned_replies.create_reply(session=session, name="shipping SOON", category="nope",
                                    texts=bad, by=admin)
    assert refused.value.problems == [
        "Another reply is already called “shipping SOON”: choose another name.",
        "Choose a category from the list, or none.",
        "French: write the subject.",
        "Dutch: the subject is one line of at most 200 characters.",
        "German: {kunde} is not a placeholder any enquiry can fill. Choose placeholders "
        "from the list, or write the text meant.",
    ]
    with pytest.raises(ValidationError, match="Give the reply a name"), tx(session):
        canned_replies.create_reply(session=session, name="ab", category=None,
                                    texts=texts(), by=admin)
    assert session.scalar(select(func.count()).select_from(CannedReply)) == 4


def test_an_edit_over_a_stale_version_is_refused(engine: Engine, session: Session,
                                                 admin: UserInfo, lead: UserInfo) -> None:
    with tx(session):
        reply_id = canned_replies.create_reply(session=session, name="Shipping soon",
                                               category="orders", texts=texts(), by=admin)
    # Both open version 1; the lead saves first.
    with Session(engine) as s, s.begin():
        canned_replies.update_reply(session=s, reply_id=reply_id, expected_version=1,
                                    name="Shipping soon", category="orders",
                                    texts=texts(en_subject="Order {order_number} is on its way"),
                                    by=lead)
    with pytest.raises(StaleEditError, match=r"changed by Marc Dubois at .* — reload"), \
            Session(engine) as s, s.begin():
        canned_replies.update_reply(session=s, reply_id=reply_id, expected_version=1,
                                    name="Shipping today", category="orders", texts=texts(),
                                    by=admin)
    with Session(engine) as s:
        reply = canned_replies.get_reply(session=s, reply_id=reply_id)
        assert reply is not None and (reply.name, reply.version) == ("Shipping soon", 2)
        assert reply.texts["en"].subject == "Order {order_number} is on its way"
        assert reply.texts["fr"].subject == "Your order {order_number} (fr)"
        [changed] = audit_rows(s, "canned_reply_changed")
        assert changed.user_id == lead.id
        assert changed.before == {"subject_en": "Your order {order_number} (en)"}
        assert changed.after == {"subject_en": "Order {order_number} is on its way"}
        with pytest.raises(StaleEditError), tx(s):
            canned_replies.set_retired(session=s, reply_id=reply_id, expected_version=1,
                                       retired=True, by=admin)


def test_a_retired_reply_is_kept_but_no_longer_offered(session: Session,
                                                       admin: UserInfo) -> None:
    from dashboard.services.enquiry_detail import canned_replies as offered

    with tx(session):
        reply_id = canned_replies.create_reply(session=session, name="Shipping soon",
                                               category="orders", texts=texts(), by=admin)
    assert [c.name for c in offered(session=session, language="nl", category=None)] == [
        "Shipping soon"]
    with tx(session):
        canned_replies.set_retired(session=session, reply_id=reply_id, expected_version=1,
                                   retired=True, by=admin)
    assert offered(session=session, language="nl", category=None) == []
    kept = canned_replies.list_replies(session=session)
    assert [(r.name, r.is_active, r.version) for r in kept] == [("Shipping soon", False, 2)]
    assert canned_replies.list_replies(session=session, include_retired=False) == []
    [row] = audit_rows(session, "canned_reply_retired")
    assert (row.before, row.after) == ({"is_active": True}, {"is_active": False})
    with tx(session):
        canned_replies.set_retired(session=session, reply_id=reply_id, expected_version=2,
                                   retired=False, by=admin)
    assert [c.name for c in offered(session=session, language="de", category=None)] == [
        "Shipping soon"]


def test_the_preview_fills_a_real_enquiry_and_names_what_it_cannot(
        session: Session, admin: UserInfo) -> None:
    with tx(session):
        cust = f.customer(session, "Bouwgroep Peeters")
        anne = f.contact(session, cust, first_name="Joost", last_name="Vermeulen",
                         language="nl")
        order = f.order(session, cust, order_number="SO-2026-000123")
        linked = f.enquiry(session, customer_id=cust.id, contact_id=anne.id,
                           order_id=order.id, language="nl", created_at=T0)
        bare = f.enquiry(session, language="fr", created_at=T0 - timedelta(days=1))
    picks = canned_replies.preview_enquiries(session=session)
    assert [p.id for p in picks] == [linked.id, bare.id]  # the best-linked first
    shown = canned_replies.preview(session=session, texts=texts(), enquiry_id=linked.id,
                                   agent=admin)
    assert shown["nl"].text == ("Your order SO-2026-000123 (nl)\n\nDear Joost Vermeulen,\n\n"
                                "Order SO-2026-000123 ships soon.\nClaire Weber (nl)")
    assert shown["nl"].missing == ()
    empty = canned_replies.preview(session=session, texts=texts(), enquiry_id=bare.id,
                                   agent=admin)
    assert empty["fr"].missing == ("order_number", "contact_name")


# --- intake settings ----------------------------------------------------------------------

def sample(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_defaults_are_todays_gateways_and_rules(session: Session) -> None:
    form = intake_settings.load_form(session=session)
    assert form.version == 0 and form.intake_address == "support@csol.example"
    assert [g["name"] for g in form.fax_gateways] == ["HylaFAX", "eFax"]
    assert form.automatic == intake_settings.AutomaticMail()
    assert (form.auto_assign, form.strategy) == (False, "least_open")
    # What the demo seeds: an old list of added gateways and the language-matching flag.
    with tx(session):
        session.add_all([
            Setting(key="fax_gateway_patterns", value=[
                {"name": "Xerox", "from": "^scan@", "subject": r"Fax from (?P<number>.+)"}]),
            Setting(key="auto_assign", value='{"enabled": true, "strategy": "least_open", '
                                             '"match_language": true}')])
    form = intake_settings.load_form(session=session)
    assert [g["name"] for g in form.fax_gateways] == ["HylaFAX", "eFax", "Xerox"]
    assert (form.auto_assign, form.strategy) == (True, "least_open_language")


def test_saving_is_validated_versioned_and_audited(engine: Engine, session: Session,
                                                   admin: UserInfo, lead: UserInfo) -> None:
    from dataclasses import replace

    form = intake_settings.load_form(session=session)
    broken = replace(form, intake_address="support at csol", strategy="random",
                     fax_gateways=(*form.fax_gateways,
                                   {"name": "eFax", "from": "(", "subject": "", "body": ""},
                                   {"name": "Scan", "from": "scan@", "subject": "^Fax",
                                    "body": ""}),
                     automatic=intake_settings.AutomaticMail(extra_senders=("no reply",)))
    with pytest.raises(ValidationError) as refused, tx(session):
        intake_settings.save(session=session, form=broken, by=admin)
    assert refused.value.problems == [
        "Enter the intake address as a plain e-mail address, e.g. support@company.be.",
        "Choose how enquiries are assigned.",
        "Gateway 3: give a subject pattern (a regular expression).",
        "Gateway 3: the sender pattern is not a valid regular expression: missing ), "
        "unterminated subpattern at character 1.",
        "Gateway 3: another gateway is already called “eFax”.",
        "Gateway 4: name the fax number with a (?P<number>…) group in the subject or body "
        "pattern, or no contact can be found for a fax.",
        "“no reply” is not a sender: write an address (noreply@portal.be) or the part "
        "before the @ (no-reply).",
    ]
    assert session.scalar(select(func.count()).select_from(Setting)) == 0

    good = replace(form, intake_address=" Helpdesk@CSOL.example ", auto_assign=True,
                   strategy="least_open_language", fax_gateways=form.fax_gateways[:1],
                   automatic=intake_settings.AutomaticMail(
                       extra_subjects=("Ticket received",), extra_senders=("no-reply",)))
    with Session(engine) as s, s.begin():
        assert intake_settings.save(session=s, form=good, by=lead) == 1
    with pytest.raises(StaleEditError, match="changed by Marc Dubois"), \
            Session(engine) as s, s.begin():
        intake_settings.save(session=s, form=replace(good, intake_address="x@csol.example"),
                             by=admin)
    saved = intake_settings.load_form(session=session)
    assert (saved.version, saved.intake_address, saved.strategy) == (
        1, "helpdesk@csol.example", "least_open_language")
    assert [g["name"] for g in saved.fax_gateways] == ["HylaFAX"]
    [row] = audit_rows(session, "intake_settings_changed")
    assert row.user_id == lead.id and row.entity_type == "intake_settings"
    assert row.before is not None and row.after is not None
    assert set(row.after) == {"intake_address", "auto_assign", "fax_gateways",
                              "automatic_mail"}
    assert (row.before["intake_address"], row.after["intake_address"]) == (
        "support@csol.example", "helpdesk@csol.example")
    assert [g["name"] for g in row.before["fax_gateways"]] == ["HylaFAX", "eFax"]
    assert [g["name"] for g in row.after["fax_gateways"]] == ["HylaFAX"]


@pytest.mark.parametrize(("name", "gateway", "number", "contact"), [
    ("08_hylafax.eml", "HylaFAX", "+3225551234", "Anne Dupré"),
    ("23_hylafax_faxrcvd_pdf.eml", "HylaFAX", "+3225551234", "Anne Dupré"),
    ("24_hylafax_template_fr_tsi_name.eml", "HylaFAX", "+3242223344", "Joost Vermeulen"),
    ("09_efax.eml", "eFax", "+3242223344", "Joost Vermeulen"),
    ("25_efax_inbound.eml", "eFax", "+3225551234", "Anne Dupré"),
])
def test_the_tester_says_what_intake_would_do_with_real_gateway_mail(
        session: Session, name: str, gateway: str, number: str, contact: str) -> None:
    with tx(session):
        dupre = f.customer(session, "Brasserie Dupré & Fils", customer_number="C100001")
        f.contact(session, dupre, fax="+3225551234")
        peeters = f.customer(session, "Bouwgroep Peeters", customer_number="C100002")
        f.contact(session, peeters, first_name="Joost", last_name="Vermeulen",
                  phone="+3242223344", language="nl")
    verdict = trial.try_message(session, sample(name).decode("utf-8", "surrogateescape"))
    assert (verdict.fax_gateway, verdict.fax_number) == (gateway, number)
    assert verdict.contact is not None and verdict.contact.startswith(contact)
    assert verdict.result == "created" and verdict.channel == "fax"
    assert verdict.matched_by == f"the number {number}"
    # Nothing was stored.
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
    assert session.scalar(select(func.count()).select_from(Enquiry)) == 0
    # Without its gateway in the edited settings the same message is plain e-mail.
    form = intake_settings.load_form(session=session)
    from dataclasses import replace
    others = tuple(g for g in form.fax_gateways if g["name"] != gateway)
    plain = trial.try_message(session, sample(name), replace(form, fax_gateways=others))
    assert plain.fax_gateway is None and plain.channel != "fax"


def test_automatic_mail_rules_are_the_settings(engine: Engine, session: Session,
                                               admin: UserInfo) -> None:
    ticket = (b"From: Portal <robot@portal.example>\r\nTo: support@csol.example\r\n"
              b"Subject: RE: Ticket received - 4411\r\nMessage-ID: <t1@portal.example>\r\n"
              b"\r\nWe received your message about invoice INV-2026-000001.\r\n")
    assert trial.try_message(session, ticket).result == "created"
    from dataclasses import replace
    form = intake_settings.load_form(session=session)
    form = replace(form, automatic=intake_settings.AutomaticMail(
        extra_subjects=("Ticket received",)))
    assert trial.try_message(session, ticket, form).automatic == (
        "subject starts with “Ticket received” (intake settings)")
    with tx(session):
        intake_settings.save(session=session, form=form, by=admin)
    outcome = pipeline.receive(engine, ticket, "smtp", now=T0)
    assert (outcome.result, outcome.detail) == (
        "ignored", "subject starts with “Ticket received” (intake settings)")
    # A check switched off lets such mail through.
    bounce = sample("15_autoreply_de_precedence.eml")
    rules = intake_settings.AutomaticMail()
    parsed = mime.parse(bounce)
    assert classify.automatic_reason(parsed, frozenset(), rules) is not None
    off = intake_settings.AutomaticMail(checks={k: False for k in
                                                intake_settings.AUTOMATIC_CHECKS})
    assert classify.automatic_reason(parsed, frozenset(), off) is None


def test_the_tester_refuses_a_paste_that_is_no_message(session: Session) -> None:
    with pytest.raises(ValidationError, match="headers"):
        trial.try_message(session, "just a line I copied")
    with pytest.raises(ValidationError, match="Paste a message"):
        trial.try_message(session, "   ")


# --- outbox -------------------------------------------------------------------------------

class Recording:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(envelope.original_content or envelope.content)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(m, policy=policy.default)  # type: ignore[misc]
                for m in self.received]


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSettings, Recording]]:
    handler = Recording()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSettings(host="127.0.0.1", port=port, from_address="support@csol.example",
                           timeout_seconds=5), handler
    finally:
        controller.stop()


def failed_message(session: Session, to: str, error: str, *, at: datetime = T0) -> int:
    message_id = outbox.enqueue(session=session, kind="notification", to_address=to,
                                subject="Nieuwe factuur INV-2026-000555",
                                body_text="In bijlage.", now=at)
    session.flush()
    message = session.get_one(OutboundMessage, message_id)
    message.status, message.attempts, message.last_error = "failed", 5, error
    message.next_attempt_at = None
    return message_id


def test_a_failed_mail_is_sent_again_through_a_real_server(
        engine: Engine, session: Session, admin: UserInfo,
        smtp: tuple[SmtpSettings, Recording]) -> None:
    settings, handler = smtp
    with tx(session):
        first = failed_message(session, "griet@buysse.example",
                               "550 5.1.1 <griet@buysse.example>: user unknown")
        other = failed_message(session, "bart@smet.example", "421 try later")
    rows, total = outbox.list_outbox(session=session, filters=outbox.OutboxFilter(
        statuses=("failed",), recipient="GRIET"))
    assert total == 1 and [r.id for r in rows] == [first]
    assert rows[0].error_in_words == (
        "The recipient's mail server says this mailbox does not exist. Check the address "
        "with the customer. It is not tried again by itself. (Server said: 550 5.1.1 "
        "<griet@buysse.example>: user unknown)")
    with tx(session):
        outbox.resend(session=session, outbound_message_id=first, by_id=admin.id,
                      by_username=admin.username, now=T0)
    report = sender.deliver(engine=engine, smtp=settings, now=T0 + timedelta(seconds=1))
    assert report.sent == 1
    [mail] = handler.messages()
    assert mail["To"] == "griet@buysse.example"
    with Session(engine) as s:
        assert s.get_one(OutboundMessage, first).status == "sent"
        assert s.get_one(OutboundMessage, other).status == "failed"
        [row] = audit_rows(s, "email_resent")
        assert (row.user_id, row.entity_id) == (admin.id, first)
        assert row.before == {"status": "failed", "attempts": 5,
                              "error": "550 5.1.1 <griet@buysse.example>: user unknown"}
        assert row.after == {"status": "queued", "attempts": 0}
        with pytest.raises(ValueError, match="this one is sent now"), tx(s):
            outbox.resend(session=s, outbound_message_id=first, by_id=admin.id,
                          by_username=admin.username, now=T0)
        with tx(s):
            outbox.cancel(session=s, outbound_message_id=other, by_id=admin.id,
                          by_username=admin.username)
    assert sender.deliver(engine=engine, smtp=settings, now=T0 + timedelta(hours=2)).sent == 0
    with Session(engine) as s:
        assert s.get_one(OutboundMessage, other).status == "cancelled"
        [row] = audit_rows(s, "email_cancelled")
        assert (row.before, row.after) == ({"status": "failed"}, {"status": "cancelled"})
        rows, _ = outbox.list_outbox(session=s, filters=outbox.OutboxFilter(
            since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)))
        assert {r.status for r in rows} == {"sent", "cancelled"}
        assert outbox.list_outbox(session=s, filters=outbox.OutboxFilter(
            since=T0 + timedelta(days=1)))[1] == 0


@pytest.mark.parametrize(("error", "start"), [
    ("421 4.7.0 Try again later", "The mail server closed the connection for now"),
    ("SMTP server mail.csol.example:25 unavailable: 421 4.3.2 Service shutting down",
     "The mail server closed the connection for now"),
    ("552 5.3.4 Message size exceeds fixed limit", "The message is larger than the"),
    ("535 5.7.8 Authentication credentials invalid", "The mail server refused our sign-in"),
    ("SMTP server mail.csol.example:587 unavailable: ConnectionRefusedError: [Errno 111] "
     "Connection refused", "Our mail server refused the connection"),
    ("SMTP server x:25 unavailable: gaierror: [Errno -2] Name or service not known",
     "The mail server's name could not be looked up"),
    ("Delivery was interrupted (the sender stopped); it will be tried again.",
     "Delivery was interrupted because the sender stopped."),
    ("599 something new", "The mail server refused the message for good."),
    ("ValueError: odd", "The e-mail could not be delivered."),
])
def test_delivery_errors_are_said_in_words(error: str, start: str) -> None:
    said = outbox.explain_error(error)
    assert said.startswith(start) and error.splitlines()[0] in said


def test_the_real_sender_errors_read_as_sentences(
        engine: Engine, session: Session) -> None:
    """An unreachable relay, as the sender records it, reads as a sentence."""
    with tx(session):
        message_id = outbox.enqueue(session=session, kind="reply", to_address="a@b.be",
                                    subject="x", body_text="y", now=T0)
    closed = SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=2)
    sender.deliver(engine=engine, smtp=closed, now=T0)
    with Session(engine) as s:
        error = s.get_one(OutboundMessage, message_id).last_error
    assert error is not None
    assert outbox.explain_error(error).startswith("Our mail server refused the connection")


# --- audit log ----------------------------------------------------------------------------

def test_the_log_filters_by_who_what_entity_customer_and_period(
        session: Session, admin: UserInfo, lead: UserInfo) -> None:
    with tx(session):
        cust = f.customer(session, "Bouwgroep Peeters", customer_number="C100777")
        other = f.customer(session, "Smet & Zonen")
        mine = f.enquiry(session, customer_id=cust.id, created_at=T0)
        theirs = f.enquiry(session, customer_id=other.id, created_at=T0)
        workflow.add_note(session=session, enquiry_id=mine.id, body="Called back", by=lead,
                          now=T0)
        workflow.add_note(session=session, enquiry_id=theirs.id, body="Left a message",
                          by=admin, now=T0 + timedelta(days=2))
        canned_replies.create_reply(session=session, name="Shipping soon", category=None,
                                    texts=texts(), by=admin)
    everything, total = audit.search(session=session, filters=audit.AuditFilter())
    assert total == 3 and [r.action for r in everything][-1] == "enquiry_note"
    by_lead, _ = audit.search(session=session, filters=audit.AuditFilter(user_ids=(lead.id,)))
    assert [(r.action, r.entity_id, r.who) for r in by_lead] == [
        ("enquiry_note", mine.id, "Marc Dubois")]
    assert by_lead[0].after is not None and by_lead[0].after["note"] == "Called back"
    customer_id = audit.customer_id_for(session=session, customer_number=" c100777 ")
    assert customer_id == cust.id
    about, _ = audit.search(session=session, filters=audit.AuditFilter(customer_id=cust.id))
    assert [r.entity_id for r in about] == [mine.id]
    replies, _ = audit.search(session=session, filters=audit.AuditFilter(
        actions=("canned_reply_created",), entity_type="canned_reply"))
    assert len(replies) == 1
    with tx(session):  # a sign-in a week ago: the period filter leaves it out
        session.add(AuditLog(occurred_at=datetime.now(UTC) - timedelta(days=7),
                             action="login", user_id=lead.id, username="marc"))
    now = datetime.now(UTC)
    assert audit.search(session=session, filters=audit.AuditFilter(
        since=now - timedelta(hours=1), until=now + timedelta(hours=1)))[1] == 3
    assert audit.search(session=session, filters=audit.AuditFilter(
        until=now - timedelta(days=1)))[1] == 1
    people, actions, entities = audit.filter_options(session=session)
    assert [p for _, p in people] == ["Claire Weber (signs in as claire)",
                                      "Marc Dubois (signs in as marc)"]
    assert actions == ["canned_reply_created", "enquiry_note", "login"]
    assert entities == ["canned_reply", "enquiry"]


def test_before_and_after_read_field_by_field() -> None:
    assert audit.changes({"subject_en": "Old", "is_active": True},
                         {"subject_en": "New", "name": "X"}) == [
        audit.Change("subject_en", "Old", "New"), audit.Change("name", None, "X"),
        audit.Change("is_active", True, None)]
    assert audit.changes(None, None) == []


def test_the_export_is_belgian_csv_and_xlsx(session: Session, admin: UserInfo) -> None:
    from dashboard.documents import tables

    with tx(session):
        reply_id = canned_replies.create_reply(session=session, name="=HYPERLINK(1)",
                                               category="orders", texts=texts(), by=admin)
        canned_replies.update_reply(session=session, reply_id=reply_id, expected_version=1,
                                    name="Shipping soon", category="orders", texts=texts(),
                                    by=admin)
    rows, _ = audit.search(session=session, filters=audit.AuditFilter())
    frame = pd.DataFrame([{"What": r.action, "Field": c.field, "Before": c.before,
                           "After": c.after} for r in rows
                          for c in audit.changes(r.before, r.after)])
    data = tables.to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
    assert b"'=HYPERLINK(1)" in data and b"\n=HYPERLINK" not in data
    from tests.test_documents import xlsx_sheet

    cells, _ = xlsx_sheet(tables.to_xlsx(frame, sheet_name="audit-log"), 1)
    assert cells["A1"] == "What" and cells[f"A{len(frame) + 1}"] == "canned_reply_created"
    assert "=HYPERLINK(1)" in cells.values()  # text in a cell, not a formula


def test_migration_keeps_the_outbox_and_its_attachments(engine: Engine) -> None:
    """0013 rebuilds the outbox table on SQLite: the rows and the attachments' links stay,
    and a cancelled e-mail can be stored afterwards."""
    from sqlalchemy import text

    from db.migrate import downgrade, upgrade

    downgrade(engine, "0010")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO outbound_messages (id, kind, to_address, subject, body_text, "
            "message_id, status, attempts, created_at) VALUES (7, 'reply', 'a@b.be', 'S', "
            "'B', '<m7@csol.example>', 'failed', 6, '2026-11-17 09:30:00')"))
        conn.execute(text(
            "INSERT INTO attachments (outbound_message_id, filename, content_type, "
            "size_bytes, sha256, content) VALUES (7, 'x.pdf', 'application/pdf', 1, 'ab', "
            ":content)"), {"content": b"x"})
        conn.execute(text(
            "INSERT INTO canned_replies (name, language, subject, body, is_active) "
            "VALUES ('Old', 'en', 'S', 'B', true)"))
    upgrade(engine)
    with Session(engine) as s, s.begin():
        message = s.get_one(OutboundMessage, 7)
        assert (message.status, message.attempts) == ("failed", 6)
        assert s.scalar(select(func.count()).select_from(AttachmentRow)
                        .where(AttachmentRow.outbound_message_id == 7)) == 1
        assert s.scalars(select(CannedReply.version)).one() == 1
        outbox.cancel(session=s, outbound_message_id=7, by_id=None, by_username=None)
    with Session(engine) as s:
        assert s.get_one(OutboundMessage, 7).status == "cancelled"
