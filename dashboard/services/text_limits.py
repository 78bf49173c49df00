"""What text the database can keep, checked before every write: the one place the limits are
read from the models' column sizes.

PostgreSQL refuses a value longer than its ``VARCHAR(n)`` and any text with a NUL character;
SQLite would store both. Checking here, before the write, makes both databases refuse the same
input with the same clear message, and nothing of the change is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Column

from dashboard.formatting import count
from dashboard.services.errors import ValidationError


def max_length(model: type[Any], attribute: str) -> int | None:
    """The most characters ``model.attribute`` can hold; None when there is no limit."""
    column = inspect(model).columns.get(attribute)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def _label(column: Column[Any]) -> str:
    return column.name.replace("_", " ").capitalize()


def problems(model: type[Any], values: Mapping[str, Any]) -> list[str]:
    """What is wrong with the text in ``values`` for ``model``'s columns, in plain words."""
    found = []
    columns = inspect(model).columns
    for attribute, value in values.items():
        column = columns.get(attribute)
        if column is None or not isinstance(value, str) or not isinstance(column.type, String):
            continue
        if "\x00" in value:
            found.append(f"{_label(column)} contains a NUL character; type it again without it.")
        limit = column.type.length
        if limit is not None and len(value) > limit:
            found.append(f"{_label(column)} can be at most {count(limit)} characters long "
                         f"({count(len(value))} given).")
    return found


def check(model: type[Any], values: Mapping[str, Any]) -> None:
    """Raise ValidationError when ``values`` cannot be kept in ``model``'s table."""
    if found := problems(model, values):
        raise ValidationError(found)


def _changed_text(obj: Any, new: bool) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key not in state.dict:
            continue
        if new or state.attrs[key].history.has_changes():
            values[key] = state.dict[key]
    return values


@event.listens_for(Session, "before_flush")
def _check_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    found = []
    for obj, new in [(o, True) for o in session.new] + [(o, False) for o in session.dirty]:
        found += problems(type(obj), _changed_text(obj, new))
    if found:
        raise ValidationError(list(dict.fromkeys(found)))
