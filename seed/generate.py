"""Fill an empty, migrated database with a deterministic, realistic dataset.

Same seed and same ``today`` give the same rows (password hashes aside: bcrypt salts them).
Everything is relative to ``today``: "now" is today at 10:00 in Brussels, so orders are in
transit, invoices fall due this week and SLA clocks are running whenever the demo is seeded.

Rows are generated customer by customer, in batches that are written as they come. For the
large size a second process generates while this one writes.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import random
import sys
import time
import traceback
import types
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Engine, func, inspect, literal, select, update
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from dashboard.services import closes, portfolio, workflow
from dashboard.services.users import UserInfo
from db.models import AuditLog, Base, EnquiryEvent, ReceivableClose, ReceivableMonth, User
from seed import catalogue, reference, showcase, staff
from seed.bulk import TimestampText, bulk_load, tidy_up
from seed.context import DAY, HOUR, Clock, Context, Ids, Numbers, Quota, anchor
from seed.customers import new_customer
from seed.enquiries import add_enquiries
from seed.identifiers import VatNumbers
from seed.outreach import (
    add_invoice_notifications,
    add_outbox_showcase,
    add_statement,
    add_unmatched_intake,
)
from seed.rows import ESCALATIONS, Batch
from seed.sales import add_orders, add_showcase_invoices, settle_account
from seed.service import add_contracts, add_installed_items
from seed.sizes import SIZES, SizeProfile

Progress = Callable[[float, str], None]
# (customers generated so far, [(table, rows), ...] in foreign-key order)
Chunk = tuple[int, list[tuple[str, list[Any]]]]

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
    now: datetime | None = None,
    scale: float = 1.0,
) -> SeedReport:
    """Generate the ``size`` dataset into the (migrated, empty) database behind ``engine``.

    ``now`` is the dataset's present (default: ``today`` at 10:00 in Brussels, or earlier
    when seeding today before 10:00); ``scale`` shrinks or grows the size's customer count
    (0.1: a tenth of it, with the showcase repeated in proportion).
    """
    started = time.perf_counter()
    profile = _profile(size).scaled(scale)
    today = today or default_today()
    now = now or anchor(today)
    report = progress or (lambda _fraction, _message: None)
    if not is_empty(engine):
        raise DatabaseNotEmptyError("the database already holds data; empty it first")
    report(0.0, "Hashing the demo passwords")
    hashes = staff.password_hashes()
    counts: Counter[str] = Counter()
    escalations: list[Any] = []
    span = 1.0 - _SETUP_SHARE - _FINISH_SHARE
    with bulk_load(engine) as loader:
        report(_SETUP_SHARE, "Generating customers")
        if profile.generate_in_subprocess:
            chunks = _chunks_from_subprocess(profile, seed, today, now, loader.stamp.suffix,
                                             hashes)
        else:
            chunks = generate_chunks(new_context(profile, seed, today, now, loader.stamp.stamp),
                                     hashes)
        with closing(chunks):  # on an error, stop the generator (and its process) at once
            for done, tables in chunks:
                for table, rows in tables:
                    if table == ESCALATIONS:
                        escalations.extend(rows)
                        continue
                    loader.insert(table, rows)
                    counts[table] += len(rows)
                report(_SETUP_SHARE + span * done / profile.customers,
                       f"Customers {done:,} of {profile.customers:,}")
        report(1.0 - _FINISH_SHARE, "Rebuilding indexes")
    report(1.0 - _FINISH_SHARE / 2, "Closing the past months' receivables")
    tidy_up(engine)
    with Session(engine) as session, session.begin():
        escalate(session, escalations)
        closes.close_before(session=session, today=today, count=portfolio.HISTORY_MONTHS)
        # The closing run is part of the dataset: dated at its "now", not the wall clock.
        session.execute(update(AuditLog).where(AuditLog.occurred_at > now)
                        .values(occurred_at=now))
        for model in (ReceivableClose, ReceivableMonth, AuditLog, EnquiryEvent):
            counts[model.__tablename__] = session.scalar(  # what the steps above wrote
                select(func.count()).select_from(model)) or 0
    report(1.0, "Done")
    every_table = {table.name: counts.get(table.name, 0) for table in Base.metadata.sorted_tables}
    return SeedReport(size=profile.name, seed=seed, today=today, counts=every_table,
                      seconds=round(time.perf_counter() - started, 2))


def escalate(session: Session, escalations: list[Any]) -> None:
    """Raise the priority of enquiries through ``workflow.set_priority``, at the time each
    was raised, by whom: new SLA policy, due times, event and audit entry as in the app."""
    users: dict[int, UserInfo] = {}
    for enquiry_id, priority, ts, user_id in sorted(escalations, key=lambda e: e[2]):
        if user_id not in users:
            user = session.get(User, user_id)
            assert user is not None
            users[user_id] = UserInfo(user.id, user.username, user.full_name, user.email,
                                      user.role, user.team_id, None)
        moment = datetime.fromtimestamp(ts, UTC)
        workflow.set_priority(session=session, enquiry_id=enquiry_id, priority=priority,
                              by=users[user_id], expected_version=None, now=moment)
        for pending in session.new:
            if isinstance(pending, AuditLog) and pending.occurred_at is None:
                pending.occurred_at = moment
    session.flush()


def _profile(size: str) -> SizeProfile:
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}") from None


def new_context(profile: SizeProfile, seed: int, today: date, now: datetime | None,
                stamp: Callable[[int], str]) -> Context:
    rng = random.Random(seed)
    return Context(rng=rng, clock=Clock(today, now), profile=profile, staff=staff.build_staff(),
                   ids=Ids(), numbers=Numbers(profile.customers), vat_numbers=VatNumbers(rng),
                   batch=Batch(), stamp=stamp)


def generate_chunks(ctx: Context, hashes: dict[str, str]) -> Generator[Chunk, None, None]:
    """All rows, in chunks that can be written one after the other."""
    profile = ctx.profile
    _add_reference_data(ctx, hashes)
    yield 0, ctx.batch.drain()
    quotas = showcase.plan(ctx.rng, profile.customers, profile.showcase_repeats,
                           profile.national_accounts)
    for index in range(profile.customers):
        generate_customer(ctx, quotas.get(index) or Quota())
        done = index + 1
        if done % profile.batch_customers == 0 or done == profile.customers:
            yield done, ctx.batch.drain()
    add_unmatched_intake(ctx, profile.showcase_repeats)
    yield profile.customers, ctx.batch.drain()


def _add_reference_data(ctx: Context, hashes: dict[str, str]) -> None:
    now, batch, stamp = ctx.clock.now_ts, ctx.batch, ctx.stamp
    batch["teams"].extend(staff.team_rows())
    batch["users"].extend(staff.user_rows(ctx.staff, hashes, stamp(now - 400 * DAY),
                                          stamp(now - 20 * HOUR)))
    batch["products"].extend(catalogue.product_rows())
    batch["sla_policies"].extend(reference.sla_policy_rows())
    batch["canned_replies"].extend(reference.canned_reply_rows())
    batch["settings"].extend(reference.setting_rows())
    batch["business_closures"].extend(reference.closure_rows(ctx.clock.today))
    batch["audit_log"].extend(reference.audit_rows(ctx.staff, now, stamp))


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


# -- generating in a second process ------------------------------------------------------------

def _produce(out: Connection, profile: SizeProfile, seed: int, today: date, now: datetime,
             stamp_suffix: str, hashes: dict[str, str]) -> None:
    """Child process: generate and hand over chunks, pickled here in the generating thread
    (a queue's feeder thread would fight it for the GIL)."""
    # This process only builds short-lived rows without reference cycles: the cyclic
    # collector would just keep re-walking the chunk being built.
    gc.disable()
    try:
        ctx = new_context(profile, seed, today, now, TimestampText(stamp_suffix).stamp)
        for done, tables in generate_chunks(ctx, hashes):
            out.send_bytes(pickle.dumps(("chunk", done, tables), protocol=5))
        out.send_bytes(pickle.dumps(("end", 0, [])))
    except BaseException:
        out.send_bytes(pickle.dumps(("error", 0, traceback.format_exc())))
    finally:
        out.close()


@contextmanager
def _no_main_script() -> Iterator[None]:
    """Start a "spawn" child without the parent's ``__main__``: the generator needs nothing
    of it, and when that is a Streamlit script (AppTest runs the app as ``__main__``) the
    child would run the page again and die."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _chunks_from_subprocess(profile: SizeProfile, seed: int, today: date, now: datetime,
                            stamp_suffix: str, hashes: dict[str, str]
                            ) -> Generator[Chunk, None, None]:
    # "spawn": a fresh interpreter, safe even when the caller runs threads (a web server).
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_produce, name="seed-generator", daemon=True,
                              args=(sender, profile, seed, today, now, stamp_suffix, hashes))
    with _no_main_script():
        process.start()
    sender.close()  # the child holds the sending end; EOF then means it is gone
    try:
        while True:
            try:
                kind, done, payload = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise RuntimeError(
                    f"the generator process stopped (exit code {process.exitcode})") from None
            if kind == "end":
                return
            if kind == "error":
                raise RuntimeError(f"the generator process failed:\n{payload}")
            yield done, payload
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()
