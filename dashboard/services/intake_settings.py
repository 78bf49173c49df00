"""Intake settings as an admin edits them, kept in the ``settings`` table: the intake
address, auto-assignment and its strategy, the fax gateways and the rules for automatic
mail. Validated, versioned as one form, audited with before and after.

Intake (``dashboard.intake.settings``) reads these rows for each import and web form, and
the SMTP listener within half a minute (its ``SETTINGS_TTL``): no restart is needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, desc, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.services import audit, versioned
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.outbox import valid_address
from dashboard.services.users import UserInfo
from db.models import AuditLog, Setting, User

AUTO_ASSIGN = "auto_assign"
INTAKE_ADDRESS = "intake_address"
# The gateways in force. Older databases only have ``fax_gateway_patterns``: gateways added
# to the built-in ones; once an admin saves the list, this key holds all of them.
FAX_GATEWAYS = "fax_gateways"
FAX_GATEWAY_PATTERNS = "fax_gateway_patterns"
AUTOMATIC_MAIL = "automatic_mail"
VERSION = "intake_settings_version"
DEFAULT_INTAKE_ADDRESS = "support@csol.example"
ENTITY = "intake_settings"

STRATEGIES = {
    "least_open": "Fewest open enquiries in the team",
    "least_open_language": "Fewest open enquiries among those who work in the enquiry's "
                           "language (else the whole team)",
}

# HylaFAX's faxrcvd mails "From: The HylaFAX Receive Agent <fax>" (the MTA adds the host;
# FaxMaster is the recipient), Subject "Facsimile received from <TSI>" (newer templates:
# 'Fax received from "<TSI>"', "Facsimile reçu de", "Fax empfangen von"); the TSI is whatever
# the sending machine calls itself, so the caller-ID lines of faxinfo's output in the body
# (CIDNumber, CallID1) are read as well. eFax sends from subdomains of efax.com
# (message@inbound.efax.com), Subject 'eFax from "<name>" - 2 page(s), Caller-ID: <number>'.
DEFAULT_FAX_PATTERNS: list[dict[str, str]] = [
    {"name": "HylaFAX", "from": r"^(?:fax|faxmaster)(?:@|$)|hylafax",
     "subject": r'^(?:facsimile|fax)\s+(?:received\s+from|re[çc]u\s+de|empfangen\s+von)'
                r'\s*"?(?P<number>[^"]*?)"?\s*$',
     "body": r"^[ \t]*(?:CIDNumber|CallID1|Anrufe ID 1)[ \t]*:[ \t]*"
             r"(?P<number>\+?\d[\d ()./-]{4,})"},
    {"name": "eFax", "from": r"@(?:[\w-]+\.)*efax\.com$",
     "subject": r'^eFax\s+(?:message\s+)?from\b'
                r'(?:.*?caller[ -]?id:?\s*"?(?P<number>\+?[\d ()./-]{6,}))?'},
]

# The checks that make a message automatic (never an enquiry, never answered), each on by
# default, and what a person can add: subject openings and senders of their own.
AUTOMATIC_CHECKS = {
    "auto_submitted": "An Auto-Submitted header (RFC 3834), other than “no”",
    "reports": "Delivery and read reports (multipart/report)",
    "precedence": "Precedence: bulk, junk or list",
    "autoreply_headers": "X-Autoreply or X-Autorespond headers",
    "mail_servers": "Sent by a mail server (MAILER-DAEMON) or with an empty return path "
                    "(a bounce)",
    "own_address": "Sent from the intake address itself",
    "subjects": "Out-of-office and delivery-failure subjects in EN/FR/NL/DE",
}
MAX_EXTRA = 50
MAX_PHRASE = 80


@dataclass(frozen=True)
class AutomaticMail:
    checks: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(AUTOMATIC_CHECKS,
                                                                          True))
    extra_subjects: tuple[str, ...] = ()  # a subject starting with one of these (after Re:)
    extra_senders: tuple[str, ...] = ()   # an address, or a local part such as "no-reply"
    note_on_enquiry: bool = True          # one that answers an enquiry is noted on it

    def as_json(self) -> dict[str, Any]:
        return {"checks": dict(self.checks), "extra_subjects": list(self.extra_subjects),
                "extra_senders": list(self.extra_senders),
                "note_on_enquiry": self.note_on_enquiry}


@dataclass(frozen=True)
class IntakeForm:
    """The settings as the form shows them, with the version they were read at."""

    intake_address: str
    auto_assign: bool
    strategy: str
    fax_gateways: tuple[dict[str, str], ...]
    automatic: AutomaticMail
    version: int

    def as_json(self) -> dict[str, Any]:
        return {INTAKE_ADDRESS: self.intake_address,
                AUTO_ASSIGN: {"enabled": self.auto_assign, "strategy": self.strategy,
                              "match_language": self.strategy == "least_open_language"},
                FAX_GATEWAYS: [dict(g) for g in self.fax_gateways],
                AUTOMATIC_MAIL: self.automatic.as_json()}


def stored(raw: Any) -> Any:
    """A value as kept: the demo seed stores JSON text inside the JSON column."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _rows(session: Session) -> dict[str, Any]:
    return {key: stored(value) for key, value in session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_(
            (AUTO_ASSIGN, INTAKE_ADDRESS, FAX_GATEWAYS, FAX_GATEWAY_PATTERNS, AUTOMATIC_MAIL,
             VERSION))))}


def gateway_rows(rows: dict[str, Any]) -> list[dict[str, str]]:
    """The gateways in force: the saved list, else the built-in ones and those added."""
    saved = rows.get(FAX_GATEWAYS)
    if isinstance(saved, list):
        return [_gateway(g) for g in saved if isinstance(g, dict)]
    extra = rows.get(FAX_GATEWAY_PATTERNS)
    out, seen = [], set()
    for row in [*DEFAULT_FAX_PATTERNS, *(extra if isinstance(extra, list) else [])]:
        if not isinstance(row, dict):
            continue
        gateway = _gateway(row)
        key = (gateway["from"], gateway["subject"], gateway["body"])
        if key not in seen:
            seen.add(key)
            out.append(gateway)
    return out


def _gateway(row: dict[str, Any]) -> dict[str, str]:
    return {k: str(row.get(k) or "") for k in ("name", "from", "subject", "body")}


def automatic_mail(raw: Any) -> AutomaticMail:
    if not isinstance(raw, dict):
        return AutomaticMail()
    found = raw.get("checks")
    checks: dict[str, Any] = found if isinstance(found, dict) else {}
    return AutomaticMail(
        checks={k: bool(checks.get(k, True)) for k in AUTOMATIC_CHECKS},
        extra_subjects=tuple(str(s) for s in raw.get("extra_subjects") or () if str(s).strip()),
        extra_senders=tuple(str(s).lower() for s in raw.get("extra_senders") or ()
                            if str(s).strip()),
        note_on_enquiry=bool(raw.get("note_on_enquiry", True)))


def assignment(raw: Any) -> tuple[bool, str]:
    """(enabled, strategy) from ``auto_assign``: ``{"enabled", "strategy", "match_language"}``
    or a plain bool."""
    if isinstance(raw, dict):
        strategy = raw.get("strategy")
        if strategy not in STRATEGIES or (strategy == "least_open"
                                          and raw.get("match_language")):
            strategy = "least_open_language" if raw.get("match_language") else "least_open"
        return bool(raw.get("enabled")), str(strategy)
    return bool(raw), "least_open"


def load_form(*, session: Session) -> IntakeForm:
    rows = _rows(session)
    enabled, strategy = assignment(rows.get(AUTO_ASSIGN))
    address = rows.get(INTAKE_ADDRESS)
    version = rows.get(VERSION)
    return IntakeForm(
        intake_address=address if isinstance(address, str) and address
        else DEFAULT_INTAKE_ADDRESS,
        auto_assign=enabled, strategy=strategy, fax_gateways=tuple(gateway_rows(rows)),
        automatic=automatic_mail(rows.get(AUTOMATIC_MAIL)),
        version=version if isinstance(version, int) else 0)


# --- validating ---------------------------------------------------------------------------

def gateway_problems(row: dict[str, str], position: int | None = None) -> list[str]:
    """What is wrong with one gateway as typed, in plain words."""
    where = f"Gateway {position}: " if position is not None else ""
    problems: list[str] = []
    name = row.get("name", "").strip()
    if not 1 <= len(name) <= 60:
        problems.append(f"{where}give the gateway a name (1 to 60 characters).")
    for key, words in (("from", "sender"), ("subject", "subject")):
        if not row.get(key, "").strip():
            problems.append(f"{where}give a {words} pattern (a regular expression).")
    numbered = False
    for key, words in (("from", "sender"), ("subject", "subject"), ("body", "body")):
        text = row.get(key, "")
        if not text.strip():
            continue
        try:
            compiled = re.compile(text)
        except re.error as exc:
            problems.append(f"{where}the {words} pattern is not a valid regular expression: "
                            f"{exc.msg} at character {(exc.pos or 0) + 1}.")
            continue
        if len(text) > 500:
            problems.append(f"{where}the {words} pattern can be at most 500 characters.")
        numbered = numbered or (key != "from" and "number" in compiled.groupindex)
    if not problems and not numbered:
        problems.append(f"{where}name the fax number with a (?P<number>…) group in the "
                        "subject or body pattern, or no contact can be found for a fax.")
    return problems


def _phrases(values: tuple[str, ...], what: str) -> list[str]:
    problems = []
    if len(values) > MAX_EXTRA:
        problems.append(f"List at most {MAX_EXTRA} {what}.")
    for value in values:
        if len(value) > MAX_PHRASE or "\n" in value or "\r" in value:
            problems.append(f"“{value[:40]}” is too long for one of the {what} (one line, at "
                            f"most {MAX_PHRASE} characters).")
    return problems


def validate(form: IntakeForm) -> list[str]:
    problems: list[str] = []
    try:
        valid_address(form.intake_address)
    except ValueError:
        problems.append("Enter the intake address as a plain e-mail address, e.g. "
                        "support@company.be.")
    if form.strategy not in STRATEGIES:
        problems.append("Choose how enquiries are assigned.")
    names: set[str] = set()
    for position, gateway in enumerate(form.fax_gateways, start=1):
        problems += gateway_problems(gateway, position)
        name = gateway.get("name", "").strip().lower()
        if name and name in names:
            problems.append(f"Gateway {position}: another gateway is already called "
                            f"“{gateway['name'].strip()}”.")
        names.add(name)
    problems += _phrases(form.automatic.extra_subjects, "subject openings")
    problems += _phrases(form.automatic.extra_senders, "senders")
    for sender in form.automatic.extra_senders:
        if " " in sender.strip() or sender.count("@") > 1:
            problems.append(f"“{sender}” is not a sender: write an address "
                            "(noreply@portal.be) or the part before the @ (no-reply).")
    return problems


def _cleaned(form: IntakeForm) -> IntakeForm:
    automatic = form.automatic
    return IntakeForm(
        intake_address=form.intake_address.strip().lower(), auto_assign=form.auto_assign,
        strategy=form.strategy,
        fax_gateways=tuple({**_gateway(g), "name": g.get("name", "").strip()}
                           for g in form.fax_gateways),
        automatic=AutomaticMail(
            checks={k: bool(automatic.checks.get(k, True)) for k in AUTOMATIC_CHECKS},
            extra_subjects=tuple(dict.fromkeys(s.strip() for s in automatic.extra_subjects
                                               if s.strip())),
            extra_senders=tuple(dict.fromkeys(s.strip().lower()
                                              for s in automatic.extra_senders if s.strip())),
            note_on_enquiry=automatic.note_on_enquiry),
        version=form.version)


# --- saving -------------------------------------------------------------------------------

def _stale(session: Session) -> str:
    return versioned.changed_by(
        session, select(User.full_name, AuditLog.occurred_at)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.entity_type == ENTITY)
        .order_by(desc(AuditLog.occurred_at), desc(AuditLog.id)), "intake setting", "someone")


def _take_version(session: Session, expected: int) -> None:
    """Move the form's version on by one, only from ``expected`` (one writer wins)."""
    if expected == 0:
        try:
            with session.begin_nested():
                session.add(Setting(key=VERSION, value=1))
                session.flush()
        except IntegrityError:
            raise StaleEditError(_stale(session)) from None
        return
    result = session.execute(
        update(Setting).where(Setting.key == VERSION,
                              cast(Setting.value, Text) == json.dumps(expected))
        .values(value=expected + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEditError(_stale(session))


def save(*, session: Session, form: IntakeForm, by: UserInfo) -> int:
    """Save the form over the version it was read at; returns the new version.

    Refused with every problem listed (ValidationError), or, when someone saved since the
    form was read, with who and when (StaleEditError); nothing is written then.
    """
    if problems := validate(form):
        raise ValidationError(problems)
    current = load_form(session=session)
    if current.version != form.version:
        raise StaleEditError(_stale(session))
    before, after = current.as_json(), _cleaned(form).as_json()
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        return current.version
    _take_version(session, form.version)
    for key in changed:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=after[key]))
        else:
            row.value = after[key]
    session.flush()
    audit.record(session=session, action="intake_settings_changed", user_id=by.id,
                 username=by.username, entity_type=ENTITY, entity_id=None,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return form.version + 1
