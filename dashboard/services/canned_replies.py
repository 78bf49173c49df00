"""Canned replies as admins and leads keep them: one reply, four languages, placeholders
only from the list any enquiry can fill, a version per reply, every change audited.

A reply is stored as one ``canned_replies`` row per language under the same name; the rows
are written together and share their version. Its id is the id of its first row. Retired
replies stay (the history refers to them) but are no longer offered to representatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, desc, func, select
from sqlalchemy.orm import Session

from dashboard.services import audit, templates, versioned
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from db.models import CATEGORIES, AuditLog, CannedReply, Customer, Enquiry, User

REPLY_LANGUAGES = ("en", "fr", "nl", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "French", "nl": "Dutch", "de": "German"}
MIN_NAME, MAX_NAME = 3, 80
MAX_SUBJECT = 200
MAX_BODY = 10_000
ENTITY = "canned_reply"


@dataclass(frozen=True)
class ReplyText:
    subject: str
    body: str


@dataclass(frozen=True)
class Reply:
    id: int
    name: str
    category: str | None
    is_active: bool
    version: int
    texts: dict[str, ReplyText]  # by language; a language not written yet is missing


@dataclass(frozen=True)
class PreviewEnquiry:
    id: int
    reference: str
    subject: str
    language: str
    customer_name: str | None

    @property
    def label(self) -> str:
        who = f" — {self.customer_name}" if self.customer_name else ""
        return f"{self.reference} ({self.language.upper()}) {self.subject}{who}"


# --- reading ------------------------------------------------------------------------------

def list_replies(*, session: Session, include_retired: bool = True) -> list[Reply]:
    """Every reply by name; retired ones last when included."""
    rows = session.scalars(select(CannedReply).order_by(CannedReply.name, CannedReply.id)).all()
    by_name: dict[str, list[CannedReply]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    replies = [_reply(group) for group in by_name.values()]
    if not include_retired:
        replies = [r for r in replies if r.is_active]
    return sorted(replies, key=lambda r: (not r.is_active, r.name.lower()))


def get_reply(*, session: Session, reply_id: int) -> Reply | None:
    group = _group(session, reply_id)
    return _reply(group) if group else None


def _group(session: Session, reply_id: int) -> list[CannedReply]:
    first = session.get(CannedReply, reply_id)
    if first is None:
        return []
    return list(session.scalars(select(CannedReply).where(CannedReply.name == first.name)
                                .order_by(CannedReply.id)))


def _reply(group: list[CannedReply]) -> Reply:
    first = group[0]
    return Reply(id=first.id, name=first.name, category=first.category,
                 is_active=any(r.is_active for r in group),
                 version=max(r.version for r in group),
                 texts={r.language: ReplyText(r.subject, r.body) for r in group})


def _flat(name: str, category: str | None, texts: dict[str, ReplyText]) -> dict[str, Any]:
    """A reply as audit before/after: one field per thing an admin can change."""
    values: dict[str, Any] = {"name": name, "category": category}
    for language in REPLY_LANGUAGES:
        text = texts.get(language)
        values[f"subject_{language}"] = text.subject if text else None
        values[f"body_{language}"] = text.body if text else None
    return values


# --- validating ---------------------------------------------------------------------------

def unknown_placeholders(*texts: str) -> tuple[str, ...]:
    """Every ``{…}`` in ``texts`` that is not on the list: no enquiry could ever fill it."""
    return tuple(name for name in templates.holes(*texts)
                 if name.strip() not in templates.PLACEHOLDERS)


def validate(*, session: Session, name: str, category: str | None,
             texts: dict[str, ReplyText], reply_id: int | None = None) -> list[str]:
    """Each problem in plain words, in the order of the form."""
    problems: list[str] = []
    clean = name.strip()
    if not MIN_NAME <= len(clean) <= MAX_NAME or "\n" in clean or "\r" in clean:
        problems.append(f"Give the reply a name ({MIN_NAME} to {MAX_NAME} characters, one line).")
    elif _name_taken(session, clean, reply_id):
        problems.append(f"Another reply is already called “{clean}”: choose another name.")
    if category is not None and category not in CATEGORIES:
        problems.append("Choose a category from the list, or none.")
    for language in REPLY_LANGUAGES:
        words = LANGUAGE_NAMES[language]
        text = texts.get(language)
        subject = text.subject.strip() if text else ""
        body = text.body.strip() if text else ""
        if not subject:
            problems.append(f"{words}: write the subject.")
        elif len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
            problems.append(f"{words}: the subject is one line of at most {MAX_SUBJECT} "
                            "characters.")
        if not body:
            problems.append(f"{words}: write the text.")
        elif len(body) > MAX_BODY:
            problems.append(f"{words}: the text can be at most {MAX_BODY:,} characters "
                            f"({len(body):,} given).".replace(",", "."))
        for unknown in unknown_placeholders(subject, body):
            problems.append(
                f"{words}: {{{unknown}}} is not a placeholder any enquiry can fill. Choose "
                "placeholders from the list, or write the text meant.")
        if "\x00" in subject + body:
            problems.append(f"{words}: the text contains a NUL character; type it again "
                            "without it.")
    return problems


def _name_taken(session: Session, name: str, reply_id: int | None) -> bool:
    own = ""
    if reply_id is not None and (first := session.get(CannedReply, reply_id)) is not None:
        own = first.name
    found = session.scalar(select(CannedReply.name).where(
        func.lower(CannedReply.name) == name.lower()).limit(1))
    return found is not None and found != own


def _cleaned(texts: dict[str, ReplyText]) -> dict[str, ReplyText]:
    return {language: ReplyText(texts[language].subject.strip(), texts[language].body.strip())
            for language in REPLY_LANGUAGES}


# --- writing ------------------------------------------------------------------------------

def create_reply(*, session: Session, name: str, category: str | None,
                 texts: dict[str, ReplyText], by: UserInfo) -> int:
    """A new reply in all four languages; returns its id."""
    if problems := validate(session=session, name=name, category=category, texts=texts):
        raise ValidationError(problems)
    clean, cleaned = name.strip(), _cleaned(texts)
    rows = [CannedReply(name=clean, language=language, category=category,
                        subject=text.subject, body=text.body, is_active=True, version=1)
            for language, text in cleaned.items()]
    session.add_all(rows)
    session.flush()
    reply_id = min(r.id for r in rows)
    audit.record(session=session, action="canned_reply_created", user_id=by.id,
                 username=by.username, entity_type=ENTITY, entity_id=reply_id,
                 after=_flat(clean, category, cleaned))
    return reply_id


def update_reply(*, session: Session, reply_id: int, expected_version: int, name: str,
                 category: str | None, texts: dict[str, ReplyText], by: UserInfo) -> None:
    """Save an edit over the version the admin saw; a stale one is refused, unsaved."""
    group = _group(session, reply_id)
    if not group:
        raise ValidationError(["That reply no longer exists."])
    if problems := validate(session=session, name=name, category=category, texts=texts,
                            reply_id=reply_id):
        raise ValidationError(problems)
    old = _reply(group)
    clean, cleaned = name.strip(), _cleaned(texts)
    before, after = _flat(old.name, old.category, old.texts), _flat(clean, category, cleaned)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        _check_version(session, old, expected_version)
        return
    _write_group(session, old, group, expected_version, name=clean, category=category,
                 texts=cleaned)
    audit.record(session=session, action="canned_reply_changed", user_id=by.id,
                 username=by.username, entity_type=ENTITY, entity_id=old.id,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})


def set_retired(*, session: Session, reply_id: int, expected_version: int, retired: bool,
                by: UserInfo) -> None:
    """Retire a reply (kept, no longer offered) or bring it back."""
    group = _group(session, reply_id)
    if not group:
        raise ValidationError(["That reply no longer exists."])
    old = _reply(group)
    if old.is_active != retired:
        _check_version(session, old, expected_version)
        return
    _write_group(session, old, group, expected_version, active=not retired)
    audit.record(session=session, action="canned_reply_retired" if retired
                 else "canned_reply_restored", user_id=by.id, username=by.username,
                 entity_type=ENTITY, entity_id=old.id,
                 before={"is_active": old.is_active}, after={"is_active": not retired})


def _stale(session: Session, reply: Reply) -> str:
    return versioned.changed_by(
        session, select(User.full_name, AuditLog.occurred_at)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.entity_type == ENTITY, AuditLog.entity_id == reply.id)
        .order_by(desc(AuditLog.occurred_at), desc(AuditLog.id)),
        f"reply “{reply.name}”", "someone")


def _check_version(session: Session, reply: Reply, expected_version: int) -> None:
    if reply.version != expected_version:
        raise StaleEditError(_stale(session, reply))


def _write_group(session: Session, old: Reply, group: list[CannedReply], expected_version: int,
                 *, name: str | None = None, category: str | None = None,
                 texts: dict[str, ReplyText] | None = None, active: bool | None = None) -> None:
    """Every language row over ``expected_version``, or none (the caller's transaction
    rolls back on the StaleEditError)."""
    _check_version(session, old, expected_version)
    present = {row.language: row for row in group}
    for row in group:
        values: dict[str, Any] = {}
        if name is not None:
            values.update(name=name, category=category)
        if texts is not None and row.language in texts:
            values.update(subject=texts[row.language].subject, body=texts[row.language].body)
        if active is not None:
            values["is_active"] = active
        versioned.write_if_unchanged(session, row, expected_version,
                                     lambda: _stale(session, old), **values)
    for language, text in (texts or {}).items():  # a language the reply never had
        if language not in present:
            session.add(CannedReply(name=name or old.name, language=language,
                                    category=category, subject=text.subject, body=text.body,
                                    is_active=old.is_active, version=expected_version + 1))
    session.flush()


# --- previewing ---------------------------------------------------------------------------

def preview_enquiries(*, session: Session, limit: int = 50, language: str | None = None,
                      category: str | None = None) -> list[PreviewEnquiry]:
    """Recent enquiries to try a reply on: of the reply's category first, then those with
    the most linked documents."""
    linked = sum((case((column.is_not(None), 1), else_=0) for column in (
        Enquiry.order_id, Enquiry.invoice_id, Enquiry.contract_id, Enquiry.installed_item_id,
        Enquiry.contact_id)), start=case((Enquiry.customer_id.is_not(None), 1), else_=0))
    query = (select(Enquiry.id, Enquiry.reference, Enquiry.subject, Enquiry.language,
                    Customer.name)
             .outerjoin(Customer, Customer.id == Enquiry.customer_id)
             .where(Enquiry.merged_into_id.is_(None))
             .order_by(desc(case((Enquiry.category == category, 1), else_=0)), desc(linked),
                       desc(Enquiry.created_at), desc(Enquiry.id)).limit(limit))
    if language is not None:
        query = query.where(Enquiry.language == language)
    return [PreviewEnquiry(*row) for row in session.execute(query)]


def preview(*, session: Session, texts: dict[str, ReplyText], enquiry_id: int,
            agent: UserInfo) -> dict[str, templates.Rendered]:
    """Each language's subject and body filled from a real enquiry (its values are written
    the way the enquiry's language writes them); what stays unfilled is named."""
    values = templates.values_for(session=session, enquiry_id=enquiry_id, agent=agent)
    out: dict[str, templates.Rendered] = {}
    for language, text in texts.items():
        subject = templates.render(text.subject, values)
        body = templates.render(text.body, values)
        missing = tuple(dict.fromkeys((*subject.missing, *body.missing)))
        out[language] = templates.Rendered(f"{subject.text}\n\n{body.text}", missing)
    return out
