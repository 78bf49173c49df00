"""Customer page script run, per tab, for the customer with the most invoices (ms).

    python -m bench.bench_customer_page --database-url sqlite:///data/large.db [--runs 20]

Each run is a whole script run under Streamlit's AppTest: sign-in check, navigation, header,
caller panel and the open tab's queries and rendering. Budget: p95 <= 300 ms.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import func, select
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
from dashboard.services.users import get_user
from dashboard.ui.customer import TABS
from db.config import ROOT
from db.engine import make_engine
from db.models import Customer, Invoice

BUDGET_MS = 300.0


def busiest_customer(session: Session) -> tuple[str, int]:
    counts = (select(Invoice.customer_id, func.count().label("n"))
              .group_by(Invoice.customer_id).order_by(func.count().desc()).limit(1).subquery())
    number, n = session.execute(select(Customer.customer_number, counts.c.n)
                                .join(counts, counts.c.customer_id == Customer.id)).one()
    return number, int(n)


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--username", default="rep")
    args = p.parse_args()
    database = url(args)
    engine = make_engine(database)
    with Session(engine) as session:
        number, invoices = busiest_customer(session)
        user = get_user(session=session, username=args.username)
    if user is None:
        raise SystemExit(f"No user {args.username} in {database}")
    os.environ.update({"DATABASE_URL": database, **BENCH_ENVIRONMENT})
    join_script_runs()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    signed_in(at, user, database)
    at.query_params["c"] = number
    at.run()
    at.switch_page("../pages/customer.py")
    at.query_params["c"] = number
    at.run()
    assert not at.exception, at.exception
    rows = []
    every: list[float] = []
    for tab in TABS:
        at.session_state["customer_tab"] = tab
        at.run()  # first run of a tab warms its queries
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            at.run()
            timings.append((time.perf_counter() - start) * 1000)
        assert not at.exception, (tab, at.exception)
        every += timings
        rows.append((tab, len(timings), percentile(timings, 0.5), percentile(timings, 0.95),
                     max(timings)))
    rows.append(("ALL", len(every), percentile(every, 0.5), percentile(every, 0.95), max(every)))
    print(f"Customer page for {number} ({invoices:,} invoices and credit notes) on "
          f"{engine.url.render_as_string()} (ms per script run)")
    print(table(rows, ("tab", "runs", "p50", "p95", "max")))
    worst = max(percentile(t, 0.95) for t in [every])
    print(f"p95 {worst:.1f} ms — {'within' if worst <= BUDGET_MS else 'OVER'} the "
          f"{BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
