"""Result caches across app servers: a write made through one server shows on another within
the stated time (``db.RESULT_TTL_SECONDS``), never later, on SQLite and PostgreSQL.

"Server B" is a second process running the cached reads of the metrics and balances pages
(Streamlit's cache works outside a running app); this process is "server A", writing on an
engine of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from db.engine import make_engine
from tests import factories
from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parent.parent
TTL = 2

SERVER_B = """
import json, sys, time
from dashboard.ui import balances, db, metrics
url = db.database_url()
for line in sys.stdin:
    teams = len(metrics._filter_options(url).teams)
    managers = len(balances._managers(url))
    print(json.dumps({"teams": teams, "managers": managers, "at": time.monotonic()}),
          flush=True)
"""


def _url_of(engine: Engine, tmp_path: Path) -> str:
    if engine.dialect.name == "sqlite":
        return f"sqlite:///{engine.url.database}"
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    base = postgres_url()
    assert base
    return f"{base}?options={quote(f'-csearch_path={schema}')}"


class ServerB:
    def __init__(self, url: str, workdir: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url,
               "CSOL_DEMO_MODE": "false", "CSOL_COOKIE_KEY": "test-cookie-key-" + "x" * 32,
               "CSOL_SECRETS_FILE": str(workdir / "no-secrets.toml"),
               "CSOL_RESULT_TTL_SECONDS": str(TTL)}
        self.process = subprocess.Popen([sys.executable, "-c", SERVER_B], cwd=ROOT, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def read(self) -> dict[str, float]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("read\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            assert self.process.stderr
            raise AssertionError(f"server B ended: {self.process.stderr.read()[-3000:]}")
        return dict(json.loads(line))

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_a_write_on_one_server_shows_on_another_within_the_ttl(engine: Engine,
                                                                tmp_path: Path) -> None:
    url = _url_of(engine, tmp_path)
    server_b = ServerB(url, tmp_path)
    try:
        before = server_b.read()
        assert before["teams"] == 0 and before["managers"] == 0

        server_a = make_engine(url)
        try:
            with Session(server_a) as s, s.begin():
                factories.team(s, "Billing")
                manager = factories.user(s, "manager")
                factories.customer(s, account_manager=manager)
            written = time.monotonic()
        finally:
            server_a.dispose()

        # Within the time the result is kept, B may still serve what it read (this is a
        # cache, not a read-through) ...
        seen = server_b.read()
        # ... but it never serves it for longer than the stated time.
        while seen["teams"] == 0 or seen["managers"] == 0:
            assert seen["at"] - written <= TTL + 1.0, \
                f"server B still served a result {seen['at'] - written:.1f} s after the write"
            time.sleep(0.2)
            seen = server_b.read()
        assert seen["teams"] == 1 and seen["managers"] == 1
        assert seen["at"] - written <= TTL + 1.0
    finally:
        server_b.close()
