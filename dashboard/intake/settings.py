"""Intake settings from the ``settings`` table, in the shapes the demo seed writes them, and
trying a fax gateway pattern on a pasted message before it is saved."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.intake import mime
from dashboard.intake.classify import (
    FaxMatch,
    FaxPattern,
    compile_fax_pattern,
    fax_patterns,
    match_fax,
    sender_matches,
)
from dashboard.services.errors import ValidationError
from db.models import Setting

AUTO_ASSIGN = "auto_assign"
FAX_GATEWAY_PATTERNS = "fax_gateway_patterns"
INTAKE_ADDRESS = "intake_address"
DEFAULT_INTAKE_ADDRESS = "support@csol.example"
MAX_PASTED_BYTES = 2 * 1024 * 1024
PATTERN_FIELDS = (("from", "sender"), ("subject", "subject"), ("body", "body"))


@dataclass(frozen=True)
class IntakeSettings:
    auto_assign: bool
    match_language: bool
    fax_patterns: tuple[FaxPattern, ...]
    intake_address: str

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset({self.intake_address.lower()})


def _value(raw: Any) -> Any:
    if isinstance(raw, str):  # tolerate a value stored as JSON text inside the JSON column
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def load(session: Session) -> IntakeSettings:
    """``auto_assign`` is ``{"enabled": bool, "match_language": bool, …}`` (or a plain bool);
    ``fax_gateway_patterns`` a list of ``{"name", "from", "subject", "body"}`` regexes (a
    ``number`` group names the fax number) added to the built-in HylaFAX and eFax ones;
    missing rows mean off / the built-in gateways only."""
    rows = {key: _value(value) for key, value in session.execute(
        select(Setting.key, Setting.value).where(
            Setting.key.in_((AUTO_ASSIGN, FAX_GATEWAY_PATTERNS, INTAKE_ADDRESS))))}
    assign = rows.get(AUTO_ASSIGN)
    if isinstance(assign, dict):
        enabled, match_language = bool(assign.get("enabled")), bool(
            assign.get("match_language", False))
    else:
        enabled, match_language = bool(assign), False
    address = rows.get(INTAKE_ADDRESS)
    return IntakeSettings(
        auto_assign=enabled, match_language=match_language,
        fax_patterns=tuple(fax_patterns(rows.get(FAX_GATEWAY_PATTERNS))),
        intake_address=address if isinstance(address, str) and address
        else DEFAULT_INTAKE_ADDRESS)


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
