"""SQL statements per script run of the customer page, per tab, for the busiest customer.

    python -m bench.bench_statements --database-url sqlite:///data/large.db

Counts every statement the engine sends (sign-in check and navigation included) in one
warm run of each tab, and how many of them read the customer's header rows. Each statement
costs about 0.3 ms of SQLAlchemy on top of the database's own time.
"""

from __future__ import annotations

import os
from collections import Counter

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from bench.bench_customer_page import busiest_customer
from bench.common import BENCH_ENVIRONMENT, join_script_runs, parser, signed_in, table, url
from dashboard.services.users import get_user
from dashboard.ui.customer import TABS
from db.config import ROOT
from db.engine import make_engine


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--username", default="rep")
    p.add_argument("--show", action="store_true", help="print each statement's first line")
    args = p.parse_args()
    database = url(args)
    with Session(make_engine(database)) as session:
        number, invoices = busiest_customer(session)
        user = get_user(session=session, username=args.username)
    if user is None:
        raise SystemExit(f"No user {args.username} in {database}")
    os.environ.update({"DATABASE_URL": database, **BENCH_ENVIRONMENT})
    join_script_runs()
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)  # every engine the app makes
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    signed_in(at, user, database)
    at.query_params["c"] = number
    at.run()
    at.switch_page("../pages/customer.py")
    at.query_params["c"] = number
    at.run()
    assert not at.exception, at.exception
    rows = []
    for tab in TABS:
        at.session_state["customer_tab"] = tab
        at.run()  # the first run of a tab may prepare things once
        seen.clear()
        at.run()
        assert not at.exception, (tab, at.exception)
        tables = Counter(_first_table(s) for s in seen)
        rows.append((tab, len(seen), ", ".join(f"{t} {n}" for t, n in tables.most_common(6))))
        if args.show:
            for s in seen:
                print("   ", " ".join(s.split())[:150])
    print(f"Customer page for {number} ({invoices:,} invoices) on {database}: statements per "
          "warm script run")
    print(table(rows, ("tab", "statements", "most read (by FROM table)")))


def _first_table(statement: str) -> str:
    words = statement.replace("\n", " ").split()
    upper = [w.upper() for w in words]
    for keyword in ("FROM", "INTO", "UPDATE"):
        if keyword in upper:
            return words[upper.index(keyword) + 1].strip('"(')
    return words[0] if words else "?"


if __name__ == "__main__":
    main()
