"""The outbox and its SMTP sender, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from dashboard.__main__ import main
from dashboard.config import ConfigError, SmtpSettings, load_smtp_settings
from dashboard.mail import sender
from dashboard.services import outbox
from dashboard.services.outbox import OutboundAttachment
from db.engine import make_engine
from db.models import Attachment, AuditLog, OutboundMessage
from tests import factories as f

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
FROM = "Customer Support <support@csol.example>"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # every byte value, CR and LF too


# --- a real SMTP server -------------------------------------------------------------------

class RecordingHandler:
    """Keeps what it accepts; answers RCPT and DATA from a script first when given one."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.rcpt_replies: list[str] = []  # used in turn, then "250 OK"
        self.data_replies: list[str] = []
        self.refused: dict[str, str] = {}  # address -> reply, for ever

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return self.refused[address]
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
                for _, _, raw in self.received]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(handler: RecordingHandler, **options: Any) -> Iterator[SmtpSettings]:
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpSettings(host="127.0.0.1", port=port, from_address=FROM, timeout_seconds=5)
    finally:
        controller.stop()


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp(handler: RecordingHandler) -> Iterator[SmtpSettings]:
    with smtp_server(handler) as settings:
        yield settings


# --- helpers ------------------------------------------------------------------------------

def queue(session: Session, to: str = "anne.dupre@brasserie-dupre.be", **kw: Any) -> int:
    kw.setdefault("kind", "notification")
    kw.setdefault("subject", "New invoice released")
    kw.setdefault("body_text", "Bonjour,\nVotre facture est disponible.\n")
    message_id = outbox.enqueue(session=session, to_address=to, now=kw.pop("now", T0), **kw)
    session.commit()
    return message_id


def state(engine: Engine, message_id: int) -> outbox.DeliveryState:
    with Session(engine) as s:
        found = outbox.delivery_state(session=s, outbound_message_id=message_id)
    assert found is not None
    return found


def deliver(engine: Engine, smtp: SmtpSettings, now: datetime = T0) -> sender.DeliveryReport:
    return sender.deliver(engine=engine, smtp=smtp, now=now)


# --- delivery -----------------------------------------------------------------------------

def test_enquiry_reply_with_pdf_arrives_intact(
        engine: Engine, session: Session, smtp: SmtpSettings, handler: RecordingHandler) -> None:
    rep = f.user(session)
    customer = f.customer(session)
    enquiry = f.enquiry(session, customer_id=customer.id, reference="ENQ-2026-000123")
    message_id = queue(
        session, kind="reply", subject="Re: Copie de la facture", enquiry_id=enquiry.id,
        body_text="Bonjour Madame Dupré,\n\nVeuillez trouver la facture en annexe.\n",
        in_reply_to="<first@brasserie-dupre.be>",
        references="<first@brasserie-dupre.be>", created_by=rep.id,
        attachments=[OutboundAttachment("INV-2026-000042.pdf", "application/pdf", PDF)])

    report = deliver(engine, smtp)

    assert report == sender.DeliveryReport(sent=1)
    stored = session.get_one(OutboundMessage, message_id)
    [(mail_from, rcpt_tos, _)] = handler.received
    assert (mail_from, rcpt_tos) == ("support@csol.example", ["anne.dupre@brasserie-dupre.be"])
    [received] = handler.messages()
    assert received["From"] == FROM
    assert received["To"] == "anne.dupre@brasserie-dupre.be"
    assert received["Subject"] == "Re: Copie de la facture [ENQ-2026-000123]"
    assert received["Message-ID"] == stored.message_id
    assert stored.message_id.endswith("@csol.example>")
    assert received["In-Reply-To"] == "<first@brasserie-dupre.be>"
    assert received["References"] == "<first@brasserie-dupre.be>"
    assert received["Date"] is not None
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and "Madame Dupré" in body.get_content()
    [pdf] = list(received.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "INV-2026-000042.pdf"
    assert pdf.get_content() == PDF


def test_sent_message_is_recorded_with_attachment_and_audit(
        engine: Engine, session: Session, smtp: SmtpSettings) -> None:
    csv = b"date;amount\n2026-10-01;121,00\n"
    message_id = queue(session, customer_id=f.customer(session).id,
                       attachments=[OutboundAttachment("statement.csv", "text/csv", csv)])
    deliver(engine, smtp)

    sent = state(engine, message_id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 1, T0, None)
    [row] = session.scalars(select(Attachment).where(Attachment.outbound_message_id == message_id))
    assert (row.size_bytes, row.content_type, row.content) == (len(csv), "text/csv", csv)
    assert row.sha256 == hashlib.sha256(csv).hexdigest()
    actions = session.scalars(select(AuditLog.action).where(AuditLog.entity_id == message_id,
                                                            AuditLog.entity_type ==
                                                            "outbound_message")).all()
    assert sorted(actions) == ["email_queued", "email_sent"]


def test_nothing_is_sent_twice(engine: Engine, session: Session, smtp: SmtpSettings,
                               handler: RecordingHandler) -> None:
    for n in range(3):
        queue(session, to=f"finance{n}@brasserie-dupre.be")

    first = deliver(engine, smtp)
    second = deliver(engine, smtp, now=T0 + timedelta(days=1))

    assert (first.sent, second.attempted) == (3, 0)
    assert sorted(to for _, [to], _ in handler.received) == [
        "finance0@brasserie-dupre.be", "finance1@brasserie-dupre.be",
        "finance2@brasserie-dupre.be"]


def test_a_message_is_not_sent_before_it_is_due(engine: Engine, session: Session,
                                                smtp: SmtpSettings) -> None:
    message_id = queue(session, now=T0)
    assert deliver(engine, smtp, now=T0 - timedelta(seconds=1)).attempted == 0
    assert state(engine, message_id).status == "queued"


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_temporary_refusal_is_retried_with_growing_delays(
        engine: Engine, session: Session, smtp: SmtpSettings, handler: RecordingHandler,
        stage: str) -> None:
    replies = handler.rcpt_replies if stage == "rcpt" else handler.data_replies
    replies.extend(["451 try later", "451 try later"])
    message_id = queue(session)

    assert deliver(engine, smtp, now=T0) == sender.DeliveryReport(retrying=1)
    first = state(engine, message_id)
    assert (first.status, first.attempts) == ("queued", 1)
    assert first.last_error is not None and "451 try later" in first.last_error
    assert first.next_attempt_at == T0 + timedelta(minutes=1)

    assert deliver(engine, smtp, now=T0 + timedelta(seconds=59)).attempted == 0
    assert deliver(engine, smtp, now=T0 + timedelta(minutes=1)).retrying == 1
    assert state(engine, message_id).next_attempt_at == T0 + timedelta(minutes=1 + 2)

    assert deliver(engine, smtp, now=T0 + timedelta(minutes=3)).sent == 1
    done = state(engine, message_id)
    assert (done.status, done.attempts, done.sent_at) == ("sent", 3, T0 + timedelta(minutes=3))
    assert len(handler.received) == 1


def test_gives_up_after_the_last_attempt(engine: Engine, session: Session, smtp: SmtpSettings,
                                         handler: RecordingHandler) -> None:
    handler.rcpt_replies.extend(["421 busy, come back later"] * outbox.MAX_ATTEMPTS)
    message_id = queue(session)
    now = T0
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        report = deliver(engine, smtp, now=now)
        assert report.attempted == 1
        now += outbox.retry_delay(attempt)

    failed = state(engine, message_id)
    assert (failed.status, failed.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert failed.last_error is not None and "421" in failed.last_error
    assert deliver(engine, smtp, now=now + timedelta(days=7)).attempted == 0
    assert handler.received == []


def test_retry_delays_double_up_to_an_hour() -> None:
    delays = [outbox.retry_delay(n) for n in range(1, 10)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_permanent_refusal_fails_for_good_without_blocking_others(
        engine: Engine, session: Session, smtp: SmtpSettings, handler: RecordingHandler) -> None:
    handler.refused["nobody@brasserie-dupre.be"] = "550 no such user"
    bad = queue(session, to="nobody@brasserie-dupre.be")
    good = queue(session, to="anne.dupre@brasserie-dupre.be")

    assert deliver(engine, smtp) == sender.DeliveryReport(sent=1, failed=1)

    failed = state(engine, bad)
    assert (failed.status, failed.attempts, failed.sent_at) == ("failed", 1, None)
    assert failed.last_error == "550 no such user (nobody@brasserie-dupre.be)"
    assert state(engine, good).status == "sent"
    assert deliver(engine, smtp, now=T0 + timedelta(days=1)).attempted == 0
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "email_failed")).one()
    assert audit.entity_id == bad


def test_unreachable_server_stops_the_run_and_costs_one_attempt(
        engine: Engine, session: Session) -> None:
    first, second = queue(session), queue(session, to="bob@example.lu")
    nowhere = SmtpSettings(host="127.0.0.1", port=_free_port(), from_address=FROM,
                           timeout_seconds=2)

    report = deliver(engine, nowhere)

    assert (report.retrying, report.attempted) == (1, 1)
    assert report.relay_error is not None and "unavailable" in report.relay_error
    assert state(engine, first).attempts == 1
    untouched = state(engine, second)
    assert (untouched.status, untouched.attempts) == ("queued", 0)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_sign_in_to_the_server_and_never_show_the_password(
        engine: Engine, session: Session, handler: RecordingHandler,
        caplog: pytest.LogCaptureFixture) -> None:
    def authenticator(server: Any, sess: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and (auth_data.login, auth_data.password) == (b"csol", b"s3cret-pw"))
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    good = queue(session)
    with smtp_server(handler, authenticator=authenticator, auth_required=True,
                     auth_require_tls=False) as settings:
        signed_in = replace(settings, username="csol", password="s3cret-pw")
        assert deliver(engine, signed_in).sent == 1
        bad = queue(session, to="bob@example.lu")
        wrong = replace(settings, username="csol", password="wrong-pw-123")
        report = deliver(engine, wrong)

    assert state(engine, good).status == "sent"
    assert report.relay_error is not None and "535" in report.relay_error
    refused = state(engine, bad)
    assert refused.status == "queued" and refused.last_error is not None
    for shown in (report.relay_error, refused.last_error, caplog.text, repr(wrong)):
        assert "wrong-pw-123" not in shown and "s3cret-pw" not in shown


# --- claiming -----------------------------------------------------------------------------

def test_interrupted_send_is_requeued_after_the_lease(engine: Engine, session: Session) -> None:
    message_id = queue(session)
    with Session(engine) as s, s.begin():
        assert outbox.claim_due(session=s, now=T0, limit=10) == [message_id]
    # The sender died here: no outcome recorded.
    with Session(engine) as s, s.begin():
        assert outbox.claim_due(session=s, now=T0 + timedelta(minutes=9), limit=10) == []
    with Session(engine) as s, s.begin():
        again = outbox.claim_due(session=s, now=T0 + outbox.SENDING_LEASE, limit=10)
    assert again == [message_id]
    interrupted = state(engine, message_id)
    assert (interrupted.status, interrupted.attempts) == ("sending", 1)
    assert interrupted.last_error is not None and "interrupted" in interrupted.last_error


def test_a_message_that_keeps_killing_the_sender_ends_failed(engine: Engine,
                                                             session: Session) -> None:
    message_id = queue(session)
    now = T0
    for _ in range(outbox.MAX_ATTEMPTS + 1):
        with Session(engine) as s, s.begin():
            outbox.claim_due(session=s, now=now, limit=10)
        now += outbox.SENDING_LEASE
    failed = state(engine, message_id)
    assert (failed.status, failed.attempts) == ("failed", outbox.MAX_ATTEMPTS)


def test_two_senders_never_claim_the_same_message(engine: Engine, session: Session) -> None:
    ids = {queue(session, to=f"buyer{n}@example.be") for n in range(40)}
    senders = 4
    start = threading.Barrier(senders)
    claimed: list[list[int]] = [[] for _ in range(senders)]
    errors: list[BaseException] = []

    def sender(mine: list[int]) -> None:
        try:
            start.wait()
            while True:
                with Session(engine) as s, s.begin():
                    batch = outbox.claim_due(session=s, now=T0, limit=3)
                if not batch:
                    return
                mine.extend(batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    every_claim = [message_id for mine in claimed for message_id in mine]
    assert sorted(every_claim) == sorted(ids)  # each exactly once
    assert sum(len(mine) for mine in claimed) == len(ids)


def test_postgres_skips_rows_another_sender_holds(engine: Engine, session: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's")
    ids = [queue(session, to=f"buyer{n}@example.be") for n in range(5)]
    with Session(engine) as first, first.begin():
        held = outbox.claim_due(session=first, now=T0, limit=2)
        with Session(engine) as second, second.begin():
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # fail, not hang, if it waits
            rest = outbox.claim_due(session=second, now=T0, limit=10)
    assert held == ids[:2]
    assert rest == ids[2:]


# --- queueing rules -----------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "", "anne", "anne@", "@brasserie-dupre.be", "anne@brasserie", "anne dupre@example.be",
    "anne@example.be, bob@example.be", "Anne <anne@example.be>", "anne@example..be",
    "anne@example.be\r\nBcc: everyone@example.be", "anne@example.be\n",
])
def test_invalid_addresses_are_refused(session: Session, address: str) -> None:
    with pytest.raises(ValueError, match="Enter a valid e-mail address"):
        queue(session, to=address)
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_address_is_trimmed(engine: Engine, session: Session) -> None:
    message_id = queue(session, to="  anne.dupre+factures@brasserie-dupre.be ")
    assert state(engine, message_id).to_address == "anne.dupre+factures@brasserie-dupre.be"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("subject", "Invoice\r\nBcc: everyone@example.be", "subject must be a single line"),
    ("subject", "Invoice\nX-Spam: no", "subject must be a single line"),
    ("subject", "   ", "Enter a subject"),
    ("in_reply_to", "<a@b>\r\nBcc: x@example.be", "In-Reply-To must be a single line"),
    ("references", "<a@b>\nBcc: x@example.be", "References must be a single line"),
    ("kind", "newsletter", "Kind must be one of"),
    ("attachments", [OutboundAttachment("a\r\nb.pdf", "application/pdf", b"x")],
     "file name must be a single line"),
    ("attachments", [OutboundAttachment("../etc/passwd", "text/plain", b"x")],
     "not a usable attachment file name"),
    ("attachments", [OutboundAttachment("a.pdf", "multipart/mixed", b"x")],
     "not a content type"),
])
def test_header_injection_and_bad_fields_are_refused(session: Session, field: str, value: Any,
                                                     message: str) -> None:
    with pytest.raises(ValueError, match=message):
        queue(session, **{field: value})


def test_enquiry_replies_carry_the_reference_once(engine: Engine, session: Session) -> None:
    customer = f.customer(session)
    enquiry = f.enquiry(session, customer_id=customer.id, reference="ENQ-2026-000777")
    tagged = queue(session, kind="reply", enquiry_id=enquiry.id, subject="Delivery date")
    already = queue(session, kind="reply", enquiry_id=enquiry.id,
                    subject="Re: [enq-2026-000777] Delivery date")
    unrelated = queue(session, subject="New invoice released")

    assert state(engine, tagged).subject == "Delivery date [ENQ-2026-000777]"
    assert state(engine, already).subject == "Re: [enq-2026-000777] Delivery date"
    assert state(engine, unrelated).subject == "New invoice released"
    # The enquiry's customer is filled in, so the customer's page lists the reply too.
    listed = outbox.list_for_customer(session=session, customer_id=customer.id)
    assert {row.id for row in listed} == {tagged, already}
    assert [row.id for row in outbox.list_for_enquiry(session=session, enquiry_id=enquiry.id)
            ] == [already, tagged]
    with pytest.raises(ValueError, match="no enquiry"):
        queue(session, kind="reply", enquiry_id=enquiry.id + 1000)


def test_delivery_state_for_pages(engine: Engine, session: Session, smtp: SmtpSettings,
                                  handler: RecordingHandler) -> None:
    customer = f.customer(session)
    handler.refused["gone@example.be"] = "550 mailbox unavailable"
    sent = queue(session, customer_id=customer.id, now=T0)
    failed = queue(session, to="gone@example.be", customer_id=customer.id, now=T0)
    deliver(engine, smtp)

    rows = {row.id: row for row in outbox.list_for_customer(session=session,
                                                            customer_id=customer.id)}
    assert (rows[sent].status, rows[sent].sent_at) == ("sent", T0)
    assert (rows[failed].status, rows[failed].last_error) == (
        "failed", "550 mailbox unavailable (gone@example.be)")
    assert outbox.delivery_state(session=session, outbound_message_id=10_000) is None
    with pytest.raises(AttributeError):
        rows[sent].status = "queued"  # type: ignore[misc]


# --- settings and the command line --------------------------------------------------------

def test_smtp_settings_from_environment_over_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HOST", "PORT", "USERNAME", "PASSWORD", "STARTTLS", "SSL", "FROM", "TIMEOUT"):
        monkeypatch.delenv(f"CSOL_SMTP_{key}", raising=False)
    secrets = {"smtp": {"host": "relay.example.be", "starttls": True, "username": "csol",
                        "password": "from-file", "from": "Support <support@vendor.be>"}}
    assert load_smtp_settings({}) == SmtpSettings()
    from_file = load_smtp_settings(secrets)
    assert (from_file.host, from_file.port, from_file.starttls) == ("relay.example.be", 587, True)
    assert from_file.envelope_from == "support@vendor.be"
    assert "from-file" not in repr(from_file)

    monkeypatch.setenv("CSOL_SMTP_PORT", "2525")
    monkeypatch.setenv("CSOL_SMTP_PASSWORD", "from-env")
    from_env = load_smtp_settings(secrets)
    assert (from_env.port, from_env.password) == (2525, "from-env")

    monkeypatch.setenv("CSOL_SMTP_SSL", "true")
    with pytest.raises(ConfigError, match="not both"):
        load_smtp_settings(secrets)
    monkeypatch.setenv("CSOL_SMTP_STARTTLS", "false")
    assert load_smtp_settings(secrets).ssl
    monkeypatch.setenv("CSOL_SMTP_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="port must be a number"):
        load_smtp_settings(secrets)


@pytest.fixture
def cli_database(sqlite_template: Path, tmp_path: Path, smtp: SmtpSettings,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A temporary SQLite database and the test SMTP server, configured as the CLI sees them."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CSOL_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("CSOL_SMTP_HOST", smtp.host)
    monkeypatch.setenv("CSOL_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CSOL_SMTP_FROM", FROM)
    for key in ("USERNAME", "PASSWORD", "STARTTLS", "SSL", "TIMEOUT"):
        monkeypatch.delenv(f"CSOL_SMTP_{key}", raising=False)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_command_line_sends_what_is_due(cli_database: Engine, handler: RecordingHandler,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with Session(cli_database) as s:
        queue(s, now=datetime.now(UTC))

    assert main(["outbox", "send"]) == 0

    assert "Sent 1, retrying 0, failed 0." in capsys.readouterr().out
    assert len(handler.received) == 1
    assert main(["outbox", "send"]) == 0
    assert "Sent 0" in capsys.readouterr().out
    assert len(handler.received) == 1


def test_command_line_loop_stops_cleanly_on_ctrl_c(
        cli_database: Engine, handler: RecordingHandler,
        capsys: pytest.CaptureFixture[str]) -> None:
    with Session(cli_database) as s:
        queue(s, now=datetime.now(UTC))

    def interrupt_once_delivered() -> None:
        deadline = time.monotonic() + 10
        while not handler.received and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    handler_before = signal.getsignal(signal.SIGINT)
    threading.Thread(target=interrupt_once_delivered, daemon=True).start()
    assert main(["outbox", "send", "--loop", "--interval", "0.1"]) == 0

    out = capsys.readouterr().out
    assert "Sent 1, retrying 0, failed 0." in out
    assert out.rstrip().endswith("Stopped.")
    assert signal.getsignal(signal.SIGINT) is handler_before


def test_command_line_refuses_unusable_settings(
        cli_database: Engine, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CSOL_SMTP_PORT", "99999")
    assert main(["outbox", "send"]) == 2
    assert "port between 1 and 65535" in capsys.readouterr().err
