"""The one definition of what a customer owes: balance, overdue amount and ageing.

The customer header, the statement of account, the balance-over-time chart, the balances
page (portfolio, top overdue customers, closed months) and the metrics definitions all
read these rules:

- **What counts.** Every invoice and credit note issued by the day, and every payment
  received by it. A cancelled invoice and the credit notes against it are left out
  together: one without the other would count an invoice issued in error, or its
  correction, alone.
- **Balance.** Open invoices, less open credit notes, less money received and not yet
  allocated (on account). The same as everything invoiced, less everything credited and
  everything paid.
- **Ageing.** Each open invoice is aged by its due date, in days past due: current (not yet
  due, or due that day), 1–30, 31–60, 61–90, more than 90. Open credit notes and money on
  account are set against the oldest amounts due first, so no bucket is negative; a credit
  left over once every invoice is covered shows as a negative *current*. The buckets add
  up to the balance.
- **Overdue.** Every bucket after current; **severely overdue**: more than 90 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import aliased

from db.models import Invoice

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
BUCKET_LABELS = {"current": "Current", "1-30": "1–30 days", "31-60": "31–60 days",
                 "61-90": "61–90 days", "90+": "More than 90 days"}
# First and last day past due of each bucket (None: no bound).
BUCKET_DAYS: dict[str, tuple[int | None, int | None]] = {
    "current": (None, 0), "1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90),
    "90+": (91, None)}
SEVERELY_OVERDUE_DAYS = 90

# Said under every ageing the console shows.
HOW_CREDITS_APPLY = ("Open credit notes and money on account are set against the oldest "
                     "amounts due first; a credit left over shows as a negative Current. "
                     "A cancelled invoice and its credit note are both left out.")

Ints = npt.NDArray[np.int64]


def bucket_for(days_past_due: int) -> str:
    return next(bucket for bucket, (_, last) in BUCKET_DAYS.items()
                if last is None or days_past_due <= last)


def counted(document: Any = Invoice) -> ColumnElement[bool]:
    """``document`` (Invoice or an alias of it) counts: not a cancelled invoice, nor a credit
    note against one."""
    cancelled = aliased(Invoice)
    # Anything owed, or with a positive total, is an invoice: checked first, from columns
    # the indexes of open items and of sales hold, so only credit notes read their row.
    return and_(document.status != "cancelled",
                or_(document.open_cents > 0, document.total_cents > 0,
                    document.credited_invoice_id.is_(None),
                    ~exists().where(cancelled.id == document.credited_invoice_id,
                                    cancelled.status == "cancelled")))


@dataclass(frozen=True)
class Position:
    """Where one customer's account (or the sum of several) stands on a day."""

    ageing: dict[str, int]     # cents per BUCKETS key, credits applied
    oldest_due: date | None = None  # of the oldest amount still owed after credits

    @property
    def balance_cents(self) -> int:
        return sum(self.ageing.values())

    @property
    def overdue_cents(self) -> int:
        return sum(v for k, v in self.ageing.items() if k != "current")

    @property
    def severely_overdue_cents(self) -> int:
        return self.ageing["90+"]


def position(items: Iterable[tuple[date, int]], as_of: date) -> Position:
    """Ageing of one customer's open items: (due date, open cents) for documents, (day
    received, -unallocated cents) for money on account. Positive items are owed; negative
    ones are credits, set against the oldest owed first."""
    owed: list[tuple[date, int]] = []
    credit = 0
    for day, cents in items:
        if cents > 0:
            owed.append((day, cents))
        else:
            credit -= cents
    ageing = dict.fromkeys(BUCKETS, 0)
    oldest = None
    for due, cents in sorted(owed):
        covered = min(credit, cents)
        credit -= covered
        if cents > covered:
            ageing[bucket_for((as_of - due).days)] += cents - covered
            oldest = oldest or due
    ageing["current"] -= credit
    return Position(ageing, oldest)


def add_up(positions: Iterable[Position]) -> dict[str, int]:
    total = dict.fromkeys(BUCKETS, 0)
    for p in positions:
        for b in BUCKETS:
            total[b] += p.ageing[b]
    return total


def apply_credits(owed: Ints, credit: Ints) -> Ints:
    """``position`` for many customers at once: ``owed`` is cents per customer and bucket
    (shape (customers, BUCKETS), none negative), ``credit`` each customer's credits (>= 0).
    Returns the ageing with credits set against the oldest buckets first."""
    oldest_first = owed[:, ::-1]
    through = np.cumsum(oldest_first, axis=1)
    before = through - oldest_first
    covered = np.clip(credit[:, None] - before, 0, oldest_first)
    aged = (oldest_first - covered)[:, ::-1].copy()
    aged[:, 0] -= np.maximum(credit - through[:, -1], 0)
    return np.asarray(aged, dtype=np.int64)
