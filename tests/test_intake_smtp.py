"""The corpus through the real SMTP listener (aiosmtpd on 127.0.0.1), on both databases:
nothing is lost, nothing is filed twice, and the command-line listener stops cleanly."""

from __future__ import annotations

import hashlib
import os
import signal
import smtplib
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from dashboard.__main__ import main
from dashboard.intake import CREATED, IGNORED, QUARANTINED, THREADED, outcome_of, smtp
from db.models import Attachment, AuditLog, Enquiry, EnquiryEvent, InboundMessage
from tests.test_intake_pipeline import World, build_world

DATA = Path(__file__).resolve().parent / "data" / "email"
OWN = sorted(DATA.glob("*.eml"))
CPYTHON = sorted((DATA / "cpython").glob("msg_*.txt"))
EXPECTED = {
    "01_fr_encoded_words_invoice.eml": CREATED,
    "02_nl_utf8_base64_order.eml": CREATED,
    "03_de_split_words_wrong_charset.eml": CREATED,
    "04_wrong_charset_raw_8bit_header.eml": CREATED,
    "05_unknown_charsets.eml": CREATED,
    "06_missing_boundary_with_pdf.eml": CREATED,
    "07_html_only.eml": CREATED,
    "08_hylafax.eml": CREATED,
    "09_efax.eml": CREATED,
    "10_bounce_dsn.eml": IGNORED,
    "11_read_receipt.eml": IGNORED,
    "12_autoreply_en.eml": IGNORED,
    "13_autoreply_fr_absence.eml": IGNORED,
    "14_autoreply_nl_subject_only.eml": IGNORED,
    "15_autoreply_de_precedence.eml": IGNORED,
    "16_reply_in_reply_to.eml": THREADED,
    "17_reply_enquiry_tag.eml": THREADED,
    "18_reply_to_outbound_reply.eml": THREADED,
    "19_unknown_sender_names_invoice.eml": CREATED,
    "20_structured_reference.eml": CREATED,
    "21_not_an_email.eml": QUARANTINED,
    "22_fax_number_as_phone.eml": CREATED,
    "23_hylafax_faxrcvd_pdf.eml": CREATED,
    "24_hylafax_template_fr_tsi_name.eml": CREATED,
    "25_efax_inbound.eml": CREATED,
    "msg_16.txt": IGNORED,  # a bounce (multipart/report, Precedence: bulk)
    "msg_25.txt": IGNORED,  # a bounce from MAILER-DAEMON, boundary cut off
    "msg_43.txt": IGNORED,  # a bounce (multipart/report)
    # MIME fragments without From, Subject or Message-ID: kept raw in quarantine.
    **dict.fromkeys(("msg_18.txt", "msg_19.txt", "msg_37.txt", "msg_38.txt", "msg_39.txt",
                     "msg_40.txt"), QUARANTINED),
}
FAXES = {"08_hylafax.eml", "09_efax.eml", "22_fax_number_as_phone.eml",
         "23_hylafax_faxrcvd_pdf.eml", "24_hylafax_template_fr_tsi_name.eml",
         "25_efax_inbound.eml"}
# Different messages that share a Message-ID in CPython's set; the later ones reuse it.
REUSED_MESSAGE_ID = {"msg_03.txt": "msg_01.txt", "msg_14.txt": "msg_01.txt",
                     "msg_20.txt": "msg_01.txt", "msg_29.txt": "msg_01.txt",
                     "msg_44.txt": "msg_04.txt"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def send(port: int, files: list[Path]) -> None:
    """Each file's bytes exactly as they are, as a script or gateway hands them to smtplib
    (CPython's files have bare LF line ends: to the listener each is one long line)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for path in files:
            sender = "" if "bounce" in path.name or path.name == "msg_25.txt" else "x@y.example"
            client.sendmail(sender, ["support@csol.example"], path.read_bytes())


def totals(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {model.__name__: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for model in (InboundMessage, Enquiry, EnquiryEvent, Attachment, AuditLog)}


def test_all_48_cpython_messages_are_there() -> None:
    names = {path.name for path in CPYTHON}
    assert names == {f"msg_{n:02d}.txt" for n in range(1, 48)} | {"msg_12a.txt"}
    sums = dict(line.split()[::-1] for line in
                (DATA / "cpython" / "SHA256SUMS").read_text().splitlines())
    assert {name: hashlib.sha256((DATA / "cpython" / name).read_bytes()).hexdigest()
            for name in names} == sums
    assert (DATA / "cpython" / "LICENSE.txt").read_text().startswith("A. HISTORY OF THE")
    long_lines = [p.name for p in CPYTHON if b"\r\n" not in p.read_bytes()
                  and len(p.read_bytes()) > 1001]
    assert len(long_lines) >= 11  # one "line" each for a CRLF reader: refused by default


def test_corpus_through_the_listener_twice_loses_nothing_and_files_nothing_twice(
        engine: Engine, session: Session) -> None:
    world: World = build_world(session)
    files = OWN + CPYTHON
    port = free_port()
    with smtp.listening(engine, "127.0.0.1", port) as handler:
        send(port, files)  # smtplib raises on any refusal: every message was answered 250
        first = totals(engine)
        send(port, files)
        second = totals(engine)

    assert first == second  # re-delivery added nothing at all
    assert handler.counts["duplicate"] == len(files)
    with Session(engine) as s:
        stored = s.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
        assert len(stored) == len(files)  # each stored once, none taken for another
        by_name = dict(zip((p.name for p in files), stored, strict=True))
        for path in files:  # raw first: the bytes as sent (smtplib ends the data with CRLF)
            raw = by_name[path.name].raw
            assert raw in (path.read_bytes(), path.read_bytes() + b"\r\n"), path.name
        outcomes = {name: outcome_of(s, row) for name, row in by_name.items()}
        results = Counter(o.result for o in outcomes.values())
        # Every message is an enquiry, a message on one, set aside as automatic, or in
        # quarantine, and the four add up to what was sent.
        assert set(results) <= {CREATED, THREADED, IGNORED, QUARANTINED}
        assert sum(results.values()) == len(files)
        assert results[CREATED] == first["Enquiry"] - 1  # the world's own enquiry
        for name, expected in EXPECTED.items():
            assert outcomes[name].result == expected, (name, outcomes[name])
        assert all(o.result != QUARANTINED for n, o in outcomes.items() if n not in EXPECTED)
        assert outcomes["17_reply_enquiry_tag.eml"].enquiry_id == world.waiting
        assert outcomes["18_reply_to_outbound_reply.eml"].enquiry_id == world.waiting
        assert (outcomes["16_reply_in_reply_to.eml"].enquiry_id
                == outcomes["01_fr_encoded_words_invoice.eml"].enquiry_id)
        waiting = s.get(Enquiry, world.waiting)
        assert waiting is not None and waiting.status == "open"  # the customer answered
        channels = {name: s.scalar(select(Enquiry.channel).where(
            Enquiry.id == outcomes[name].enquiry_id)) for name in FAXES}
        assert set(channels.values()) == {"fax"}, channels
        fax = s.get(Enquiry, outcomes["23_hylafax_faxrcvd_pdf.eml"].enquiry_id)
        assert fax is not None and (fax.channel, fax.contact_id) == ("fax", world.fax_contact)
        assert b"binary junk" in by_name["21_not_an_email.eml"].raw
        # A reused Message-ID: stored, processed and noted, on the message's own enquiry.
        reused = s.scalars(select(AuditLog).where(
            AuditLog.action == "intake_message_id_reused")).all()
        assert {a.entity_id: (a.after or {})["earlier_inbound_ids"][0] for a in reused} == {
            by_name[later].id: by_name[earlier].id
            for later, earlier in REUSED_MESSAGE_ID.items()}
        for later in REUSED_MESSAGE_ID:
            if outcomes[later].enquiry_id is not None:
                assert s.scalar(select(func.count()).select_from(EnquiryEvent).where(
                    EnquiryEvent.enquiry_id == outcomes[later].enquiry_id,
                    EnquiryEvent.kind == "note",
                    EnquiryEvent.inbound_message_id == by_name[later].id)) == 1, later
        assert handler.counts[CREATED] == results[CREATED]
    assert first["EnquiryEvent"] > first["Enquiry"]


def test_long_lines_are_taken_and_only_size_is_refused(engine: Engine, session: Session) -> None:
    build_world(session)
    html_line = "<p>" + "Bonjour, voici notre question sur la facture INV-2026-000101. " * 200
    long_line = (f"From: Anne Dupre <anne.dupre@brasserie-dupre.be>\r\nTo: support@csol.example"
                 f"\r\nSubject: Facture\r\nMessage-ID: <long@brasserie-dupre.be>\r\n"
                 f"Content-Type: text/html; charset=utf-8\r\n\r\n{html_line}</p>\r\n").encode()
    assert max(len(line) for line in long_line.split(b"\r\n")) > 10_000
    port = free_port()
    with (smtp.listening(engine, "127.0.0.1", port) as handler,
          smtplib.SMTP("127.0.0.1", port, timeout=30) as client):
        client.sendmail("x@y.example", ["support@csol.example"], long_line)
        too_big = long_line + b"x" * smtp.MAX_MESSAGE_BYTES
        with pytest.raises(smtplib.SMTPException) as refused:
            client.sendmail("x@y.example", ["support@csol.example"], too_big)
    assert getattr(refused.value, "smtp_code", None) == 552  # the sender is told, not lost
    assert handler.counts[CREATED] == 1
    with Session(engine) as s:
        [stored] = s.scalars(select(InboundMessage)).all()
        assert stored.raw == long_line and stored.status == "processed"


def cli_url(engine: Engine) -> str:
    """The URL the command line needs to reach the test database (and schema)."""
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = conn.execute(text("select current_schema()")).scalar_one()
    return engine.url.update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def test_command_line_listener_receives_until_interrupted(
        engine: Engine, session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    build_world(session)
    port = free_port()
    problems: list[BaseException] = []

    def deliver_then_interrupt() -> None:
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    send(port, [DATA / "01_fr_encoded_words_invoice.eml"])
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        except BaseException as exc:
            problems.append(exc)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    handler_before = signal.getsignal(signal.SIGINT)
    threading.Thread(target=deliver_then_interrupt, daemon=True).start()
    code = main(["--database-url", cli_url(engine), "intake", "smtp", "--host", "127.0.0.1",
                 "--port", str(port)])
    assert problems == [] and code == 0
    out = capsys.readouterr().out
    assert f"Receiving mail on 127.0.0.1:{port}" in out
    assert out.rstrip().endswith("Stopped. Received 1 created.")
    assert signal.getsignal(signal.SIGINT) is handler_before
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Enquiry)) == 2
