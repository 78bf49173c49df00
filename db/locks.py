"""A lock held across processes and machines while the schema is migrated or first filled.

Several app servers (and the command line) may start at once on an empty database; only one
of them may create the schema and seed it, the others wait and then find it done.

- PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on a connection of its
  own, keyed by the lock's name, the database and the schema in the search path (two
  schemas in one database, as in the tests, do not wait for each other). The server lets go
  of it when the connection ends, so a process that dies holding it blocks nobody.
- SQLite: an exclusive ``fcntl.flock`` on a file beside the database (``csol.db.lock`` next
  to ``csol.db``); the kernel lets go of it when the process ends. Each use opens the file
  anew, so threads of one process exclude each other too.
- An in-memory SQLite database lives in one process: a thread lock is enough there.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

SCHEMA_LOCK = "csol-schema"  # migrating, and filling an empty database with demo data

_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


class LockTimeout(RuntimeError):
    """The lock was not had within the time given."""


def sqlite_lock_path(database: str) -> Path:
    """The lock file beside a SQLite database file."""
    path = Path(database)
    return path.with_name(path.name + ".lock")


def advisory_key(name: str, database: str, schema: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock`` from the lock's name and place."""
    digest = hashlib.blake2b(f"{name}\0{database}\0{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def database_lock(engine: Engine, name: str = SCHEMA_LOCK, *,
                  timeout: float | None = None) -> Iterator[None]:
    """Hold the lock ``name`` on the database behind ``engine`` for the block.

    Waits for as long as another holder keeps it, or at most ``timeout`` seconds
    (``LockTimeout`` then)."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(engine, name, timeout):
            yield
        return
    database = engine.url.database or ""
    if backend == "sqlite" and database and database != ":memory:" \
            and not database.startswith("file:"):
        with _file_lock(sqlite_lock_path(database), timeout):
            yield
        return
    with _thread_lock(f"{engine.url}\0{name}", timeout):
        yield


@contextmanager
def _advisory_lock(engine: Engine, name: str, timeout: float | None) -> Iterator[None]:
    with engine.connect() as conn:
        database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
        key = advisory_key(name, database, schema or "")
        if timeout is None:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        else:
            deadline = time.monotonic() + timeout
            while not conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": key}).scalar_one():
                if time.monotonic() > deadline:
                    raise LockTimeout(f"the database lock {name!r} is held elsewhere")
                time.sleep(0.1)
        conn.commit()  # a session-level lock outlives the transaction; none is left open
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()


@contextmanager
def _file_lock(path: Path, timeout: float | None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if timeout is None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeout(f"{path} is locked by another process") from None
                    time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _thread_lock(key: str, timeout: float | None) -> Iterator[None]:
    with _memory_guard:
        lock = _memory_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=-1 if timeout is None else timeout):
        raise LockTimeout("the database lock is held by another thread")
    try:
        yield
    finally:
        lock.release()
