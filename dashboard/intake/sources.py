"""Importing stored mail: single .eml files, mbox files and maildir folders.

Each message goes through :func:`pipeline.receive` on its own (stored and committed, then
processed), so an interrupted import can simply be run again: what was stored is recognised
and not filed twice.
"""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.intake import pipeline
from dashboard.intake import settings as intake_settings
from dashboard.intake.pipeline import Outcome

MBOX_MAGIC = b"From "


@dataclass
class ImportReport:
    files: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # by Outcome.result
    duplicates: int = 0
    failures: list[str] = field(default_factory=list)  # files that could not be read

    @property
    def messages(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: Outcome) -> None:
        if outcome.duplicate:
            self.duplicates += 1
        else:
            self.counts[outcome.result] += 1

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[r]} {r}" for r in pipeline.RESULTS if self.counts[r])
        text = (f"{self.messages + self.duplicates} message(s) from {self.files} path(s): "
                f"{parts or 'nothing new'}; {self.duplicates} already received.")
        if self.failures:
            text += f" Could not read: {'; '.join(self.failures)}."
        return text


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MBOX_MAGIC)) == MBOX_MAGIC


MESSAGE_SUFFIXES = (".eml",)
MBOX_SUFFIXES = (".mbox", ".mbx")


def messages_in(path: Path, *, named: bool = True) -> Iterator[bytes]:
    """Every message under ``path``: a maildir, an mbox, one message file, or a folder of
    them. A file named on the command line is read whatever its name; in a folder only
    ``*.eml``, ``*.mbox``/``*.mbx`` files and maildirs are, recursively (hidden ones
    skipped), so a README next to the mail is not taken for a message."""
    if is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            yield box.get_bytes(key)
    elif path.is_dir():
        for child in sorted(path.iterdir()):
            if not child.name.startswith("."):
                yield from messages_in(child, named=False)
    elif not named and not path.name.lower().endswith(MESSAGE_SUFFIXES + MBOX_SUFFIXES):
        return
    elif is_mbox(path):
        mbox = mailbox.mbox(path, create=False)
        try:
            for key in mbox.iterkeys():
                yield mbox.get_bytes(key)
        finally:
            mbox.close()
    else:
        yield path.read_bytes()


def import_paths(engine: Engine, paths: list[Path], *, now: datetime | None = None,
                 on_outcome: Callable[[Outcome], None] | None = None) -> ImportReport:
    """Import every message under the paths; files that cannot be read are reported."""
    report = ImportReport()
    with Session(engine) as session:
        config = intake_settings.load(session)
    for path in paths:
        if not path.exists():
            report.failures.append(f"{path}: no such file or folder")
            continue
        report.files += 1
        try:
            for raw in messages_in(path):
                outcome = pipeline.receive(engine, raw, "import", now=now, config=config)
                report.add(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        except (OSError, mailbox.Error) as exc:
            report.failures.append(f"{path}: {exc}")
    return report


def process_pending(engine: Engine, *, now: datetime | None = None) -> Counter[str]:
    """Process what was stored but never processed (a crash between the two steps)."""
    with Session(engine) as session:
        ids = pipeline.pending_ids(session)
        config = intake_settings.load(session)
    counts: Counter[str] = Counter()
    for inbound_id in ids:
        counts[pipeline.process_one(engine, inbound_id, now, config).result] += 1
    return counts
