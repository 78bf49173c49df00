"""Account balances page script run, per view and tab (ms).

    python -m bench.bench_balances --database-url sqlite:///data/large.db [--runs 20]

Each run is a whole run of ``pages/balances.py`` under Streamlit's AppTest: role check,
filters, KPIs, four charts and the open tab's list. Three views: the whole portfolio (a
lead), a representative's own accounts (their default), and a broad filter (two segments in
one country). As for the metrics page, *repeat* runs get the minute-long cache, *first*
runs an emptied one; the budget is judged on the first runs.

Past months are closed once and kept (``closes``); the bench also times working them out
again, as the first load after a month end (one month) or ``balances close`` does, in a
transaction it rolls back.

Budget: p95 <= 700 ms (caching allowed when a change shows within 60 s).
"""

from __future__ import annotations

import os
import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import cached_runs, parser, percentile, signed_in_page, table, url
from db.config import ROOT
from db.engine import make_engine
from db.models import Invoice

BUDGET_MS = 700.0
PAGE = ROOT / "pages" / "balances.py"


def close_seconds(database: str, months: int) -> float:
    """Working out the ``months`` before this one, as closing them does (nothing kept): from
    the kept month before them if there is one, else from all history."""
    from dashboard.services import closes

    with Session(make_engine(database)) as session, session.begin():
        start = time.perf_counter()
        chosen = closes.months_before(date.today(), months)
        closes.work_out(session=session, months=chosen,
                        opening=closes.opening_balances(session, chosen[0]))
        seconds = time.perf_counter() - start
        session.rollback()
    return seconds


VIEWS = (("whole portfolio", "lead", {}),
         ("own accounts", "rep", {}),
         ("mid-market and small, BE", "lead",
          {"balances_segment": ["mid_market", "small_business"], "balances_country": ["BE"]}))


def main() -> None:
    from dashboard.ui import balances as balances_ui

    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--first-runs", type=int, default=5,
                   help="runs with an emptied cache (each reads the portfolio afresh)")
    args = p.parse_args()
    database = url(args)
    with Session(make_engine(database)) as session:
        invoices = session.scalar(select(func.count()).select_from(Invoice)) or 0
    rows = []
    repeat: list[float] = []
    first: list[float] = []
    for view, username, filters in VIEWS:
        at = signed_in_page(PAGE, username, database, timeout=180)
        for key, value in filters.items():
            at.multiselect(key=key).set_value(value)
        for tab in balances_ui.BALANCE_TABS:
            at.session_state[balances_ui.BALANCE_TAB] = tab
            at.run()  # the tab's first run fills its cache
            ms = cached_runs(at, args.runs, first=False)
            repeat += ms
            rows.append((f"{view}: {tab}, repeat", len(ms), percentile(ms, 0.5),
                         percentile(ms, 0.95), max(ms)))
            cold = cached_runs(at, args.first_runs, first=True)
            first += cold
            rows.append((f"{view}: {tab}, first", len(cold), percentile(cold, 0.5),
                         percentile(cold, 0.95), max(cold)))
    worst = percentile(first, 0.95)
    print(f"Balances page, {invoices:,} invoices and credit notes on "
          f"{make_engine(database).url.render_as_string()} (ms per script run)")
    print(table(rows, ("run", "runs", "p50", "p95", "max")))
    print(f"first loads p95 {worst:.1f} ms — {'within' if worst <= BUDGET_MS else 'OVER'} "
          f"the {BUDGET_MS:.0f} ms budget without the cache; repeat loads p95 "
          f"{percentile(repeat, 0.95):.1f} ms")
    from dashboard.services.portfolio import HISTORY_MONTHS

    print(f"Closing a month (first load after a month end): {close_seconds(database, 1):.1f} s;"
          f" all {HISTORY_MONTHS} months (a new database): "
          f"{close_seconds(database, HISTORY_MONTHS):.1f} s")
    print(f"load average: {os.getloadavg()[0]:.2f} (the machine's other work slows all runs)")


if __name__ == "__main__":
    main()
