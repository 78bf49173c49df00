"""The outbox sender: claims due e-mails, delivers them over SMTP, records how it went.

Each message is claimed, sent and recorded on its own, in short transactions, so one bad message
never holds up the others and no database lock is held while talking to the SMTP server.
Delivery is at least once: if the sender dies between the server's "250 OK" and recording it,
the message goes out again after its lease; its Message-ID stays the same, so mail clients
show it once.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from types import FrameType

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from dashboard.config import SmtpSettings
from dashboard.services import outbox
from dashboard.services.outbox import OutgoingMessage
from db.types import utcnow

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
SLEEP_STEP_SECONDS = 0.2


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Set when the SMTP server could not be reached or refused us: the run stopped early.
    relay_error: str | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def summary(self) -> str:
        line = f"Sent {self.sent}, retrying {self.retrying}, failed {self.failed}."
        return f"{line} Stopped early: {self.relay_error}" if self.relay_error else line


class RelayUnavailable(Exception):
    """The SMTP server cannot be used right now; no particular message is to blame."""


# --- one delivery run ---------------------------------------------------------------------

def deliver(*, engine: Engine, smtp: SmtpSettings, now: datetime | None = None,
            limit: int = DEFAULT_LIMIT, stop: threading.Event | None = None) -> DeliveryReport:
    """Deliver up to ``limit`` due messages; ``now`` fixes the clock (tests), else real time."""
    outcomes: Counter[str] = Counter()
    relay_error: str | None = None
    with closing(Relay(smtp)) as relay:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            moment = now or utcnow()
            message = _claim_next(engine, moment)
            if message is None:
                break
            status, relay_error = _deliver_one(engine, relay, smtp, message, moment)
            outcomes[status] += 1
            if relay_error:
                break
    return DeliveryReport(sent=outcomes["sent"], retrying=outcomes["queued"],
                          failed=outcomes["failed"], relay_error=relay_error)


def _claim_next(engine: Engine, now: datetime) -> OutgoingMessage | None:
    # One at a time, so a claimed message is sent at once and never outlives its lease waiting.
    with Session(engine) as session, session.begin():
        claimed = outbox.claim_due(session=session, now=now, limit=1)
        if not claimed:
            return None
        return outbox.load_outgoing(session=session, outbound_message_id=claimed[0])


def _deliver_one(engine: Engine, relay: Relay, smtp: SmtpSettings, message: OutgoingMessage,
                 now: datetime) -> tuple[str, str | None]:
    """Send one message and record the outcome; returns (new status, relay error or None)."""
    try:
        email = build_email(message, from_address=smtp.from_address, now=now)
    except (ValueError, TypeError) as exc:  # stored data the e-mail library refuses
        return _record_failure(engine, message, now, f"Cannot build the e-mail: {exc}",
                               permanent=True), None
    try:
        relay.send(email, sender=smtp.envelope_from, recipient=message.to_address)
    except RelayUnavailable as exc:
        return _record_failure(engine, message, now, str(exc), permanent=False), str(exc)
    except smtplib.SMTPSenderRefused as exc:  # our own address: every message would fail
        error = describe(exc)
        return _record_failure(engine, message, now, error, permanent=False), error
    except (smtplib.SMTPException, OSError) as exc:
        return _record_failure(engine, message, now, describe(exc),
                               permanent=is_permanent(exc)), None
    with Session(engine) as session, session.begin():
        outbox.record_sent(session=session, outbound_message_id=message.id, now=now)
    logger.info("Sent e-mail %s to %s", message.id, message.to_address)
    return "sent", None


def _record_failure(engine: Engine, message: OutgoingMessage, now: datetime, error: str,
                    permanent: bool) -> str:
    with Session(engine) as session, session.begin():
        status = outbox.record_failure(session=session, outbound_message_id=message.id,
                                       now=now, error=error, permanent=permanent)
    logger.warning("E-mail %s to %s not delivered (%s): %s", message.id, message.to_address,
                   "given up" if status == "failed" else "will retry", error)
    return status


def build_email(message: OutgoingMessage, *, from_address: str, now: datetime) -> EmailMessage:
    email = EmailMessage()
    email["From"] = from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now.astimezone(BRUSSELS))
    email["Message-ID"] = message.message_id
    if message.in_reply_to:
        email["In-Reply-To"] = message.in_reply_to
    if message.references:
        email["References"] = message.references
    email.set_content(message.body_text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                             filename=attachment.filename)
    return email


# --- what an SMTP error means -------------------------------------------------------------

def is_permanent(exc: Exception) -> bool:
    """A 5xx refusal of this recipient or this message: trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def describe(exc: Exception) -> str:
    """The server's own words where there are some, e.g. ``550 no such user (x@y.be)``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(reply)} ({address})"
                         for address, (code, reply) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


# --- the SMTP connection ------------------------------------------------------------------

class Relay:
    """One SMTP connection for a delivery run: opened on first use, reopened after a drop."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp
        self._client: smtplib.SMTP | None = None

    def send(self, email: EmailMessage, *, sender: str, recipient: str) -> None:
        client = self._connected()
        try:
            client.send_message(email, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPServerDisconnected:
            self._client = None
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()

    def _connected(self) -> smtplib.SMTP:
        # smtplib closes the socket itself after a 421 ("service closing"): start afresh then.
        if self._client is not None and self._client.sock is not None:
            return self._client
        try:
            self._client = connect(self._smtp)
        except (smtplib.SMTPException, OSError) as exc:
            raise RelayUnavailable(
                f"SMTP server {self._smtp.host}:{self._smtp.port} unavailable: {describe(exc)}"
            ) from exc
        return self._client


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """Connect, upgrade to TLS and sign in as configured. Never set a debug level here:
    smtplib would print the AUTH exchange, password included."""
    context = ssl.create_default_context()
    client = (smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                               context=context)
              if smtp.ssl else smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds))
    try:
        if smtp.starttls:
            client.starttls(context=context)
        if smtp.username:
            client.login(smtp.username, smtp.password)
    except BaseException:
        client.close()
        raise
    return client


# --- running until stopped ----------------------------------------------------------------

def deliver_until_stopped(*, engine: Engine, smtp: SmtpSettings, stop: threading.Event,
                          interval_seconds: float, limit: int = DEFAULT_LIMIT,
                          on_report: Callable[[DeliveryReport], None] = lambda _: None) -> None:
    """Deliver what is due every ``interval_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            report = deliver(engine=engine, smtp=smtp, limit=limit, stop=stop)
        except SQLAlchemyError:
            # The database may be back by the next round; a sender that exits sends nothing.
            logger.exception("Delivery run failed; trying again in %g s", interval_seconds)
        else:
            on_report(report)
            if report.attempted == limit and not report.relay_error:
                continue  # a full run: more may be due right now
        _sleep(stop, interval_seconds)


def _sleep(stop: threading.Event, seconds: float) -> None:
    # Short naps rather than stop.wait(): the signal handler that sets ``stop`` runs in this
    # same thread, and Event.set() inside Event.wait() can deadlock on the event's own lock.
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, SLEEP_STEP_SECONDS))


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT (Ctrl-C) and SIGTERM into ``stop``, so a message being sent is finished
    and recorded instead of being cut off half-way. Main thread only."""
    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received: stopping after the current message",
                    signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
