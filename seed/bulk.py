"""Bulk loading of plain row tuples: executemany on SQLite, COPY on PostgreSQL.

The ORM would spend most of the seed's time building objects; here rows go to the driver
as they are. Ids come from the generator, so PostgreSQL's sequences are moved past them at
the end.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table, inspect, text

from db.models import Base

# Foreign keys are not checked row by row during the load (on PostgreSQL neither, see
# _skip_foreign_key_triggers_if_allowed): the generator hands out every id itself and the
# tests check each reference afterwards.
_SQLITE_LOAD_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144",
                        "PRAGMA temp_store=MEMORY", "PRAGMA foreign_keys=OFF")
_SQLITE_RESTORE_PRAGMAS = ("PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-2000",
                           "PRAGMA temp_store=DEFAULT", "PRAGMA foreign_keys=ON")
_EPOCH_DAY = date(1970, 1, 1)


class TimestampText:
    """UTC epoch seconds as the text a timestamp column takes, built without datetime
    objects: SQLAlchemy's SQLite format (naive UTC, microseconds), or the same with an
    explicit +00 offset for PostgreSQL's timestamptz. Called millions of times, so the
    text of every second of a day is made once, and ``stamp`` is a plain closure."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.stamp = _stamper(suffix)

    def __call__(self, seconds: int) -> str:
        return self.stamp(seconds)


def _stamper(suffix: str) -> Callable[[int], str]:
    days: dict[int, str] = {}
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000{suffix}"
             for s in range(86_400)]

    def stamp(seconds: int) -> str:
        day, second = divmod(seconds, 86_400)
        try:
            return days[day] + clock[second]
        except KeyError:
            days[day] = f"{_EPOCH_DAY + timedelta(days=day)} "
            return days[day] + clock[second]

    return stamp


def quoted(name: str) -> str:
    return f'"{name}"'


class Loader(ABC):
    """Writes rows into one open transaction of ``connection``.

    Rows hold final column values: timestamps as ``stamp(epoch_seconds)`` text, JSON
    columns as JSON text, dates as ``date`` objects.
    """

    timestamp_suffix = ""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.driver: Any = connection.connection.driver_connection
        self.stamp = TimestampText(self.timestamp_suffix)

    def insert(self, table_name: str, rows: Sequence[Sequence[Any]]) -> None:
        self._insert(Base.metadata.tables[table_name], rows)

    @abstractmethod
    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the model tables' plain indexes: the ones a bulk load
        is faster without (unique and primary-key indexes stay)."""

    @abstractmethod
    def finish(self) -> None:
        """Make the loaded data ready for use (sequences, planner statistics)."""


class SqliteLoader(Loader):

    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        columns = ", ".join(quoted(c.name) for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        sql = f"INSERT INTO {quoted(table.name)} ({columns}) VALUES ({marks})"
        self.driver.executemany(sql, rows)

    def secondary_indexes(self) -> list[tuple[str, str]]:
        rows = self.connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name").all()
        return [(name, sql) for name, table, sql in rows if table in Base.metadata.tables]

    def finish(self) -> None:
        # A bounded ANALYZE: good statistics for the query planner in a second or two.
        self.connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        self.connection.exec_driver_sql("ANALYZE")


class PostgresLoader(Loader):
    timestamp_suffix = "+00"

    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        columns = ", ".join(quoted(c.name) for c in table.columns)
        with self.driver.cursor() as cursor, cursor.copy(
            f"COPY {quoted(table.name)} ({columns}) FROM STDIN"
        ) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def secondary_indexes(self) -> list[tuple[str, str]]:
        rows = self.connection.exec_driver_sql(
            "SELECT i.relname, t.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT x.indisunique "
            "AND NOT x.indisprimary ORDER BY i.relname").all()
        return [(name, sql) for name, table, sql in rows if table in Base.metadata.tables]

    def finish(self) -> None:
        for table in Base.metadata.sorted_tables:
            if _has_serial_id(table):
                name = quoted(table.name)
                self.connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                ))
        # Statistics and the visibility map come after the commit (``tidy_up``).


def _has_serial_id(table: Table) -> bool:
    primary = list(table.primary_key.columns)
    return len(primary) == 1 and primary[0].name == "id" and isinstance(primary[0].type, Integer)


@contextmanager
def bulk_load(engine: Engine) -> Iterator[Loader]:
    """One transaction tuned for loading, all or nothing. Plain indexes are dropped for the
    load and rebuilt from their own definitions at the end (sorting once beats updating
    them row by row); the connection is restored before it goes back to the pool."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sqlite3.register_adapter(date, date.isoformat)  # what SQLAlchemy's Date stores
            _pragmas(connection, _SQLITE_LOAD_PRAGMAS)
            try:
                with connection.begin():
                    yield from _load(SqliteLoader(connection))
            finally:
                _pragmas(connection, _SQLITE_RESTORE_PRAGMAS)
        else:
            with connection.begin():
                _skip_foreign_key_triggers_if_allowed(connection)
                connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
                yield from _load(PostgresLoader(connection))


def _load(loader: Loader) -> Iterator[Loader]:
    indexes = loader.secondary_indexes()
    for name, _ in indexes:
        loader.connection.exec_driver_sql(f"DROP INDEX {quoted(name)}")
    yield loader
    for _, create in indexes:
        loader.connection.exec_driver_sql(create)
    loader.finish()


def _skip_foreign_key_triggers_if_allowed(connection: Connection) -> None:
    """Foreign keys are checked by a trigger per row, which would dominate a large load;
    a superuser may switch them off for this transaction (the generator keeps every
    reference valid, and the tests check each one afterwards)."""
    is_superuser = connection.exec_driver_sql("SHOW is_superuser").scalar()
    if is_superuser == "on":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")


def tidy_up(engine: Engine) -> None:
    """After a load on PostgreSQL: VACUUM ANALYZE the model tables, for the planner's
    statistics and for the visibility map, without which no index-only scan is possible
    until autovacuum comes by (the receivables pages read covering indexes)."""
    if engine.dialect.name != "postgresql":
        return
    # Only the model tables: a bare VACUUM would visit every table of the database.
    listed = ", ".join(quoted(t.name) for t in Base.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (ANALYZE) {listed}")


def table_names_in_delete_order() -> list[str]:
    return [table.name for table in reversed(Base.metadata.sorted_tables)]


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every model table, keeping the schema (and alembic_version)."""
    existing = set(inspect(engine).get_table_names())
    names = [name for name in table_names_in_delete_order() if name in existing]
    if not names:
        return
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            listed = ", ".join(quoted(name) for name in names)
            connection.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
        return
    with engine.connect() as connection:
        # Without foreign-key checks SQLite empties a table in one step instead of row by row.
        _pragmas(connection, ("PRAGMA foreign_keys=OFF",))
        try:
            with connection.begin():
                for name in names:
                    connection.exec_driver_sql(f"DELETE FROM {quoted(name)}")
        finally:
            _pragmas(connection, ("PRAGMA foreign_keys=ON",))


def _pragmas(connection: Connection, pragmas: Sequence[str]) -> None:
    """Run SQLite pragmas outside any transaction (some refuse to run inside one, others
    are ignored), on the driver's connection so that SQLAlchemy does not begin one."""
    if connection.in_transaction():
        connection.commit()
    driver = connection.connection.driver_connection
    assert driver is not None
    for pragma in pragmas:
        driver.execute(pragma)
