"""Contracts and their periodic invoices; installed items by site and their change history."""

from __future__ import annotations

import calendar as month_calendar
from bisect import bisect_right
from datetime import date, timedelta

from seed import enquiries
from seed.catalogue import INSTALLABLE, Product
from seed.context import (
    BUSINESS_DAY,
    Context,
    ContractInfo,
    CustomerFile,
    ItemInfo,
    chance,
    cumulate,
    pick,
    poisson,
    weighted,
)
from seed.identifiers import serial_number
from seed.phrases import CONTRACT_LINE, ITEM_ADD_REASONS, ITEM_MOVE_REASONS, ITEM_REMOVE_REASONS
from seed.rows import ContractRow, InstalledItemRow, InventoryChangeRow
from seed.sales import Line, issue_invoice
from seed.sizes import CONTRACTS_PER_CUSTOMER, ITEMS_PER_CUSTOMER
from seed.staff import TEAM_FOR_CATEGORY

CONTRACT_TYPES = ("maintenance", "support", "lease", "software_subscription", "managed_service")
_TYPE_CUMULATIVE = cumulate([30, 25, 15, 20, 10])
_BASE_ANNUAL_EUR = {"maintenance": 2_400, "support": 1_800, "lease": 9_000,
                    "software_subscription": 4_800, "managed_service": 30_000}
LEVELS = ("bronze", "silver", "gold", "platinum")
_LEVEL_CUMULATIVE = cumulate([30, 35, 25, 10])
_LEVEL_FACTOR = {"bronze": 0.7, "silver": 1.0, "gold": 1.5, "platinum": 2.3}
_TERMS = (12, 24, 36, 60)
_TERM_CUMULATIVE = cumulate([30, 20, 35, 15])
_PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
COVERING_TYPES = ("maintenance", "support", "managed_service", "lease")
_ITEM_CUMULATIVE = cumulate([p.popularity for p in INSTALLABLE])


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def _days_between(first: date, last: date) -> int:
    return (last - first).days


# -- contracts ------------------------------------------------------------------------------

def add_contracts(ctx: Context, customer: CustomerFile) -> None:
    rng = ctx.rng
    count = poisson(rng, CONTRACTS_PER_CUSTOMER * customer.weight ** 0.6)
    for _ in range(count):
        _add_contract(ctx, customer, None)
    for situation in customer.quota.contracts:
        _add_contract(ctx, customer, situation)


def _billing_frequency(ctx: Context, contract_type: str) -> str:
    if contract_type in ("lease", "managed_service"):
        return "monthly"
    if contract_type == "software_subscription":
        return "yearly" if chance(ctx.rng, 0.6) else "monthly"
    return "quarterly" if chance(ctx.rng, 0.6) else "yearly"


def _contract_dates(ctx: Context, customer: CustomerFile, term: int,
                    situation: str | None) -> tuple[date, date, str, bool]:
    """Start, end, status and auto-renewal, natural or for a showcase situation."""
    rng, today = ctx.rng, ctx.clock.today
    if situation == "expiring":
        end = today + timedelta(days=5 + int(rng.random() * 80))
        return add_months(end + timedelta(days=1), -term), end, "active", False
    if situation in ("expired", "terminated"):
        end = today - timedelta(days=10 + int(rng.random() * 290))
        return add_months(end + timedelta(days=1), -term), end, situation, False
    earliest = max(customer.since, today - timedelta(days=6 * 365))
    start = earliest + timedelta(days=int(rng.random() * _days_between(earliest, today)))
    end = add_months(start, term) - timedelta(days=1)
    auto_renew = situation == "auto_renew" or chance(rng, 0.4)
    if auto_renew:
        while end < today + timedelta(days=91 if situation else 0):
            end = add_months(end + timedelta(days=1), term) - timedelta(days=1)
        return start, end, "active", True
    if end >= today:
        return start, end, "active", False
    if chance(rng, 0.08):
        end = start + timedelta(days=30 + int(rng.random() * max(_days_between(start, end) - 30,
                                                                  1)))
        return start, min(end, today - timedelta(days=1)), "terminated", False
    return start, end, "expired", False


def _add_contract(ctx: Context, customer: CustomerFile, situation: str | None) -> None:
    rng = ctx.rng
    contract_type = weighted(rng, CONTRACT_TYPES, _TYPE_CUMULATIVE)
    level = weighted(rng, LEVELS, _LEVEL_CUMULATIVE)
    term = weighted(rng, _TERMS, _TERM_CUMULATIVE)
    start, end, status, auto_renew = _contract_dates(ctx, customer, term, situation)
    frequency = _billing_frequency(ctx, contract_type)
    annual_eur = (_BASE_ANNUAL_EUR[contract_type] * _LEVEL_FACTOR[level]
                  * min(customer.weight, 4.0) * (0.5 + rng.random()))
    annual = max(12_000, int(annual_eur) // 12 * 12 * 100)
    contract_id = ctx.ids.contract()
    number = ctx.numbers.contract.issue(start)
    ctx.batch["contracts"].append(ContractRow(
        id=contract_id, contract_number=number, customer_id=customer.id, type=contract_type,
        start_date=start, end_date=end, annual_value_cents=annual, billing_frequency=frequency,
        service_level=level, auto_renew=auto_renew, notice_days=pick(rng, (30, 60, 90, 90)),
        status=status))
    customer.contracts.append(ContractInfo(contract_id, number, contract_type, start, end,
                                           status))
    _bill_contract(ctx, customer, contract_id, number, contract_type, start, end, frequency,
                   annual)


def _bill_contract(ctx: Context, customer: CustomerFile, contract_id: int, number: str,
                   contract_type: str, start: date, end: date, frequency: str,
                   annual: int) -> None:
    """One invoice per billing period that started within the history and by today."""
    clock = ctx.clock
    months = _PERIOD_MONTHS[frequency]
    amount = annual * months // 12
    last_day = min(end, clock.today)
    label = CONTRACT_LINE[contract_type][customer.language]
    period = 0
    while True:
        period_start = add_months(start, period * months)
        period += 1
        if period_start > last_day:
            return
        if period_start < clock.history_start:
            continue
        period_end = add_months(start, period * months) - timedelta(days=1)
        description = (f"{label} {number}, {period_start.day:02d}/{period_start.month:02d}/"
                       f"{period_start.year}–{period_end.day:02d}/{period_end.month:02d}/"
                       f"{period_end.year}")
        lines: list[Line] = [(None, description, 1, amount, customer.vat())]
        # Billed in advance, on the last banking day before the period when it starts on a
        # weekend or holiday.
        issue_invoice(ctx, customer, clock.calendar.banking_day_on_or_before(period_start),
                      lines, contract_id=contract_id)


# -- installed items ------------------------------------------------------------------------

def add_installed_items(ctx: Context, customer: CustomerFile) -> None:
    rng, today = ctx.rng, ctx.clock.today
    count = poisson(rng, ITEMS_PER_CUSTOMER * customer.weight)
    earliest = max(customer.since, today - timedelta(days=6 * 365))
    span = max(_days_between(earliest, today) - 1, 1)
    covering = [c for c in customer.contracts if c.type in COVERING_TYPES]
    customer.orders_by_time = sorted(customer.orders, key=lambda o: o.ordered_ts)
    customer.order_times = [o.ordered_ts for o in customer.orders_by_time]
    handlers = ctx.staff.handlers[TEAM_FOR_CATEGORY["inventory"]]
    for _ in range(count):
        installed_on = earliest + timedelta(days=int(rng.random() * span))
        _add_item(ctx, customer, weighted(rng, INSTALLABLE, _ITEM_CUMULATIVE), installed_on,
                  covering, handlers)


def _add_item(ctx: Context, customer: CustomerFile, product: Product, installed_on: date,
              covering: list[ContractInfo], handlers: tuple[int, ...]) -> None:
    rng, clock = ctx.rng, ctx.clock
    item_id = ctx.ids.item()
    serial = serial_number(item_id, product.vendor_code)
    contract = pick(rng, covering) if covering and chance(rng, 0.7) else None
    removed_on = None
    if chance(rng, 0.06):
        removed_on = installed_on + timedelta(
            days=1 + int(rng.random() * max(_days_between(installed_on, clock.today) - 1, 1)))
    site = pick(rng, customer.sites)
    moved_on = None
    first_site = site
    if len(customer.sites) > 1 and chance(rng, 0.08):
        last = removed_on or clock.today
        moved_on = installed_on + timedelta(
            days=int(rng.random() * max(_days_between(installed_on, last), 1)))
        first_site = pick(rng, [s for s in customer.sites if s != site])
    warranty_end = (add_months(installed_on, product.warranty_months)
                    if product.warranty_months else None)
    ctx.batch["installed_items"].append(InstalledItemRow(
        id=item_id, serial_number=serial, product_id=product.id, customer_id=customer.id,
        site_id=site, contract_id=contract.id if contract else None, installed_on=installed_on,
        warranty_end=warranty_end, status="removed" if removed_on else "installed",
        removed_on=removed_on, version=1))
    info = ItemInfo(item_id, serial, installed_on, site)
    customer.items.append(info)
    add_reason = _add_reason(ctx, customer, installed_on)
    _change(ctx, item_id, "add", None, first_site, installed_on, add_reason, pick(rng, handlers),
            None)
    if moved_on is not None:
        enquiry_id = _requesting_enquiry(ctx, customer, info, moved_on, "relocate")
        _change(ctx, item_id, "relocate", first_site, site, moved_on,
                pick(rng, ITEM_MOVE_REASONS), pick(rng, handlers), enquiry_id)
    if removed_on is not None:
        enquiry_id = _requesting_enquiry(ctx, customer, info, removed_on, "remove")
        _change(ctx, item_id, "remove", site, None, removed_on, pick(rng, ITEM_REMOVE_REASONS),
                pick(rng, handlers), enquiry_id)


def _add_reason(ctx: Context, customer: CustomerFile, installed_on: date) -> str:
    """Why the item was added: after a delivery (the latest order placed before), or else
    an import, a survey or an engineer's visit."""
    reason = pick(ctx.rng, ITEM_ADD_REASONS)
    if "{order}" not in reason:
        return reason
    before = ctx.clock.at(installed_on, 0)
    index = bisect_right(customer.order_times, before) - 1
    if index < 0:
        return ITEM_ADD_REASONS[1]  # installed before our records: the inventory import
    return reason.format(order=customer.orders_by_time[index].number)


def _requesting_enquiry(ctx: Context, customer: CustomerFile, item: ItemInfo, day: date,
                        kind: str) -> int | None:
    """Half of relocations and removals were asked for in an enquiry, a few days earlier."""
    clock = ctx.clock
    if not chance(ctx.rng, 0.5) or day <= clock.history_start:
        return None
    change_ts = clock.at(day, 11)
    created_ts = clock.calendar.subtract(change_ts, int((1 + ctx.rng.random() * 6)
                                                         * BUSINESS_DAY))
    if created_ts >= clock.now_ts:
        return None
    return enquiries.add_enquiry(ctx, customer, created_ts=created_ts, category="inventory",
                                 item=item, subject_index=0 if kind == "relocate" else 3)


def _change(ctx: Context, item_id: int, kind: str, from_site: int | None, to_site: int | None,
            day: date, reason: str, changed_by: int, enquiry_id: int | None) -> None:
    clock = ctx.clock
    moment = clock.business_moment(ctx.rng, clock.at(day, 0), clock.at(day, 23))
    ctx.batch["inventory_changes"].append(InventoryChangeRow(
        id=ctx.ids.inventory_change(), installed_item_id=item_id, kind=kind,
        from_site_id=from_site, to_site_id=to_site, reason=reason, enquiry_id=enquiry_id,
        changed_by_id=changed_by, changed_at=ctx.stamp(min(moment, clock.now_ts))))
