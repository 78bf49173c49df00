"""Shared bits of the benchmarks: which database, percentiles, and a printed table."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable

from db.config import database_url


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--database-url", default=None,
                   help="default: DATABASE_URL, secrets.toml or data/csol.db")
    return p


def url(args: argparse.Namespace) -> str:
    return str(args.database_url or database_url())


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
