"""How long the documents take to make (pure Python: no database, no server).

    .venv/bin/python bench/bench_documents.py [--rounds-small 30] [--rounds-large 5]

Budgets: an invoice PDF of 50 lines p95 <= 150 ms; a statement XLSX of 5,000 open items
p95 <= 2 s. The statement PDF and CSV of 5,000 items are reported without a budget.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, table, timed_ms
from dashboard.documents import (
    invoice_pdf,
    statement_csv,
    statement_pdf,
    statement_xlsx,
)
from dashboard.documents.samples import sample_invoice, sample_statement
from dashboard.vendor import DEMO_VENDOR


def measure(action: Callable[[], bytes], rounds: int) -> tuple[list[float], int]:
    size = len(action())                                   # warm-up, and the output size
    return [timed_ms(action) for _ in range(rounds)], size


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds-small", type=int, default=30, help="runs for the invoice PDF")
    p.add_argument("--rounds-large", type=int, default=5, help="runs for 5,000-item documents")
    args = p.parse_args()

    invoice = sample_invoice("fr", lines=50, paid_cents=1_000_00)
    big = sample_statement("fr", items=5_000)
    cases: list[tuple[str, Callable[[], bytes], int, str, float | None]] = [
        ("invoice PDF, 50 lines", lambda: invoice_pdf(invoice, DEMO_VENDOR),
         args.rounds_small, "ms", 150.0),
        ("statement XLSX, 5,000 items", lambda: statement_xlsx(big), args.rounds_large, "s",
         2.0),
        ("statement PDF, 5,000 items", lambda: statement_pdf(big, DEMO_VENDOR),
         args.rounds_large, "s", None),
        ("statement CSV, 5,000 items", lambda: statement_csv(big), args.rounds_large, "ms",
         None),
    ]
    rows: list[tuple[object, ...]] = []
    failed = False
    for name, action, rounds, unit, budget in cases:
        times, size = measure(action, rounds)
        scale = 1000.0 if unit == "s" else 1.0
        median, p95 = percentile(times, 0.5) / scale, percentile(times, 0.95) / scale
        within = "" if budget is None else ("yes" if p95 <= budget else "NO")
        failed |= within == "NO"
        shown = "{:.2f}" if unit == "s" else "{:.1f}"
        rows.append((name, rounds, shown.format(median), shown.format(p95), unit,
                     "-" if budget is None else f"<= {budget:g} {unit}", within,
                     f"{size / 1024:,.0f} KiB"))
    print(table(rows, ("document", "runs", "median", "p95", "unit", "budget", "within",
                       "size")))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
