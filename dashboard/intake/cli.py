"""``python -m dashboard intake …``: the SMTP listener, imports and the quarantine."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.intake import pipeline, sources
from dashboard.services.errors import ValidationError
from db.types import utcnow


def add_commands(areas: Any) -> None:
    """Add the ``intake`` area to the top-level subparsers."""
    intake = areas.add_parser("intake", help="incoming e-mail, fax and web enquiries")
    actions = intake.add_subparsers(dest="action", required=True)
    listen = actions.add_parser("smtp", help="receive mail over SMTP until Ctrl-C or SIGTERM")
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=2525)
    imports = actions.add_parser("import", help="import .eml files, mbox files, maildirs")
    imports.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    actions.add_parser("process", help="process messages stored but not processed yet")
    listed = actions.add_parser("quarantine", help="list messages in quarantine")
    listed.add_argument("--limit", type=int, default=pipeline.LIST_LIMIT)
    again = actions.add_parser("reprocess", help="process a quarantined message again")
    again.add_argument("inbound_id", type=int)


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "smtp":
        return _listen(engine, args.host, args.port)
    if args.action == "import":
        report = sources.import_paths(engine, args.paths)
        print(report.summary())
        return 1 if report.failures else 0
    if args.action == "process":
        counts = sources.process_pending(engine)
        print("Processed " + (", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
                              or "nothing") + ".")
        return 0
    if args.action == "quarantine":
        with Session(engine) as session:
            rows = pipeline.quarantine_list(session, args.limit)
        for row in rows:
            error = (row.error or "").split("\n")[0]
            print(f"{row.id}\t{row.received_at:%Y-%m-%d %H:%M}\t{row.from_address or '-'}\t"
                  f"{row.subject or '-'}\t{error}")
        print(f"{len(rows)} message(s) in quarantine.")
        return 0
    with Session(engine) as session, session.begin():
        try:
            outcome = pipeline.reprocess(session, args.inbound_id, None, utcnow())
        except ValidationError as exc:
            print(exc, file=sys.stderr)
            return 2
    print(f"Message {outcome.inbound_id}: {outcome.result}"
          + (f" {outcome.reference}" if outcome.reference else "")
          + (f" ({outcome.detail})" if outcome.detail else ""))
    return 0 if outcome.result != pipeline.QUARANTINED else 1


def _listen(engine: Engine, host: str, port: int) -> int:
    from dashboard.intake import smtp  # aiosmtpd is needed by the listener only
    from dashboard.mail import sender

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    with sender.stop_on_signals(stop):
        try:
            with smtp.listening(engine, host, port) as handler:
                print(f"Receiving mail on {host}:{port}; Ctrl-C to stop.", flush=True)
                while not stop.wait(0.5):
                    pass
        except OSError as exc:
            print(f"Cannot listen on {host}:{port}: {exc}", file=sys.stderr)
            return 2
    counts = ", ".join(f"{n} {r}" for r, n in sorted(handler.counts.items())) or "nothing"
    print(f"Stopped. Received {counts}.")
    return 0
