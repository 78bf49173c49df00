"""Bulk loading of plain row tuples: executemany on SQLite, COPY on PostgreSQL.

The ORM would spend most of the seed's time building objects; here rows go to the driver
as they are. Ids come from the generator, so PostgreSQL's sequences are moved past them at
the end.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Integer, Table, inspect, text

from db.models import Base

_SQLITE_LOAD_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144",
                        "PRAGMA temp_store=MEMORY")
_SQLITE_RESTORE_PRAGMAS = ("PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-2000",
                           "PRAGMA temp_store=DEFAULT")


def _sqlite_datetime(value: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores (naive UTC with microseconds), so seeded
    # rows compare and sort exactly like rows the app writes.
    if value.tzinfo is UTC:
        return value.isoformat(" ", "microseconds")[:26]
    return value.isoformat(" ")


def _register_sqlite_adapters() -> None:
    sqlite3.register_adapter(datetime, _sqlite_datetime)
    sqlite3.register_adapter(date, date.isoformat)


def quoted(name: str) -> str:
    return f'"{name}"'


def _json_positions(table: Table) -> list[int]:
    return [i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)]


def _with_json_as_text(rows: Sequence[Sequence[Any]], positions: list[int]) -> list[list[Any]]:
    converted = []
    for row in rows:
        values = list(row)
        for index in positions:
            if values[index] is not None:
                values[index] = json.dumps(values[index], ensure_ascii=False)
        converted.append(values)
    return converted


class Loader(ABC):
    """Writes rows into one open transaction of ``connection``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.driver = connection.connection.driver_connection

    def insert(self, table_name: str, rows: Sequence[Sequence[Any]]) -> None:
        table = Base.metadata.tables[table_name]
        positions = _json_positions(table)
        if positions:
            rows = _with_json_as_text(rows, positions)
        self._insert(table, rows)

    @abstractmethod
    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def finish(self) -> None:
        """Make the loaded data ready for use (sequences, planner statistics)."""


class SqliteLoader(Loader):
    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        columns = ", ".join(quoted(c.name) for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        sql = f"INSERT INTO {quoted(table.name)} ({columns}) VALUES ({marks})"
        self.driver.executemany(sql, rows)

    def finish(self) -> None:
        # A bounded ANALYZE: good statistics for the query planner in a second or two.
        self.connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        self.connection.exec_driver_sql("ANALYZE")


class PostgresLoader(Loader):
    def _insert(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        columns = ", ".join(quoted(c.name) for c in table.columns)
        with self.driver.cursor() as cursor, cursor.copy(
            f"COPY {quoted(table.name)} ({columns}) FROM STDIN"
        ) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def finish(self) -> None:
        for table in Base.metadata.sorted_tables:
            if _has_serial_id(table):
                name = quoted(table.name)
                self.connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                ))
        self.connection.exec_driver_sql("ANALYZE")


def _has_serial_id(table: Table) -> bool:
    primary = list(table.primary_key.columns)
    return len(primary) == 1 and primary[0].name == "id" and isinstance(primary[0].type, Integer)


@contextmanager
def bulk_load(engine: Engine) -> Iterator[Loader]:
    """One transaction tuned for loading; the connection is restored before it goes back
    to the pool."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            _register_sqlite_adapters()
            _pragmas(connection, _SQLITE_LOAD_PRAGMAS)
            try:
                with connection.begin():
                    loader: Loader = SqliteLoader(connection)
                    yield loader
                    loader.finish()
            finally:
                _pragmas(connection, _SQLITE_RESTORE_PRAGMAS)
        else:
            with connection.begin():
                _skip_foreign_key_triggers_if_allowed(connection)
                loader = PostgresLoader(connection)
                yield loader
                loader.finish()


def _skip_foreign_key_triggers_if_allowed(connection: Connection) -> None:
    """Foreign keys are checked by a trigger per row, which would dominate a large load;
    a superuser may switch them off for this transaction (the generator keeps every
    reference valid, and the tests check that on SQLite, where they stay on)."""
    is_superuser = connection.exec_driver_sql("SHOW is_superuser").scalar()
    if is_superuser == "on":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")


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
    """Run SQLite pragmas outside any transaction (some are ignored inside one)."""
    if connection.in_transaction():
        connection.commit()
    for pragma in pragmas:
        connection.exec_driver_sql(pragma)
    connection.commit()


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(connection.execute(
                text(f"SELECT COUNT(*) FROM {quoted(table.name)}")).scalar_one())
            for table in Base.metadata.sorted_tables
        }
