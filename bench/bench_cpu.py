"""CPU per script run of the hot pages, which other work on the machine does not inflate.

    python -m bench.bench_cpu --database-url sqlite:///data/large.db [--runs 10] [--only customer]

Wall-clock benches swing with the load of a shared machine; the CPU this process spends per
run (every thread, user and system) does much less. Pages: each customer tab for the
busiest customer, each queue view for the busiest team's representative, and the metrics page
(last 90 days: results cache emptied before each run, then cached). AppTest does
not run Streamlit's post-script garbage collection; the shipped config switches it off.

To see where the time goes, sample this process with py-spy (bench/requirements-profile.txt):

    py-spy record --format raw -r 250 -o /tmp/cpu.txt -- python -m bench.bench_cpu ...
    python -m bench.bench_cpu --summarise /tmp/cpu.txt
"""

from __future__ import annotations

import os
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from bench.bench_customer_page import busiest_customer
from bench.bench_queue import busiest_rep
from bench.common import (
    BENCH_ENVIRONMENT,
    join_script_runs,
    parser,
    percentile,
    signed_in,
    table,
    url,
)
from dashboard.services.queue import VIEWS
from dashboard.services.users import get_user
from db.config import ROOT
from db.engine import make_engine

APP = ROOT / "dashboard" / "app.py"


def cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


def timed(at: AppTest, runs: int, before: Callable[[], None] = lambda: None
          ) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for _ in range(runs):
        before()
        start_cpu, start = cpu_ms(), time.perf_counter()
        at.run()
        cpu.append(cpu_ms() - start_cpu)
        wall.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
    return cpu, wall


def app_for(database: str, username: str) -> AppTest:
    with Session(make_engine(database)) as session:
        user = get_user(session=session, username=username)
    if user is None:
        raise SystemExit(f"No user {username} in {database}")
    at = AppTest.from_file(str(APP), default_timeout=120)
    signed_in(at, user, database)
    return at


def customer(database: str, runs: int) -> Iterator[tuple[str, list[float], list[float]]]:
    from dashboard.ui.customer import TABS

    with Session(make_engine(database)) as session:
        number, _ = busiest_customer(session)
    at = app_for(database, "rep")
    at.run()
    at.switch_page("../pages/customer.py")
    at.query_params["c"] = number
    at.run()
    for tab in TABS:
        at.session_state["customer_tab"] = tab
        at.run()
        yield (f"customer: {tab}", *timed(at, runs))


def queue(database: str, runs: int) -> Iterator[tuple[str, list[float], list[float]]]:
    with Session(make_engine(database)) as session:
        user = busiest_rep(session)
    at = app_for(database, user.username)
    at.run()
    at.switch_page("../pages/queue.py").run()
    for view in VIEWS:
        at.session_state["queue_view"] = view
        at.run()
        yield (f"queue: {view}", *timed(at, runs))


def metrics(database: str, runs: int) -> Iterator[tuple[str, list[float], list[float]]]:
    import streamlit as st

    at = app_for(database, "lead")
    at.run()
    at.switch_page("../pages/metrics.py").run()
    from dashboard.ui import metrics as metrics_ui

    at.segmented_control(key=metrics_ui.PRESET).set_value("last_90")
    at.run()
    yield ("metrics: last 90 days, first", *timed(at, runs, st.cache_data.clear))
    yield ("metrics: last 90 days, cached", *timed(at, runs))


PAGES = {"customer": customer, "queue": queue, "metrics": metrics}


# Start-up and waiting: first imports, and the main thread joining the script thread.
SKIP = ("_find_and_load", "_wait_for_tstate_lock", "Condition.wait", "<module> (bench_cpu")


def summarise(path: str, top: int = 40) -> None:
    """Share of samples per function (anywhere on the stack) and per leaf, from py-spy's
    raw output: one 'frame;frame;... count' line per distinct stack, start-up left out."""
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    with open(path) as raw:
        for line in raw:
            stack, _, count = line.rstrip().rpartition(" ")
            if any(skip in stack for skip in SKIP):
                continue
            n = int(count)
            frames = [f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].rstrip(")")
                      for f in stack.split(";")]
            total += n
            for frame in set(frames):
                inclusive[frame] += n
            leaf[frames[-1]] += n
    print(f"{total} samples")
    for title, counts in (("on the stack", inclusive), ("leaf", leaf)):
        print(f"\n{title}:")
        for frame, n in counts.most_common(top):
            print(f"{100 * n / total:5.1f} %  {frame}")


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--only", choices=sorted(PAGES), action="append")
    p.add_argument("--summarise", metavar="PY_SPY_RAW")
    args = p.parse_args()
    if args.summarise:
        summarise(args.summarise)
        return
    database = url(args)
    os.environ.update({"DATABASE_URL": database, **BENCH_ENVIRONMENT})
    join_script_runs()
    rows = []
    for name in args.only or list(PAGES):
        for what, cpu, wall in PAGES[name](database, args.runs):
            rows.append((what, len(cpu), percentile(cpu, 0.5), percentile(cpu, 0.95),
                         percentile(wall, 0.5)))
    print(f"CPU ms per script run on {database} (this process, every thread)")
    print(table(rows, ("run", "runs", "cpu p50", "cpu p95", "wall p50")))
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
