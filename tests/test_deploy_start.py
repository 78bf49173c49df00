"""Several app servers started at once on an empty database: one schema, one demo seed.

Three processes run the first-run path the app uses (``first_run.prepare``) at the same
moment, on an empty SQLite file and on an empty PostgreSQL database of their own; all of them
come up, exactly one seeds, the others find the data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from db.engine import make_engine
from db.locks import LockTimeout, database_lock
from db.models import Customer, User
from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 3

# Each process waits for the same start time, so they really race for the empty database.
START = """
import sys, time
from db.engine import make_engine
from dashboard.ui import first_run
start = float(sys.argv[2])
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
seeded = first_run.prepare(engine, demo_mode=True)
print("seeded" if seeded else "found")
"""


def _start_together(url: str) -> list[str]:
    start = time.time() + 3.0  # after every interpreter has imported what it needs
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", START, url, str(start)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(PROCESSES)]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"a server's first run failed:\n{err[-3000:]}"
        outcomes.append(out.strip())
    return outcomes


def _head() -> str:
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head
    return head


def _check_one_schema_one_seed(url: str, outcomes: list[str]) -> None:
    assert sorted(outcomes) == ["found"] * (PROCESSES - 1) + ["seeded"], outcomes
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert list(versions) == [_head()]
            assert conn.execute(select(func.count()).select_from(User)
                                .where(User.username == "rep")).scalar_one() == 1
            customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
            numbers = conn.execute(select(func.count(func.distinct(Customer.customer_number)))
                                   ).scalar_one()
        assert customers > 0 and customers == numbers
    finally:
        engine.dispose()


def test_three_servers_start_on_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csol.db'}"
    outcomes = _start_together(url)
    _check_one_schema_one_seed(url, outcomes)
    assert (tmp_path / "csol.db.lock").exists()  # the lock file beside the database


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A database of its own, created empty for the test and dropped after it."""
    base = postgres_url()
    if not base:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL half skipped")
    name = f"csol_start_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_three_servers_start_on_an_empty_postgres_database(empty_postgres_database: str
                                                           ) -> None:
    outcomes = _start_together(empty_postgres_database)
    _check_one_schema_one_seed(empty_postgres_database, outcomes)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_lock_excludes_another_holder(tmp_path: Path, backend: str,
                                          request: pytest.FixtureRequest) -> None:
    """While one engine holds the lock, another (a second server) cannot have it."""
    url = (f"sqlite:///{tmp_path / 'x.db'}" if backend == "sqlite"
           else request.getfixturevalue("empty_postgres_database"))
    first, second = make_engine(url), make_engine(url)
    try:
        with database_lock(first), pytest.raises(LockTimeout), \
                database_lock(second, timeout=0.3):
            pass
        with database_lock(second, timeout=0.3):  # free again once let go
            pass
    finally:
        first.dispose()
        second.dispose()
