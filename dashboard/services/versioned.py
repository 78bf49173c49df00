"""Optimistic locking for the rows people edit in forms (enquiries, installed items): a
change is written only over the version the person saw, else they are told who changed it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from dashboard.formatting import when
from dashboard.services import text_limits
from dashboard.services.errors import StaleEditError


def write_if_unchanged(session: Session, row: Any, version: int, stale: Callable[[], str],
                       **values: Any) -> None:
    """Write ``values`` to ``row`` only while its version is still ``version`` (checked by
    the row count, so two writers cannot both pass); else raise with ``stale()``."""
    model = type(row)
    text_limits.check(model, values)
    result = session.execute(
        update(model).where(model.id == row.id, model.version == version)
        .values(version=version + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEditError(stale())
    session.refresh(row)


def changed_by(session: Session, last_changes: Select[str, datetime],
               thing: str, nobody: str) -> str:
    """"This <thing> was changed by <who> at <when> — reload", from the newest of
    ``last_changes`` (who, when), newest first."""
    last = session.execute(last_changes.limit(1)).first()
    if last is None:
        return f"This {thing} was changed by someone else — reload."
    who, at = last
    return f"This {thing} was changed by {who or nobody} at {when(at)} — reload."
