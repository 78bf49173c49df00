"""How long a failed sign-in takes, for a real account and for an unknown name (ms).

    python -m bench.bench_sign_in [--database-url URL] [--runs 10]

The database is migrated to the newest schema first (as the app does on start).

Runs ``users.attempt_login`` against a real account (bcrypt hash at the production cost)
and unknown names, each from a fresh client address so no wait cuts an attempt short, in
a transaction that is rolled back. The two columns should be alike: a gap would tell a
stranger which usernames exist.
"""

from __future__ import annotations

import statistics
import time

import bcrypt
from sqlalchemy.orm import Session

from bench.common import parser, percentile, table, url
from dashboard.services import users
from dashboard.services.login_throttle import ClientIdentity
from db.engine import make_engine
from db.migrate import upgrade
from db.models import User


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()
    engine = make_engine(url(args))
    upgrade(engine)
    with Session(engine) as s:
        s.add(User(username="bench-real", full_name="Bench", email="bench-real@csol.example",
                   password_hash=bcrypt.hashpw(b"the-right-password", bcrypt.gensalt()).decode(),
                   role="rep", language="en"))
        s.flush()
        timings: dict[str, list[float]] = {"real account, wrong password": [],
                                           "unknown name": [], "real account, right password": []}
        typed = {"real account, wrong password": ("bench-real", "a-wrong-password"),
                 "unknown name": ("bench-nobody", "a-wrong-password"),
                 "real account, right password": ("bench-real", "the-right-password")}
        users.attempt_login(session=s, username="warm-up", password="x" * 12)
        for run in range(args.runs):
            for name, (username, password) in typed.items():
                client = ClientIdentity(address=f"bench-{run}-{name}")
                # A new unknown name each run: a fifth failure on one name would make it wait
                # (as it would a real account), and a wait skips the bcrypt check.
                username = f"{username}-{run}" if name == "unknown name" else username
                started = time.perf_counter()
                users.attempt_login(session=s, username=username, password=password,
                                    client=client)
                timings[name].append((time.perf_counter() - started) * 1000)
        s.rollback()
    print(table([(name, statistics.median(t), percentile(t, 0.95), min(t), max(t))
                 for name, t in timings.items()],
                ("attempt", "median ms", "p95 ms", "min ms", "max ms")))


if __name__ == "__main__":
    main()
