"""Settings an admin changes on the settings page: the company printed on documents, the
at-risk share, the auto-close period, the outbox's retries and how long the audit log is kept
(the business calendar is ``calendar``). Each is one row of ``settings``, read where it is
used, with the code's default (or, for the company, the secrets file) while no row is
saved; each write is validated, versioned and audited with before and after."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.services import audit
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from dashboard.services.versioned import changed_by
from dashboard.vendor import Vendor, load_vendor
from db.models import AuditLog, Setting

COMPANY = "company"
AT_RISK_PERCENT = "sla_at_risk_percent"
AUTO_CLOSE_DAYS = "auto_close_business_days"
OUTBOX_RETRY = "outbox_retry"
CALENDAR = "calendar"
AUDIT_RETENTION_MONTHS = "audit_retention_months"
CHANGED = "setting_changed"

DEFAULT_AT_RISK_PERCENT = 25
DEFAULT_AUTO_CLOSE_DAYS = 5
# Ten years: what Belgian bookkeeping keeps its records for; less than a year hides too much.
DEFAULT_AUDIT_RETENTION_MONTHS = 120
MIN_AUDIT_RETENTION_MONTHS = 12
MAX_AUTO_CLOSE_DAYS = 60
IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
COMPANY_LABELS = {"name": "Company name", "street": "Street and number",
                  "postal_code": "Postal code", "city": "City", "country": "Country",
                  "vat_number": "VAT number", "iban": "IBAN", "bic": "BIC", "email": "E-mail",
                  "phone": "Phone", "website": "Website", "fax": "Fax"}
COMPANY_REQUIRED = ("name", "street", "postal_code", "city", "country", "vat_number", "iban")


@dataclass(frozen=True)
class OutboxRetry:
    """A failed delivery is tried again after ``first_retry_minutes``, doubling each time up
    to ``longest_retry_minutes``; after ``max_attempts`` tries it is failed for good."""

    max_attempts: int = 6
    first_retry_minutes: int = 1
    longest_retry_minutes: int = 60

    def delay(self, attempts: int) -> timedelta:
        """1, 2, 4, 8 … (first × 2ⁿ) minutes after the 1st, 2nd, 3rd … failure, capped."""
        doublings = min(max(attempts - 1, 0), 16)  # capped before it could overflow
        return min(timedelta(minutes=self.first_retry_minutes) * (1 << doublings),
                   timedelta(minutes=self.longest_retry_minutes))


@dataclass(frozen=True)
class Stored:
    value: Any
    version: int  # 0: not saved yet, the default applies


def stored(*, session: Session, key: str) -> Stored:
    row = session.execute(select(Setting.value, Setting.version)
                          .where(Setting.key == key)).first()
    return Stored(None, 0) if row is None else Stored(row.value, row.version)


def stored_many(*, session: Session, keys: tuple[str, ...]) -> dict[str, Stored]:
    """Several settings in one statement (the per-run refresh reads two)."""
    rows = {row.key: Stored(row.value, row.version) for row in session.execute(
        select(Setting.key, Setting.value, Setting.version).where(Setting.key.in_(keys)))}
    return {key: rows.get(key, Stored(None, 0)) for key in keys}


def save(*, session: Session, key: str, value: Any, version: int, by: UserInfo | None,
         what: str) -> int:
    """Write ``value`` over the version the admin saw (0: none saved yet); audited with the
    value before and after. Returns the new version."""
    before = stored(session=session, key=key)
    if before.version != version:
        raise StaleEditError(stale_message(session, key, what))
    if version == 0:
        try:
            with session.begin_nested():  # a concurrent first save wins; this one is stale
                session.execute(insert(Setting).values(key=key, value=value, version=1))
        except IntegrityError:
            raise StaleEditError(stale_message(session, key, what)) from None
    else:
        result = session.execute(update(Setting).where(Setting.key == key,
                                                       Setting.version == version)
                                 .values(value=value, version=version + 1))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleEditError(stale_message(session, key, what))
    audit.record(session=session, action=CHANGED, user_id=by.id if by else None,
                 username=by.username if by else None, entity_type=f"setting:{key}",
                 before={key: before.value}, after={key: value})
    return version + 1


def stale_message(session: Session, key: str, what: str) -> str:
    return changed_by(session, select(func.coalesce(AuditLog.username, ""), AuditLog.occurred_at)
                      .where(AuditLog.entity_type == f"setting:{key}")
                      .order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()),
                      what, "someone else")


# --- the company ------------------------------------------------------------------------

def company(*, session: Session) -> Vendor:
    """The company as saved here, else as in the secrets file (``[vendor]``), else the demo."""
    fallback = load_vendor()
    saved = stored(session=session, key=COMPANY).value
    if not isinstance(saved, dict):
        return fallback
    return Vendor(**{name: str(saved.get(name) or getattr(fallback, name))
                     for name in Vendor.__dataclass_fields__})


def company_version(*, session: Session) -> int:
    return stored(session=session, key=COMPANY).version


def save_company(*, session: Session, values: dict[str, str], version: int,
                 by: UserInfo) -> Vendor:
    cleaned = {name: str(values.get(name) or "").strip() for name in Vendor.__dataclass_fields__}
    problems = [f"{COMPANY_LABELS[name]} is needed: it is printed on every invoice."
                for name in COMPANY_REQUIRED if not cleaned[name]]
    problems += [f"{COMPANY_LABELS[name]} is too long (at most 120 characters)."
                 for name, text in cleaned.items() if len(text) > 120]
    iban = cleaned["iban"].replace(" ", "").upper()
    if cleaned["iban"] and not IBAN.fullmatch(iban):
        problems.append("The IBAN is not valid: two letters, two check digits, then the "
                        "account (e.g. BE71 0961 2345 6769).")
    if cleaned["email"] and "@" not in cleaned["email"]:
        problems.append("The e-mail address needs an @.")
    if problems:
        raise ValidationError(problems)
    save(session=session, key=COMPANY, value=cleaned, version=version, by=by,
         what="company's details")
    return Vendor(**cleaned)


# --- numbers ------------------------------------------------------------------------------

def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def at_risk_percent(*, session: Session, saved: Stored | None = None) -> int:
    """The share of a target left under which a clock is at risk, for policies without one."""
    saved = saved if saved is not None else stored(session=session, key=AT_RISK_PERCENT)
    return _int(saved.value, DEFAULT_AT_RISK_PERCENT)


def auto_close_days(*, session: Session) -> int:
    """Business days a resolved enquiry waits for the customer before it closes itself."""
    return _int(stored(session=session, key=AUTO_CLOSE_DAYS).value, DEFAULT_AUTO_CLOSE_DAYS)


def audit_retention_months(*, session: Session) -> int:
    """How long audit rows are kept before ``retention.purge`` deletes them."""
    return _int(stored(session=session, key=AUDIT_RETENTION_MONTHS).value,
                DEFAULT_AUDIT_RETENTION_MONTHS)


def save_audit_retention_months(*, session: Session, months: int, version: int,
                                by: UserInfo) -> None:
    if not isinstance(months, int) or not MIN_AUDIT_RETENTION_MONTHS <= months <= 600:
        raise ValidationError([f"Keep the audit log {MIN_AUDIT_RETENTION_MONTHS} to 600 "
                               "months."])
    save(session=session, key=AUDIT_RETENTION_MONTHS, value=months, version=version, by=by,
         what="retention period")


def outbox_retry(*, session: Session) -> OutboxRetry:
    saved = stored(session=session, key=OUTBOX_RETRY).value
    if not isinstance(saved, dict):
        return OutboxRetry()
    default = OutboxRetry()
    return OutboxRetry(**{name: _int(saved.get(name), getattr(default, name))
                          for name in OutboxRetry.__dataclass_fields__})


def check_percent(value: Any) -> list[str]:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        return ["The at-risk share is a whole percentage from 0 to 100."]
    return []


def save_at_risk_percent(*, session: Session, percent: int, version: int,
                         by: UserInfo) -> None:
    if problems := check_percent(percent):
        raise ValidationError(problems)
    save(session=session, key=AT_RISK_PERCENT, value=percent, version=version, by=by,
         what="at-risk share")


def save_auto_close_days(*, session: Session, days: int, version: int, by: UserInfo) -> None:
    if not isinstance(days, int) or not 1 <= days <= MAX_AUTO_CLOSE_DAYS:
        raise ValidationError([f"The auto-close period is 1 to {MAX_AUTO_CLOSE_DAYS} business "
                               "days."])
    save(session=session, key=AUTO_CLOSE_DAYS, value=days, version=version, by=by,
         what="auto-close period")


def save_outbox_retry(*, session: Session, retry: OutboxRetry, version: int,
                      by: UserInfo) -> None:
    problems = []
    if not 1 <= retry.max_attempts <= 20:
        problems.append("Tries per e-mail: 1 to 20.")
    if not 1 <= retry.first_retry_minutes <= 24 * 60:
        problems.append("The first wait is 1 minute to 1 day.")
    if not 1 <= retry.longest_retry_minutes <= 7 * 24 * 60:
        problems.append("The longest wait is 1 minute to 7 days.")
    if retry.longest_retry_minutes < retry.first_retry_minutes:
        problems.append("The longest wait cannot be shorter than the first.")
    if problems:
        raise ValidationError(problems)
    save(session=session, key=OUTBOX_RETRY, value=asdict(retry), version=version, by=by,
         what="outbox retry policy")


def versions(*, session: Session) -> dict[str, int]:
    """The version of every setting on the page, for the forms to send back."""
    rows = dict(session.execute(select(Setting.key, Setting.version)).all())
    return {key: rows.get(key, 0)
            for key in (COMPANY, AT_RISK_PERCENT, AUTO_CLOSE_DAYS, OUTBOX_RETRY, CALENDAR,
                        AUDIT_RETENTION_MONTHS)}
