"""The load generator against a real server: two representatives, a few seconds, no errors.

Seeds a small demo dataset (a fifth of ``demo``) into a SQLite file, starts
``streamlit run dashboard/app.py`` on it and lets ``bench.load`` sign two seeded
representatives in over the websocket protocol and walk the call and queue flows with short
think times. Every step it reports must have ended where the step expects, with no exception
element, timeout or dropped connection.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import load
from db.engine import make_engine
from db.migrate import upgrade
from seed import generate


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("load") / "small.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    generate.seed_database(engine, size="demo", scale=0.2)
    engine.dispose()
    return url


def test_two_representatives_walk_both_flows_without_errors(database: str, tmp_path: Path
                                                            ) -> None:
    people, targets = load.people_and_targets(database)
    # One walks the call flow, the other the queue flow.
    plan = load.Plan(people[:2], targets, think=0.1, timeout=20, ramp=0.3, rounds=1)
    with load.app_server(database, log=tmp_path / "streamlit.log") as (base, pid):
        results = asyncio.run(load.run_users(base, 2, 60, plan))
        assert load.cpu_seconds(pid) > 0
    errors = {action: found for action, found in results.errors.items() if found}
    assert not errors, (errors, (tmp_path / "streamlit.log").read_text()[-3000:])
    done = {action: len(times) for action, times in results.times.items()}
    assert done.get(load.SIGN_IN) == 2, done
    # Both flows ran to their last step.
    assert sum(n for action, n in done.items() if action.startswith("search by ")) == 1, done
    assert done.get("customer tab") == 1, done
    assert done.get("save call") == 1, done
    assert done.get("claim next") == 1, done
    assert done.get("send reply") == 1, done
