"""The SMTP listener: ``python -m dashboard intake smtp --host 127.0.0.1 --port 2525``.

It sits behind the mail server that receives for the support address (or a fax gateway
that delivers by SMTP). A message is answered ``250`` only after its raw bytes are committed;
when storing fails it answers ``451`` and the sending server tries again later, so nothing is
lost between the two. Processing runs before the answer too, but its failures do not change
it: the message is stored and waits in quarantine.

Database work runs on one worker thread, one message at a time, so the event loop keeps
talking to other clients and writers never compete for SQLite's lock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.intake import pipeline, sources
from dashboard.intake import settings as intake_settings
from dashboard.intake.pipeline import Outcome

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 50 * 1024 * 1024  # fax PDFs and scans; anything bigger is refused (552)


class LongLineSMTP(SMTP):
    """aiosmtpd's server with lines as long as a whole message.

    aiosmtpd answers ``500 Line too long`` to a line over 1,001 bytes (RFC 5321's limit) and
    the sender bounces the message. Senders that write bare LF line ends (scripts, gateways,
    Python's smtplib given bytes) make the whole message one line to a CRLF reader; HTML from
    some mailers has no line breaks at all. Each would be lost, so the only limit is the
    message size.
    """

    line_length_limit = MAX_MESSAGE_BYTES


class IntakeController(Controller):
    def factory(self) -> SMTP:
        return LongLineSMTP(self.handler, **self.SMTP_kwargs)
SETTINGS_TTL = 30.0  # seconds: a change in the settings reaches the listener this fast


class IntakeHandler:
    """aiosmtpd handler: every accepted message goes through :func:`pipeline.receive`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.counts: Counter[str] = Counter()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake")
        self._config: intake_settings.IntakeSettings | None = None
        self._config_read_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self._worker, self._receive, data)
        except Exception:
            logger.exception("Could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message; please try again later"
        self.counts["duplicate" if outcome.duplicate else outcome.result] += 1
        reused = (f" (reuses the Message-ID of message {outcome.reuses_message_id_of})"
                  if outcome.reuses_message_id_of is not None else "")
        logger.info("Message %s from %s: %s%s%s", outcome.inbound_id, envelope.mail_from,
                    outcome.result, f" {outcome.reference}" if outcome.reference else "",
                    reused)
        return "250 2.0.0 Message accepted"

    def _receive(self, data: bytes) -> Outcome:
        return pipeline.receive(self.engine, data, "smtp", config=self._settings())

    def _settings(self) -> intake_settings.IntakeSettings | None:
        """The intake settings, read again at most every SETTINGS_TTL seconds."""
        if self._config is None or time.monotonic() - self._config_read_at > SETTINGS_TTL:
            try:
                with Session(self.engine) as session:
                    self._config = intake_settings.load(session)
                self._config_read_at = time.monotonic()
            except Exception:
                logger.exception("Could not read the intake settings")
                return None  # each message reads them itself
        return self._config

    def close(self) -> None:
        self._worker.shutdown(wait=True)


def controller(handler: IntakeHandler, host: str, port: int) -> Controller:
    return IntakeController(handler, hostname=host, port=port, enable_SMTPUTF8=True,
                            data_size_limit=MAX_MESSAGE_BYTES, ident="CSOL intake")


@contextmanager
def listening(engine: Engine, host: str = "127.0.0.1", port: int = 2525
              ) -> Iterator[IntakeHandler]:
    """Run the listener while the block runs; messages left unprocessed by an earlier run
    are processed first."""
    leftovers = sources.process_pending(engine)
    if leftovers:
        logger.info("Processed %s message(s) left from before: %s",
                    sum(leftovers.values()), dict(leftovers))
    handler = IntakeHandler(engine)
    server = controller(handler, host, port)
    server.start()
    try:
        yield handler
    finally:
        server.stop()
        handler.close()


def serve(engine: Engine, host: str, port: int, stop: threading.Event) -> Counter[str]:
    """Listen until ``stop`` is set; returns what was received, by outcome."""
    with listening(engine, host, port) as handler:
        stop.wait()
        return handler.counts
