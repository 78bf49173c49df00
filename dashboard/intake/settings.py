"""Intake settings from the ``settings`` table, in the shapes the demo seed writes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.intake.classify import FaxPattern, fax_patterns
from db.models import Setting

AUTO_ASSIGN = "auto_assign"
FAX_GATEWAY_PATTERNS = "fax_gateway_patterns"
INTAKE_ADDRESS = "intake_address"
DEFAULT_INTAKE_ADDRESS = "support@csol.example"


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
    ``fax_gateway_patterns`` a list of ``{"name", "from", "subject"}`` regexes whose subject
    pattern names the fax number ``(?P<number>…)``; missing rows mean off / the defaults."""
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
