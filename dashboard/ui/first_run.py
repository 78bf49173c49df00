"""First run: bring the database to the current schema and, in demo mode, fill it.

Both happen under the database's schema lock (``db.locks``): app servers started together on
an empty database wait for the first one, then find the schema current and the demo data in.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from db.locks import SCHEMA_LOCK, database_lock
from db.migrate import upgrade

Progress = Callable[[float, str], None]


def prepare(engine: Engine, *, demo_mode: bool,
            seeding: Callable[[], Progress | None] | None = None) -> bool:
    """Migrate, and seed an empty database in demo mode, holding the schema lock throughout.

    ``seeding`` is called only when this process is the one that seeds; it returns the
    progress callback to report to. True when this call seeded."""
    with database_lock(engine, SCHEMA_LOCK):
        migrate(engine)
        if not needs_demo_data(engine, demo_mode=demo_mode):
            return False
        seed_demo(engine, progress=seeding() if seeding else None)
        return True


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
