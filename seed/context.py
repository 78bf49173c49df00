"""State shared by the generators: the random source, the clock, id counters, document
numbers, staff, and the file of the customer being generated."""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from dashboard import vat as vat_rules
from dashboard.business_calendar import BRUSSELS
from seed.calendar import BusinessCalendar, epoch
from seed.identifiers import DocumentNumbers, VatNumbers
from seed.names import City
from seed.rows import Batch
from seed.sizes import YEARLY_PER_CUSTOMER, SizeProfile
from seed.staff import Staff

T = TypeVar("T")

DAY = 86_400
HOUR = 3_600
MINUTE = 60
BUSINESS_DAY = int(8.5 * HOUR)
HISTORY_DAYS = 730  # orders, invoices and enquiries cover the last two years
ANCHOR = time(10, 0)  # "now" is today at 10:00 in Brussels: mid-morning, queue busy


def anchor(today: date, wall_clock: datetime | None = None) -> datetime:
    """"Now" for a dataset of ``today``: 10:00 in Brussels, or the present moment when the
    seed runs on that day before 10:00 (so that nothing is dated in the future)."""
    planned = datetime.combine(today, ANCHOR, tzinfo=BRUSSELS)
    wall = (wall_clock or datetime.now(BRUSSELS)).astimezone(BRUSSELS)
    if wall.date() == today and wall < planned:
        return wall.replace(second=0, microsecond=0).astimezone(UTC)
    return planned.astimezone(UTC)


class Clock:
    """Today, now, and the calendar the generators place events on."""

    def __init__(self, today: date, now: datetime | None = None) -> None:
        self.today = today
        self.now = now.astimezone(UTC) if now else anchor(today)
        self.now_ts = epoch(self.now)
        self.history_start = today - timedelta(days=HISTORY_DAYS)
        self.history_start_ts = epoch(datetime.combine(self.history_start, time(0), BRUSSELS))
        self.calendar = BusinessCalendar(today - timedelta(days=365 * 9),
                                         today + timedelta(days=365 * 2))
        self._ordinal_today = today.toordinal()
        self._at: dict[tuple[date, int], int] = {}

    def banking_day(self, day: date) -> date:
        """The banking day on or after ``day``, but never after today (then the one before)."""
        shifted = self.calendar.banking_day_on_or_after(day)
        return (shifted if shifted <= self.today
                else self.calendar.banking_day_on_or_before(self.today))

    def days_ago(self, days: int) -> date:
        return date.fromordinal(self._ordinal_today - days)

    def date_of(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, BRUSSELS).date()

    def at(self, day: date, hour: int) -> int:
        """``day`` at ``hour`` o'clock in Brussels, as epoch seconds (memoised)."""
        key = (day, hour)
        moment = self._at.get(key)
        if moment is None:
            moment = self._at[key] = epoch(datetime.combine(day, time(hour), BRUSSELS))
        return moment

    def business_moment(self, rng: random.Random, start_ts: int, end_ts: int) -> int:
        """A random moment during business hours between two instants (the middle of the
        range when it holds no business hours)."""
        first, last = self.calendar.window_range(start_ts, end_ts)
        if last <= first:  # no business day in the range: take its middle
            return start_ts + (end_ts - start_ts) // 2
        index = first + int(rng.random() * (last - first))
        opens = self.calendar.opens[index]
        return opens + int(rng.random() * min(BUSINESS_DAY, end_ts - opens))


class Ids:
    """Primary keys, handed out by the generator so rows can reference each other."""

    def __init__(self) -> None:
        counters = {name: itertools.count(1).__next__ for name in (
            "customer", "contact", "site", "order", "order_line", "order_event", "invoice",
            "invoice_line", "payment", "allocation", "contract", "item", "inventory_change",
            "enquiry", "enquiry_event", "inbound", "outbound", "attachment")}
        self.__dict__.update(counters)

    customer: Callable[[], int]
    contact: Callable[[], int]
    site: Callable[[], int]
    order: Callable[[], int]
    order_line: Callable[[], int]
    order_event: Callable[[], int]
    invoice: Callable[[], int]
    invoice_line: Callable[[], int]
    payment: Callable[[], int]
    allocation: Callable[[], int]
    contract: Callable[[], int]
    item: Callable[[], int]
    inventory_change: Callable[[], int]
    enquiry: Callable[[], int]
    enquiry_event: Callable[[], int]
    inbound: Callable[[], int]
    outbound: Callable[[], int]
    attachment: Callable[[], int]


class Numbers:
    """Document numbers per kind, in date order."""

    def __init__(self, customers: int) -> None:
        def per_year(kind: str) -> float:
            # Over-estimate a little: spare numbers leave gaps, a shortfall pushes numbers
            # towards later days.
            return customers * YEARLY_PER_CUSTOMER[kind] * 1.1 + 20

        self.order = DocumentNumbers("SO", 6, per_year("orders"))
        self.invoice = DocumentNumbers("INV", 6, per_year("invoices"))
        self.credit_note = DocumentNumbers("CN", 6, per_year("credit_notes"))
        self.contract = DocumentNumbers("CT", 5, per_year("contracts"))
        self.enquiry = DocumentNumbers("ENQ", 6, per_year("enquiries"))


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def weighted(rng: random.Random, items: Sequence[T], cumulative: Sequence[float]) -> T:
    """Pick with precomputed cumulative weights (see ``cumulate``)."""
    return items[bisect_right(cumulative, rng.random() * cumulative[-1])]


def cumulate(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(itertools.accumulate(weights))


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method for small means, normal approximation above."""
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


@dataclass(slots=True)
class ContactInfo:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    mobile: str | None
    fax: str | None
    language: str
    role: str
    invoice_notifications: bool
    is_active: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class OrderInfo:
    id: int
    number: str
    ordered_ts: int
    status: str
    carrier: str | None
    tracking: str | None


@dataclass(slots=True)
class InvoiceInfo:
    id: int
    number: str
    kind: str
    issue_date: date
    due_date: date
    net: int
    vat: int
    total: int
    order_id: int | None = None
    contract_id: int | None = None
    credited_id: int | None = None
    lines: list[tuple[int | None, str, int, int, vat_rules.Treatment]] = field(
        default_factory=list)
    open: int = 0
    status: str = "open"
    disputed: bool = False
    dispute_reason: str | None = None
    released_ts: int | None = None
    forced: str | None = None  # showcase: "unpaid" or "partial"


@dataclass(slots=True)
class ContractInfo:
    id: int
    number: str
    type: str
    start: date
    end: date
    status: str


@dataclass(slots=True)
class ItemInfo:
    id: int
    serial: str
    installed_on: date
    site_id: int


@dataclass
class Quota:
    """Showcase situations this customer must carry (see showcase.py)."""

    orders: list[tuple[str, bool]] = field(default_factory=list)  # (status, late)
    invoices: list[tuple[int, str]] = field(default_factory=list)  # (days past due, payment)
    contracts: list[str] = field(default_factory=list)
    enquiries: list[tuple[str, str, str]] = field(default_factory=list)  # status, sla, who
    outbox: list[str] = field(default_factory=list)  # outbound statuses to show
    key_account: bool = False
    national_account: bool = False


@dataclass
class CustomerFile:
    """What the generators need to know about the customer being generated."""

    id: int
    number: str
    name: str
    flavour: str
    country: str
    language: str
    segment: str
    city: City
    domain: str
    phone: str
    weight: float
    payer: str
    terms_days: int
    iban: str | None
    since: date
    quota: Quota
    street: str = ""
    postal_code: str = ""
    contacts: list[ContactInfo] = field(default_factory=list)
    sites: list[int] = field(default_factory=list)
    orders: list[OrderInfo] = field(default_factory=list)
    invoices: list[InvoiceInfo] = field(default_factory=list)
    contracts: list[ContractInfo] = field(default_factory=list)
    items: list[ItemInfo] = field(default_factory=list)
    # Orders sorted by when they were placed, with those times, for lookups by date.
    orders_by_time: list[OrderInfo] = field(default_factory=list)
    order_times: list[int] = field(default_factory=list)

    vat_number: str | None = None
    peppol_endpoint: str | None = None
    on_peppol: bool = True

    def vat(self, reduced: bool = False) -> vat_rules.Treatment:
        """The VAT of a line sold to this customer (place of supply, see dashboard.vat)."""
        return vat_rules.treatment(customer_country=self.country,
                             customer_vat_number=self.vat_number, reduced=reduced)


@dataclass
class Context:
    rng: random.Random
    clock: Clock
    profile: SizeProfile
    staff: Staff
    ids: Ids
    numbers: Numbers
    vat_numbers: VatNumbers
    batch: Batch
    # Epoch seconds -> the text a timestamp column takes (see bulk.TimestampText).
    stamp: Callable[[int], str]
    used_customer_names: set[str] = field(default_factory=set)
    used_domains: set[str] = field(default_factory=set)
