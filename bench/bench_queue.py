"""Queue budgets: page script run per view, claim-next latency, and a claim race.

    python -m bench.bench_queue --database-url sqlite:///data/large.db
    python -m bench.bench_queue --database-url postgresql://postgres@127.0.0.1:5432/test \
        --race-url postgresql://postgres@127.0.0.1:5432/test

Budgets: queue page p95 <= 300 ms for every view; claim next p95 <= 30 ms; 20 claimers on
PostgreSQL over 5,000 unassigned enquiries claim each exactly once at >= 300 claims/s.
The claim latency is measured in transactions that are rolled back, so the data is unchanged.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from bench.common import (
    BENCH_ENVIRONMENT,
    join_script_runs,
    parser,
    percentile,
    signed_in,
    table,
    url,
)
from dashboard.services import workflow
from dashboard.services.queue import VIEWS
from dashboard.services.users import UserInfo, get_user
from db.config import ROOT
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Enquiry, Team, User


def busiest_rep(session: Session) -> UserInfo:
    """The representative whose team has the most unassigned enquiries waiting."""
    team_id = session.scalar(
        select(Enquiry.team_id).where(Enquiry.assignee_id.is_(None),
                                      Enquiry.status.in_(("new", "open")))
        .group_by(Enquiry.team_id).order_by(func.count().desc()).limit(1))
    username = session.scalar(select(User.username).where(User.team_id == team_id,
                                                          User.role == "rep").limit(1))
    user = get_user(session=session, username=str(username))
    assert user is not None
    return user


def page_runs(database: str, user: UserInfo, runs: int) -> list[tuple[object, ...]]:
    os.environ.update({"DATABASE_URL": database, **BENCH_ENVIRONMENT})
    join_script_runs()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    signed_in(at, user, database)
    at.run()
    at.switch_page("../pages/queue.py").run()
    assert not at.exception, at.exception
    rows: list[tuple[object, ...]] = []
    for view in VIEWS:
        at.session_state["queue_view"] = view
        at.run()
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            timings.append((time.perf_counter() - start) * 1000)
        assert not at.exception, (view, at.exception)
        rows.append((f"queue page: {view}", runs, percentile(timings, 0.5),
                     percentile(timings, 0.95), max(timings)))
    return rows


def claim_latency(database: str, user: UserInfo, runs: int) -> tuple[object, ...]:
    engine = make_engine(database)
    timings = []
    now = datetime.now(UTC)
    for _ in range(runs):
        with Session(engine) as session:
            session.begin()
            start = time.perf_counter()
            claimed = workflow.claim_next(session=session, user=user, now=now)
            session.flush()
            timings.append((time.perf_counter() - start) * 1000)
            session.rollback()
            assert claimed is not None, "nothing to claim"
    engine.dispose()
    return ("claim next (rolled back)", runs, percentile(timings, 0.5),
            percentile(timings, 0.95), max(timings))


def claim_race(race_url: str, enquiries: int = 5000, claimers: int = 20) -> str:
    """A fresh schema with ``enquiries`` unassigned; ``claimers`` threads take them all."""
    schema = "bench_claim_race"
    admin = make_engine(race_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    engine = make_engine(race_url, pool_size=claimers + 2,
                         connect_args={"options": f"-csearch_path={schema}"})
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        team = Team(name="Race", categories=["other"], languages=["en"])
        s.add(team)
        s.flush()
        people = [User(username=f"claimer{i}", full_name=f"Claimer {i}",
                       email=f"claimer{i}@bench.example", password_hash="x", role="rep",
                       team_id=team.id) for i in range(claimers)]
        s.add_all(people)
        s.flush()
        users = [UserInfo(p.id, p.username, p.full_name, p.email, "rep", team.id, "Race")
                 for p in people]
        s.execute(Enquiry.__table__.insert(), [
            {"reference": f"ENQ-2026-{i:06d}", "subject": "Race", "channel": "email",
             "category": "other", "priority": "normal", "status": "new", "language": "en",
             "team_id": team.id, "created_at": now - timedelta(minutes=i), "updated_at": now,
             "first_response_due_at": now + timedelta(minutes=i), "paused_seconds": 0,
             "reopen_count": 0, "version": 1, "verification": "none"}
            for i in range(1, enquiries + 1)])
    claimed: list[int] = []
    lock = threading.Lock()

    def claim_all(user: UserInfo) -> None:
        while True:
            with Session(engine) as session, session.begin():
                enquiry = workflow.claim_next(session=session, user=user, now=now)
                if enquiry is None:
                    return
                with lock:
                    claimed.append(enquiry.id)

    threads = [threading.Thread(target=claim_all, args=(u,)) for u in users]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    with Session(engine) as s:
        left = s.scalar(select(func.count()).select_from(Enquiry)
                        .where(Enquiry.assignee_id.is_(None))) or 0
    engine.dispose()
    admin = make_engine(race_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()
    once = len(claimed) == len(set(claimed)) == enquiries and left == 0
    return (f"{claimers} claimers, {enquiries:,} enquiries: {len(claimed):,} claims in "
            f"{elapsed:.2f} s = {len(claimed) / elapsed:,.0f} claims/s; each claimed exactly "
            f"once: {'yes' if once else 'NO'} (left unassigned: {left})")


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--race-url", default=None,
                   help="PostgreSQL URL for the 20-claimer race (a scratch schema is used)")
    args = p.parse_args()
    database = url(args)
    engine = make_engine(database)
    with Session(engine) as session:
        user = busiest_rep(session)
    engine.dispose()
    rows = page_runs(database, user, args.runs)
    rows.append(claim_latency(database, user, args.runs * 5))
    print(f"Queue on {make_engine(database).url.render_as_string()} as {user.username} "
          f"({user.team_name}) (ms)")
    print(table(rows, ("what", "runs", "p50", "p95", "max")))
    if args.race_url:
        print(claim_race(args.race_url))


if __name__ == "__main__":
    main()
