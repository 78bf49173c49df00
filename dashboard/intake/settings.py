"""Intake settings in force (read from the ``settings`` table through
``dashboard.services.intake_settings``), and trying a fax gateway pattern on a pasted message
before it is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dashboard.intake import mime
from dashboard.intake.classify import (
    FaxMatch,
    FaxPattern,
    compile_fax_pattern,
    compile_gateways,
    fax_patterns,
    match_fax,
    sender_matches,
)
from dashboard.services import intake_settings as stored_settings
from dashboard.services.errors import ValidationError
from dashboard.services.intake_settings import AutomaticMail

MAX_PASTED_BYTES = 2 * 1024 * 1024
PATTERN_FIELDS = (("from", "sender"), ("subject", "subject"), ("body", "body"))


@dataclass(frozen=True)
class IntakeSettings:
    auto_assign: bool
    match_language: bool
    fax_patterns: tuple[FaxPattern, ...]
    intake_address: str
    automatic: AutomaticMail = field(default_factory=AutomaticMail)

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset({self.intake_address.lower()})


def load(session: Session) -> IntakeSettings:
    """The settings in force, read afresh (a change on the settings page applies to the next
    message): see ``dashboard.services.intake_settings`` for the rows and their defaults."""
    return from_form(stored_settings.load_form(session=session))


def from_form(form: stored_settings.IntakeForm) -> IntakeSettings:
    """The settings a form holds, saved or not (to try a message on them first)."""
    return IntakeSettings(
        auto_assign=form.auto_assign, match_language=form.strategy == "least_open_language",
        fax_patterns=tuple(compile_gateways(list(form.fax_gateways))),
        intake_address=form.intake_address, automatic=form.automatic)


# --- trying a gateway pattern -------------------------------------------------------------

@dataclass(frozen=True)
class PatternCheck:
    """One gateway pattern against the message: which parts matched, what number it read."""

    name: str
    sender_matches: bool
    subject_matches: bool
    numbers: tuple[str, ...]  # E.164, subject first


@dataclass(frozen=True)
class FaxPatternTrial:
    """What intake would make of a pasted message: a fax (through which gateway, from which
    number) or e-mail, and how each pattern fared."""

    sender: str  # as read: "Name <address>"
    subject: str
    fax: FaxMatch | None
    checks: tuple[PatternCheck, ...]
    notes: tuple[str, ...] = ()

    @property
    def is_fax(self) -> bool:
        return self.fax is not None


def check_fax_pattern(row: dict[str, Any]) -> FaxPattern:
    """A gateway pattern as an admin wrote it, compiled; every problem in plain words."""
    problems: list[str] = []
    name = str(row.get("name") or "").strip()
    if not 1 <= len(name) <= 60:
        problems.append("Give the gateway a name (1 to 60 characters).")
    for key, label in PATTERN_FIELDS[:2]:
        if not str(row.get(key) or "").strip():
            problems.append(f"Give a {label} pattern (a regular expression).")
    for key, label in PATTERN_FIELDS:
        text = str(row.get(key) or "")
        if not text.strip():
            continue
        try:
            re.compile(text)
        except re.error as exc:
            problems.append(f"The {label} pattern is not a valid regular expression: "
                            f"{exc.msg} at character {(exc.pos or 0) + 1}.")
    if problems:
        raise ValidationError(problems)
    return compile_fax_pattern({**row, "name": name})


def pasted_bytes(message: str | bytes) -> bytes:
    """A pasted message as bytes, refused in words when it cannot be one."""
    data = message.encode("utf-8", "surrogateescape") if isinstance(message, str) else message
    _pasted(data)
    return data.lstrip()


def _pasted(message: str | bytes) -> mime.ParsedMessage:
    data = message.encode("utf-8", "surrogateescape") if isinstance(message, str) else message
    if not data.strip():
        raise ValidationError(["Paste a message, headers included."])
    if len(data) > MAX_PASTED_BYTES:
        raise ValidationError([f"Paste at most {MAX_PASTED_BYTES // (1024 * 1024)} MB."])
    try:
        return mime.parse(data.lstrip())
    except mime.UnreadableMessage:
        raise ValidationError(["That is not an e-mail message: paste it with its headers "
                               "(From and Subject at least)."]) from None


def try_fax_pattern(message: str | bytes, pattern: dict[str, Any] | None = None, *,
                    session: Session | None = None) -> FaxPatternTrial:
    """Try a gateway pattern (or, without one, the patterns in force: the built-in ones and
    those in the settings when a session is given) on a pasted message, as intake would."""
    parsed = _pasted(message)
    if pattern is not None:
        patterns = [check_fax_pattern(pattern)]
    else:
        patterns = list(load(session).fax_patterns if session is not None
                        else fax_patterns(None))
    checks = []
    for each in patterns:
        found = match_fax(parsed, [each])
        checks.append(PatternCheck(
            name=each.name, sender_matches=sender_matches(each, parsed),
            subject_matches=bool(each.subject.search(parsed.subject)),
            numbers=found.numbers if found else ()))
    fax = match_fax(parsed, patterns)
    notes: list[str] = []
    if fax is not None and fax.number is None:
        notes.append("It is a fax, but no phone number could be read from it: add a "
                     "(?P<number>…) group to the subject or body pattern, or check the "
                     "number in the message.")
    if fax is None and any(c.sender_matches and not c.subject_matches for c in checks):
        notes.append("The sender matches but the subject does not.")
    sender = (f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name
              and parsed.from_address else parsed.from_address or parsed.from_name)
    return FaxPatternTrial(sender=sender, subject=parsed.subject, fax=fax,
                           checks=tuple(checks), notes=tuple(notes))
