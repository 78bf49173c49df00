"""Configuration rows: SLA policies, canned replies, settings and a little audit history."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays

from seed.phrases import CANNED_REPLIES
from seed.rows import AuditLogRow, CannedReplyRow, ClosureRow, Row, SettingRow, SlaPolicyRow
from seed.staff import Staff


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    priority: str
    channel: str | None
    first_response_minutes: int
    resolution_minutes: int


POLICIES = (
    Policy(1, "Urgent", "urgent", None, 30, 240),
    Policy(2, "High", "high", None, 60, 480),
    Policy(3, "Normal", "normal", None, 240, 1530),
    Policy(4, "Low", "low", None, 480, 2550),
    # Faxes are read from the gateway's mailbox twice a day, hence a longer first response.
    Policy(5, "Normal (fax)", "normal", "fax", 480, 2040),
)


def policy_for(priority: str, channel: str) -> Policy:
    """The most specific policy: priority and channel, else priority alone."""
    general = None
    for policy in POLICIES:
        if policy.priority != priority:
            continue
        if policy.channel == channel:
            return policy
        if policy.channel is None:
            general = policy
    assert general is not None
    return general


def sla_policy_rows() -> list[Row]:
    return [
        SlaPolicyRow(id=p.id, name=p.name, priority=p.priority, channel=p.channel, segment=None,
                     first_response_minutes=p.first_response_minutes,
                     resolution_minutes=p.resolution_minutes, at_risk_percent=None,
                     is_active=True, version=1)
        for p in POLICIES
    ]


def canned_reply_rows() -> list[Row]:
    rows: list[Row] = []
    for name, (category, texts) in CANNED_REPLIES.items():
        for language in ("en", "fr", "nl", "de"):
            subject, body = texts[language]
            rows.append(CannedReplyRow(id=len(rows) + 1, name=name, language=language,
                                       category=category, subject=subject, body=body,
                                       is_active=True, version=1))
    return rows


# Gateways beyond the built-in HylaFAX and eFax ones (dashboard.intake.classify); none here,
# so the demo keeps the built-in patterns as they are.
FAX_GATEWAY_PATTERNS: list[dict[str, str]] = []


def setting_rows() -> list[Row]:
    values: dict[str, Any] = {
        "auto_assign": {"enabled": True, "strategy": "least_open", "match_language": True},
        "fax_gateway_patterns": FAX_GATEWAY_PATTERNS,
        "intake_address": "support@csol.example",
    }
    # The company, calendar, at-risk share, auto-close and outbox retries keep the code's
    # defaults until an admin saves them on the settings page.
    return [SettingRow(key=key, value=json.dumps(value), version=1)
            for key, value in values.items()]


def closure_rows(today: date) -> list[Row]:
    """One company closure: the Friday after the next Ascension Day at least two months
    ahead, the Belgian bridge day. That far out it moves no seeded open enquiry's due time,
    which the seed works out in the default calendar."""
    year = today.year
    while True:
        found = [d for d, name in holidays.country_holidays("BE", years=year).items()
                 if name == "Ascension Day" and d > today + timedelta(days=60)]
        if found:
            return [ClosureRow(id=1, day=found[0] + timedelta(days=1), name="Bridge day")]
        year += 1


def audit_rows(staff: Staff, now_ts: int, stamp: Callable[[int], str]) -> list[Row]:
    admin = next(m for m in staff.members if m.role == "admin")
    lead = next(m for m in staff.members if m.role == "lead")
    entries: list[tuple[timedelta, Any, str, str | None, int | None, Any, Any]] = [
        (timedelta(days=30), admin, "user.create", "user", 12, None,
         {"username": "an.vermeulen", "role": "lead"}),
        (timedelta(days=21), admin, "sla_policy.update", "sla_policy", 5,
         {"first_response_minutes": 240}, {"first_response_minutes": 480}),
        (timedelta(days=14), admin, "settings.update", "setting", None,
         {"auto_assign": {"enabled": False}}, {"auto_assign": {"enabled": True}}),
        (timedelta(days=7), admin, "user.deactivate", "user", 13, {"is_active": True},
         {"is_active": False}),
        (timedelta(days=1, hours=3), None, "login.failed", None, None, None,
         {"reason": "unknown user"}),
        (timedelta(hours=2), lead, "login", "user", lead.id, None, None),
        (timedelta(hours=1), admin, "login", "user", admin.id, None, None),
    ]
    rows = []
    for number, (ago, member, action, entity, entity_id, before, after) in enumerate(
            entries, start=1):
        rows.append(AuditLogRow(
            id=number, occurred_at=stamp(now_ts - int(ago.total_seconds())),
            user_id=member.id if member else None,
            username=member.username if member else "j.peeters", action=action,
            entity_type=entity, entity_id=entity_id,
            before=None if before is None else json.dumps(before),
            after=None if after is None else json.dumps(after)))
    return rows
