"""Command line: ``python -m seed --size demo|large [--database-url URL] [--seed N] [--reset]``.

Exit codes: 0 seeded, 2 refused (the database already holds data and --reset was not given).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from tqdm import tqdm

from db.config import database_url
from db.engine import make_engine
from db.locks import SCHEMA_LOCK, database_lock
from db.migrate import upgrade
from seed.bulk import empty_all_tables
from seed.generate import SeedReport, is_empty, seed_database
from seed.sizes import SIZES

EXIT_REFUSED = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m seed", description=(
        "Create or migrate the schema, then fill it with deterministic demo data."))
    parser.add_argument("--size", choices=sorted(SIZES), default="demo",
                        help="demo: ~120 customers, seconds; large: 50,000 customers")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL (default: DATABASE_URL, secrets.toml, or SQLite)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="pretend today is this date (YYYY-MM-DD); default: today")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="customers times this (e.g. 0.1: a tenth of the size)")
    parser.add_argument("--reset", action="store_true",
                        help="empty every table first (the schema is kept)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or database_url()
    engine = make_engine(url)
    try:
        # Under the schema lock: an app server starting meanwhile waits, then finds the data.
        with database_lock(engine, SCHEMA_LOCK):
            upgrade(engine)
            if not is_empty(engine):
                if not args.reset:
                    print(f"Refusing to seed {_safe(url)}: the database already holds data. "
                          "Run again with --reset to empty it first (this deletes every row).",
                          file=sys.stderr)
                    return EXIT_REFUSED
                print("Emptying every table...", file=sys.stderr)
                empty_all_tables(engine)
            report = _seed_with_progress_bar(engine, args)
    finally:
        engine.dispose()
    print(format_report(report, _safe(url)))
    return 0


def _seed_with_progress_bar(engine: Engine, args: argparse.Namespace) -> SeedReport:
    with tqdm(total=1000, bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}",
              file=sys.stderr) as bar:
        def progress(fraction: float, message: str) -> None:
            bar.set_description_str(message)
            bar.update(int(fraction * 1000) - bar.n)

        return seed_database(engine, size=args.size, seed=args.seed, today=args.today,
                             progress=progress, scale=args.scale)


def format_report(report: SeedReport, url: str) -> str:
    width = max(len(name) for name in report.counts)
    lines = [f"Seeded {url} with the {report.size} dataset "
             f"(seed {report.seed}, today {report.today.isoformat()})", "",
             f"{'table':<{width}}  {'rows':>12}", f"{'-' * width}  {'-' * 12}"]
    lines += [f"{name:<{width}}  {count:>12,}" for name, count in sorted(report.counts.items())]
    lines += [f"{'-' * width}  {'-' * 12}", f"{'total':<{width}}  {report.total_rows:>12,}",
              "", f"Elapsed: {report.seconds:.1f} s"]
    return "\n".join(lines)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
