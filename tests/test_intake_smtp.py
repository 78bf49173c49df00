"""The corpus through the real SMTP listener (aiosmtpd on 127.0.0.1), on both databases:
nothing is lost, nothing is filed twice, and the command-line listener stops cleanly."""

from __future__ import annotations

import os
import re
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
    "msg_16.txt": IGNORED,  # a bounce (multipart/report, Precedence: bulk)
    "msg_25.txt": IGNORED,  # a bounce from MAILER-DAEMON, boundary cut off
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def on_the_wire(path: Path) -> bytes:
    """The file with CRLF line ends, as SMTP carries it (CPython's files have LF)."""
    return re.sub(rb"\r?\n", b"\r\n", path.read_bytes())


def send(port: int, files: list[Path]) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for path in files:
            sender = "" if "bounce" in path.name or path.name == "msg_25.txt" else "x@y.example"
            client.sendmail(sender, ["support@csol.example"], on_the_wire(path))


def totals(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {model.__name__: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for model in (InboundMessage, Enquiry, EnquiryEvent, Attachment, AuditLog)}


def test_corpus_through_the_listener_twice_loses_nothing_and_files_nothing_twice(
        engine: Engine, session: Session) -> None:
    world: World = build_world(session)
    files = OWN + CPYTHON
    port = free_port()
    with smtp.listening(engine, "127.0.0.1", port) as handler:
        send(port, files)
        first = totals(engine)
        send(port, files)
        second = totals(engine)

    assert first == second  # re-delivery added nothing at all
    assert handler.counts["duplicate"] == len(files)
    with Session(engine) as s:
        stored = s.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
        assert len(stored) == len(files)
        outcomes = {path.name: outcome_of(s, row) for path, row in zip(files, stored,
                                                                     strict=True)}
        results = Counter(o.result for o in outcomes.values())
        # Every message is an enquiry, a message on one, a suppressed automatic message,
        # or in quarantine, and the four add up to what was sent.
        assert set(results) <= {CREATED, THREADED, IGNORED, QUARANTINED}
        assert sum(results.values()) == len(files)
        assert results[CREATED] == first["Enquiry"] - 1  # the world's own enquiry
        for name, expected in EXPECTED.items():
            assert outcomes[name].result == expected, (name, outcomes[name])
        assert all(o.result in (CREATED, IGNORED) for n, o in outcomes.items()
                   if n.startswith("msg_"))
        assert outcomes["17_reply_enquiry_tag.eml"].enquiry_id == world.waiting
        assert outcomes["18_reply_to_outbound_reply.eml"].enquiry_id == world.waiting
        assert (outcomes["16_reply_in_reply_to.eml"].enquiry_id
                == outcomes["01_fr_encoded_words_invoice.eml"].enquiry_id)
        waiting = s.get(Enquiry, world.waiting)
        assert waiting is not None and waiting.status == "open"  # the customer answered
        fax = s.get(Enquiry, outcomes["08_hylafax.eml"].enquiry_id)
        assert fax is not None and (fax.channel, fax.contact_id) == ("fax", world.fax_contact)
        kept = s.scalars(select(InboundMessage.raw).where(InboundMessage.status
                                                          == "quarantined")).one()
        assert b"binary junk" in kept
        assert handler.counts[CREATED] == results[CREATED]
    assert first["EnquiryEvent"] > first["Enquiry"]


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
