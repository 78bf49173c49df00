"""The restore drill of docs/deploy.md: a backup made by deploy/backup.sh of a database in use
restores with deploy/restore-drill.sh and holds what the database held, on SQLite (online
backup while another connection keeps writing) and on PostgreSQL (pg_dump / pg_restore into a
new database)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from tests import factories
from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "deploy" / "backup.sh"
DRILL = ROOT / "deploy" / "restore-drill.sh"
TABLES = ("users", "customers", "contacts", "orders", "invoices", "payments", "contracts",
          "installed_items", "enquiries", "enquiry_events", "inbound_messages",
          "outbound_messages", "audit_log")


def _fill(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        rep = factories.user(s, "rep")
        for n in range(3):
            cust = factories.customer(s, f"Klant {n}", account_manager=rep)
            factories.contact(s, cust)
            factories.invoice(s, cust)
            factories.enquiry(s, customer_id=cust.id)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                 for t in TABLES}
        found["revision"] = conn.execute(text("SELECT version_num FROM alembic_version")
                                         ).scalar_one()
    return found


def _drill(backup: Path, *extra: str) -> dict[str, object]:
    done = subprocess.run(["bash", str(DRILL), str(backup), *extra], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shown: dict[str, object] = {}
    for line in done.stdout.splitlines():
        name, value = line.split(" ", 1)
        shown[name] = value if name == "revision" else int(value)
    return shown


def _backup(url: str, into: Path) -> Path:
    done = subprocess.run(["bash", str(BACKUP), url, str(into)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip())
    assert written.is_file() and written.parent == into
    return written


def test_sqlite_online_backup_restores(tmp_path: Path) -> None:
    if not shutil.which("sqlite3"):
        pytest.skip("the sqlite3 command is missing (apt-get install -y sqlite3)")
    database = tmp_path / "csol.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    _fill(engine)
    expected = _counts(engine)

    # The app keeps writing while the backup runs: the backup is the state at one moment
    # (the writer's rows are in it or not, never half) and the source is left intact.
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(text("UPDATE customers SET name = name"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backup = _backup(f"sqlite:///{database}", tmp_path / "backups")
    finally:
        stop.set()
        writer.join()
    assert backup.suffix == ".db"
    assert _drill(backup) == expected
    assert _counts(engine) == expected
    engine.dispose()


def test_a_damaged_sqlite_backup_fails_the_drill(tmp_path: Path) -> None:
    if not shutil.which("sqlite3"):
        pytest.skip("the sqlite3 command is missing (apt-get install -y sqlite3)")
    database = tmp_path / "csol.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    _fill(engine)
    engine.dispose()
    backup = _backup(f"sqlite:///{database}", tmp_path / "backups")
    data = bytearray(backup.read_bytes())
    data[len(data) // 2:len(data) // 2 + 4096] = b"\xff" * 4096  # a page overwritten
    backup.write_bytes(bytes(data))
    done = subprocess.run(["bash", str(DRILL), str(backup)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0


@pytest.fixture
def postgres_database() -> Iterator[str]:
    base = postgres_url()
    if not base:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL half skipped")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("pg_dump, pg_restore or psql missing (apt-get install -y postgresql-client)")
    name = f"csol_backup_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgres_dump_restores_into_a_new_database(postgres_database: str,
                                                     tmp_path: Path) -> None:
    engine = make_engine(postgres_database)
    upgrade(engine)
    _fill(engine)
    expected = _counts(engine)
    engine.dispose()
    backup = _backup(normalised(postgres_database), tmp_path / "backups")
    assert backup.suffix == ".dump"
    base = postgres_url()
    assert base
    assert _drill(backup, base) == expected


def normalised(url: str) -> str:
    """The URL as an operator writes it (DATABASE_URL may name the psycopg driver)."""
    return url.replace("postgresql+psycopg://", "postgresql://")
