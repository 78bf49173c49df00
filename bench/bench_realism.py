"""How real the seeded ledger looks: DSO, ageing shares, payments on weekends or holidays,
invalid phone numbers, duplicate names and domains, credit notes, rows in the future.

    python -m bench.bench_realism                    # seeds the demo into a temporary file
    python -m bench.bench_realism --size large --scale 0.1
    python -m bench.bench_realism --database-url URL --today YYYY-MM-DD   # an existing one
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from db.engine import make_engine
from db.migrate import upgrade
from seed.context import anchor
from seed.generate import seed_database
from seed.realism import measure


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=None, help="measure this database (no seeding)")
    p.add_argument("--size", default="demo")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--today", type=date.fromisoformat, default=None)
    args = p.parse_args()
    today = args.today or datetime.now(BRUSSELS).date()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'realism.db'}"
        engine = make_engine(url)
        seconds = 0.0
        if not args.database_url:
            upgrade(engine)
            started = time.perf_counter()
            seed_database(engine, size=args.size, scale=args.scale, seed=args.seed, today=today)
            seconds = time.perf_counter() - started
        with Session(engine) as session:
            figures = measure(session, today=today, now=anchor(today).astimezone(UTC))
        engine.dispose()
    what = (args.database_url and "database") or f"{args.size} ×{args.scale:g}, seed {args.seed}"
    print(f"Realism of the {what}, today {today.isoformat()}"
          + (f" (seeded in {seconds:.1f} s)" if seconds else ""))
    rows = figures.rows()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>14}")


if __name__ == "__main__":
    main()
