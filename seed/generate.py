"""Fill an empty, migrated database with a deterministic, realistic dataset.

Same seed and same ``today`` give the same rows (password hashes aside: bcrypt salts them).
Everything is relative to ``today``: "now" is today at 10:00 in Brussels, so orders are in
transit, invoices fall due this week and SLA clocks are running whenever the demo is seeded.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, inspect, literal, select

from dashboard.business_hours import BRUSSELS
from db.models import Base
from seed import catalogue, reference, showcase, staff
from seed.bulk import Loader, bulk_load
from seed.context import DAY, HOUR, Clock, Context, Ids, Numbers, Quota
from seed.customers import new_customer
from seed.enquiries import add_enquiries
from seed.identifiers import VatNumbers
from seed.outreach import (
    add_invoice_notifications,
    add_outbox_showcase,
    add_statement,
    add_unmatched_intake,
)
from seed.rows import Batch
from seed.sales import add_orders, add_showcase_invoices, settle_account
from seed.service import add_contracts, add_installed_items
from seed.sizes import SIZES, SizeProfile

Progress = Callable[[float, str], None]

# Share of the progress bar before and after the customers are generated.
_SETUP_SHARE = 0.04
_FINISH_SHARE = 0.04


class DatabaseNotEmptyError(RuntimeError):
    """Seeding would mix demo data into existing data."""


@dataclass(frozen=True)
class SeedReport:
    size: str
    seed: int
    today: date
    counts: dict[str, int] = field(hash=False)
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def is_empty(engine: Engine) -> bool:
    """True when no model table holds a row (tables that do not exist yet count as empty)."""
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in existing and connection.execute(
                    select(literal(1)).select_from(table).limit(1)).first() is not None:
                return False
    return True


def default_today() -> date:
    return datetime.now(BRUSSELS).date()


def seed_database(
    engine: Engine,
    *,
    size: str = "demo",
    seed: int = 42,
    today: date | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Generate the ``size`` dataset into the (migrated, empty) database behind ``engine``."""
    started = time.perf_counter()
    profile = _profile(size)
    today = today or default_today()
    report = progress or (lambda _fraction, _message: None)
    if not is_empty(engine):
        raise DatabaseNotEmptyError("the database already holds data; empty it first")
    report(0.0, "Hashing the demo passwords")
    hashes = staff.password_hashes()
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    with bulk_load(engine) as loader:
        ctx = Context(rng=rng, clock=Clock(today), profile=profile, staff=staff.build_staff(),
                      ids=Ids(), numbers=Numbers(profile.customers),
                      vat_numbers=VatNumbers(rng), batch=Batch(), stamp=loader.stamp)
        report(_SETUP_SHARE / 2, "Writing teams, users and settings")
        _add_reference_data(ctx, hashes)
        _flush(ctx, loader, counts)
        _add_customers(ctx, loader, counts, report)
        add_unmatched_intake(ctx, profile.showcase_repeats)
        _flush(ctx, loader, counts)
        report(1.0 - _FINISH_SHARE, "Updating statistics")
    report(1.0, "Done")
    every_table = {table.name: counts.get(table.name, 0) for table in Base.metadata.sorted_tables}
    return SeedReport(size=profile.name, seed=seed, today=today, counts=every_table,
                      seconds=round(time.perf_counter() - started, 2))


def _profile(size: str) -> SizeProfile:
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}") from None


def _add_reference_data(ctx: Context, hashes: dict[str, str]) -> None:
    now, batch, stamp = ctx.clock.now_ts, ctx.batch, ctx.stamp
    batch["teams"].extend(staff.team_rows())
    batch["users"].extend(staff.user_rows(ctx.staff, hashes, stamp(now - 400 * DAY),
                                          stamp(now - 20 * HOUR)))
    batch["products"].extend(catalogue.product_rows())
    batch["sla_policies"].extend(reference.sla_policy_rows())
    batch["canned_replies"].extend(reference.canned_reply_rows())
    batch["settings"].extend(reference.setting_rows())
    batch["audit_log"].extend(reference.audit_rows(ctx.staff, now, stamp))


def _add_customers(ctx: Context, loader: Loader, counts: Counter[str],
                   report: Progress) -> None:
    profile = ctx.profile
    quotas = showcase.plan(ctx.rng, profile.customers, profile.showcase_repeats)
    span = 1.0 - _SETUP_SHARE - _FINISH_SHARE
    for index in range(profile.customers):
        generate_customer(ctx, quotas.get(index) or Quota())
        done = index + 1
        if done % profile.batch_customers == 0 or done == profile.customers:
            _flush(ctx, loader, counts)
            report(_SETUP_SHARE + span * done / profile.customers,
                   f"Customers {done:,} of {profile.customers:,}")


def generate_customer(ctx: Context, quota: Quota) -> None:
    """One customer's whole history, in the order its parts depend on each other."""
    customer = new_customer(ctx, quota)
    add_contracts(ctx, customer)
    add_orders(ctx, customer)
    add_showcase_invoices(ctx, customer)
    settle_account(ctx, customer)
    add_installed_items(ctx, customer)
    add_enquiries(ctx, customer)
    add_invoice_notifications(ctx, customer)
    add_statement(ctx, customer)
    add_outbox_showcase(ctx, customer)


def _flush(ctx: Context, loader: Loader, counts: Counter[str]) -> None:
    for table, rows in ctx.batch.drain():
        loader.insert(table, rows)
        counts[table] += len(rows)
