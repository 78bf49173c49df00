"""First run: bring the database to the current schema and, in demo mode, fill it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from db.migrate import upgrade

Progress = Callable[[float, str], None]


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema; a no-op when it is current."""
    upgrade(engine)


def needs_demo_data(engine: Engine, *, demo_mode: bool) -> bool:
    if not demo_mode:
        return False
    from seed.generate import is_empty

    return is_empty(engine)


def seed_demo(engine: Engine, progress: Progress | None = None) -> None:
    from seed.generate import seed_database

    seed_database(engine, size="demo", progress=progress)
