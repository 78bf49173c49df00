"""Shared bits of the benchmarks: which database, a signed-in page, percentiles, a table."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.config import database_url


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--database-url", default=None,
                   help="default: DATABASE_URL, secrets.toml or data/csol.db")
    return p


def url(args: argparse.Namespace) -> str:
    return str(args.database_url or database_url())


def join_script_runs() -> None:
    """Make AppTest wait for a script run by joining its thread.

    AppTest polls the script thread every millisecond; each wake-up takes the GIL, and a
    busy script pays for it on every hand-over (SQLite gives the GIL up on every row
    fetched), so runs measured that way were up to twice as slow as in the server, where
    the script thread has the interpreter nearly to itself.
    """
    from streamlit.testing.v1 import local_script_runner

    def wait(runner: local_script_runner.LocalScriptRunner, timeout: float = 3) -> None:
        thread = runner._script_thread
        if thread is not None:
            thread.join(timeout)
        if not runner.script_stopped():
            runner.request_stop()
            raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    local_script_runner.require_widgets_deltas = wait


BENCH_ENVIRONMENT = {"CSOL_DEMO_MODE": "false", "CSOL_COOKIE_KEY": "bench-cookie-key-" + "x" * 32}


def signed_in_page(page: Path, username: str, database: str, timeout: float = 120
                   ) -> AppTest:
    """``page`` under AppTest on ``database``, signed in as ``username``, run once."""
    from dashboard.services.users import get_user
    from db.engine import make_engine

    os.environ.update({"DATABASE_URL": database, **BENCH_ENVIRONMENT})
    join_script_runs()
    with Session(make_engine(database)) as session:
        user = get_user(session=session, username=username)
    if user is None:
        raise SystemExit(f"No user {username} in {database}")
    at = AppTest.from_file(str(page), default_timeout=timeout)
    signed_in(at, user, database)
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(at: AppTest, user: object, database: str) -> None:
    """Sign ``user`` in without the form: a server-side session, as a sign-in makes."""
    from datetime import UTC, datetime

    from dashboard.services import sessions
    from db.engine import make_engine

    engine = make_engine(database)
    with Session(engine) as session, session.begin():
        opened = sessions.start(session=session, user_id=user.id,  # type: ignore[attr-defined]
                                client_hash=None, policy=sessions.SessionPolicy(),
                                now=datetime.now(UTC))
        session_id = opened.id
    engine.dispose()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user.username  # type: ignore[attr-defined]
    at.session_state["csol_user"] = user
    at.session_state["csol_session_id"] = session_id


def cached_runs(at: AppTest, runs: int, first: bool) -> list[float]:
    """Milliseconds of ``runs`` script runs of a metrics or balances page; with ``first``,
    each after emptying the pages' minute-long cache."""
    from dashboard.ui import balances as balances_ui  # imported once a run has loaded the app
    from dashboard.ui import metrics as metrics_ui

    result = []
    for _ in range(runs):
        if first:
            metrics_ui.clear_cache()
            balances_ui.clear_cache()
        start = time.perf_counter()
        at.run()
        result.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
    return result


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def table(rows: Iterable[tuple[object, ...]], headers: tuple[str, ...]) -> str:
    cells = [tuple(str(c) for c in headers)] + [tuple(
        f"{c:.1f}" if isinstance(c, float) else str(c) for c in row) for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
