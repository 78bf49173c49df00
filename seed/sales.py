"""Orders with their lines and delivery timeline; invoices, credit notes, payments and
the allocations that settle them.

An invoice's lines are written as soon as it is issued; the invoice row itself waits for
``settle_account``, which decides per invoice (oldest first) whether it was credited,
disputed or paid, so that ``open_cents`` always equals total minus allocations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from seed import identifiers as ident
from seed.catalogue import PRODUCTS, Product
from seed.context import (
    BUSINESS_DAY,
    DAY,
    HOUR,
    MINUTE,
    Context,
    CustomerFile,
    InvoiceInfo,
    OrderInfo,
    chance,
    cumulate,
    pick,
    poisson,
    weighted,
)
from seed.phrases import CREDIT_REASONS, DISPUTE_REASONS, ORDER_EVENT_NOTES
from seed.rows import (
    AllocationRow,
    InvoiceLineRow,
    InvoiceRow,
    OrderEventRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
)
from seed.sizes import ORDERS_PER_CUSTOMER

FLOW = ("received", "confirmed", "picking", "shipped", "in_transit", "delivered")
_PRODUCT_CUMULATIVE = cumulate([p.popularity for p in PRODUCTS])
_LINE_COUNTS = (1, 2, 3)
_LINE_COUNT_CUMULATIVE = cumulate([55, 30, 15])
_CARRIERS = {"BE": ("bpost", "DPD", "PostNL", "DHL", "UPS"),
             "LU": ("DHL", "UPS", "DPD", "bpost", "PostNL")}
_CARRIER_CUMULATIVE = cumulate([40, 20, 15, 13, 12])
_DISCOUNT = {"enterprise": 0.12, "public_sector": 0.10, "mid_market": 0.06,
             "small_business": 0.0}
_SERVICE_PRODUCTS = tuple(p for p in PRODUCTS if p.category in ("service", "support"))

Line = tuple[int | None, str, int, int, int]  # product id, description, qty, unit, VAT %


def vat_of(net: int, rate: int) -> int:
    """VAT rounded half away from zero, per line."""
    value = (abs(net) * rate + 50) // 100
    return value if net >= 0 else -value


# -- orders ---------------------------------------------------------------------------------

def add_orders(ctx: Context, customer: CustomerFile) -> None:
    rng, clock = ctx.rng, ctx.clock
    count = poisson(rng, ORDERS_PER_CUSTOMER * customer.weight)
    start = max(clock.history_start_ts, clock.at(customer.since, 9))
    moments = sorted(clock.business_moment(rng, start, clock.now_ts) for _ in range(count))
    for ordered_ts in moments:
        status = "cancelled" if chance(rng, 0.03) else None
        _add_order(ctx, customer, ordered_ts, forced_status=status,
                   backorder=chance(rng, 0.07))
    for status, late in customer.quota.orders:
        _add_order(ctx, customer, None, forced_status=status, backorder=late)


def _order_lines(ctx: Context, customer: CustomerFile) -> list[tuple[Product, int, int]]:
    rng = ctx.rng
    count = weighted(rng, _LINE_COUNTS, _LINE_COUNT_CUMULATIVE)
    chosen: list[Product] = []
    while len(chosen) < count:
        product = weighted(rng, PRODUCTS, _PRODUCT_CUMULATIVE)
        if product not in chosen:
            chosen.append(product)
    scale = min(1.0, 0.25 + customer.weight / 4)
    discount = _DISCOUNT[customer.segment]
    lines = []
    for product in chosen:
        quantity = 1 + int(rng.random() ** 2 * (product.max_quantity - 1) * scale)
        unit = round(product.unit_price_cents * (1 - discount))
        lines.append((product, quantity, unit))
    return lines


def _stage_gaps(ctx: Context, backorder: bool) -> list[int]:
    """Business seconds between consecutive statuses of FLOW."""
    r = ctx.rng.random
    picking = int((1 + r() * 12) * HOUR)
    if backorder:  # longer than any promised lead time, so the order is late
        picking += int((11 + r() * 12) * BUSINESS_DAY)
    return [int((10 + r() * 230) * MINUTE), picking, int((1 + r() * 7) * HOUR),
            int((0.5 + r() * 3.5) * HOUR), int((2 + r() * 14) * HOUR)]


def _add_order(ctx: Context, customer: CustomerFile, ordered_ts: int | None, *,
               forced_status: str | None, backorder: bool) -> None:
    rng, clock, cal = ctx.rng, ctx.clock, ctx.clock.calendar
    gaps = _stage_gaps(ctx, backorder)
    offsets = [0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    cancelled = forced_status == "cancelled"
    if ordered_ts is None:  # showcase: place the order so that "now" falls in the status
        if cancelled:
            back = offsets[2] + int(rng.random() * 3 * BUSINESS_DAY)
        else:
            stage = FLOW.index(forced_status or "delivered")
            after = offsets[stage + 1] if stage + 1 < len(offsets) else offsets[stage] + 5 * DAY
            back = offsets[stage] + int(rng.random() * (after - offsets[stage]))
        ordered_ts = cal.subtract(clock.now_ts, back)
    order_id = ctx.ids.order()
    ordered_day = clock.date_of(ordered_ts)
    lines = _order_lines(ctx, customer)
    lead_days = 10 if any(p.category in ("server", "storage") for p, _, _ in lines) else (
        3 + int(rng.random() * 5))
    promised = clock.date_of(cal.add(ordered_ts, lead_days * BUSINESS_DAY))
    timeline = [(status, cal.add(ordered_ts, offset)) for status, offset in zip(
        FLOW, offsets, strict=True)]
    if cancelled:
        cut = 1 + int(rng.random() * 2)
        timeline = [*timeline[:cut], ("cancelled", cal.add(ordered_ts, offsets[cut] - 1))]
    timeline = [(status, ts) for status, ts in timeline if ts <= clock.now_ts]
    status = timeline[-1][0]
    carrier = weighted(rng, _CARRIERS[customer.country], _CARRIER_CUMULATIVE)
    shipped_ts = next((ts for s, ts in timeline if s == "shipped"), None)
    tracking = ident.tracking_number(order_id, carrier) if shipped_ts else None
    number = ctx.numbers.order.issue(ordered_day)
    delivered_on = clock.date_of(timeline[-1][1]) if status == "delivered" else None
    total = _write_order_lines(ctx, order_id, lines)
    contact = pick(rng, customer.contacts)
    _write_order_events(ctx, order_id, timeline, carrier, tracking, contact.last_name, backorder)
    ctx.batch["orders"].append(OrderRow(
        id=order_id, order_number=number, customer_id=customer.id,
        customer_po=_customer_po(ctx, customer, ordered_day), ship_to_site_id=pick(
            rng, customer.sites), ordered_at=ctx.stamp(ordered_ts), status=status,
        promised_date=promised, delivered_on=delivered_on,
        carrier=carrier if shipped_ts else None, tracking_number=tracking, total_cents=total,
    ))
    customer.orders.append(OrderInfo(order_id, number, ordered_ts, status,
                                     carrier if shipped_ts else None, tracking))
    if shipped_ts is not None:
        invoice_lines = [(p.id, p.name, qty, unit, customer.reduced_vat if p.reduced_vat
                          else customer.standard_vat) for p, qty, unit in lines]
        issue_invoice(ctx, customer, clock.date_of(shipped_ts), invoice_lines, order_id=order_id)


def _customer_po(ctx: Context, customer: CustomerFile, day: date) -> str | None:
    rng = ctx.rng
    if chance(rng, 0.3):
        return None
    serial = int(rng.random() * 99_999)
    style = customer.id % 3
    if style == 0:
        return f"PO-{day.year}-{serial:05d}"
    if style == 1:
        return f"{4_500_000_000 + serial * 7:010d}"
    return f"BC/{day.year % 100:02d}/{serial:05d}"


def _write_order_lines(ctx: Context, order_id: int, lines: list[tuple[Product, int, int]]) -> int:
    total = 0
    out = ctx.batch["order_lines"]
    for line_no, (product, quantity, unit) in enumerate(lines, start=1):
        total += quantity * unit
        out.append(OrderLineRow(
            id=ctx.ids.order_line(), order_id=order_id, line_no=line_no, product_id=product.id,
            description=product.name, quantity=quantity, unit_price_cents=unit,
            line_total_cents=quantity * unit))
    return total


def _write_order_events(ctx: Context, order_id: int, timeline: list[tuple[str, int]],
                        carrier: str, tracking: str | None, signer: str, backorder: bool) -> None:
    rng = ctx.rng
    out = ctx.batch["order_events"]
    for status, ts in timeline:
        key = "backorder" if status == "picking" and backorder else status
        note = pick(rng, ORDER_EVENT_NOTES[key]).format(
            carrier=carrier, tracking=tracking, name=signer)
        out.append(OrderEventRow(id=ctx.ids.order_event(), order_id=order_id,
                                 occurred_at=ctx.stamp(ts), status=status, note=note))


# -- invoices -------------------------------------------------------------------------------

def issue_invoice(ctx: Context, customer: CustomerFile, issue_date: date, lines: Sequence[Line], *,
                  order_id: int | None = None, contract_id: int | None = None,
                  forced: str | None = None) -> InvoiceInfo:
    invoice_id = ctx.ids.invoice()
    net, vat = _write_invoice_lines(ctx, invoice_id, lines)
    info = InvoiceInfo(
        id=invoice_id, number=ctx.numbers.invoice.issue(issue_date), kind="invoice",
        issue_date=issue_date, due_date=issue_date + timedelta(days=customer.terms_days),
        net=net, vat=vat, total=net + vat, order_id=order_id, contract_id=contract_id,
        forced=forced)
    customer.invoices.append(info)
    return info


def _write_invoice_lines(ctx: Context, invoice_id: int, lines: Sequence[Line]
                         ) -> tuple[int, int]:
    out = ctx.batch["invoice_lines"]
    net_total = vat_total = 0
    for line_no, (product_id, description, quantity, unit, rate) in enumerate(lines, start=1):
        net = quantity * unit
        vat = vat_of(net, rate)
        net_total += net
        vat_total += vat
        out.append(InvoiceLineRow(
            id=ctx.ids.invoice_line(), invoice_id=invoice_id, line_no=line_no,
            product_id=product_id, description=description[:200], quantity=quantity,
            unit_price_cents=unit, vat_rate_pct=rate, net_cents=net, vat_cents=vat))
    return net_total, vat_total


def add_showcase_invoices(ctx: Context, customer: CustomerFile) -> None:
    """Service invoices with an exact due date: overdue in a given ageing bucket, or due
    this week."""
    rng, clock = ctx.rng, ctx.clock
    for days_past_due, payment in customer.quota.invoices:
        due = clock.days_ago(days_past_due)
        issue = due - timedelta(days=customer.terms_days)
        product = pick(rng, _SERVICE_PRODUCTS)
        quantity = 1 + int(rng.random() * min(product.max_quantity, 8))
        lines: list[Line] = [(product.id, product.name, quantity, product.unit_price_cents,
                              customer.standard_vat)]
        info = issue_invoice(ctx, customer, issue, lines, forced=payment)
        info.due_date = due


def _credit_note(ctx: Context, customer: CustomerFile, invoice: InvoiceInfo, day: date,
                 net: int, reason: str) -> InvoiceInfo:
    credit_id = ctx.ids.invoice()
    rate = customer.standard_vat
    net_cents, vat_cents = _write_invoice_lines(
        ctx, credit_id, [(None, f"{reason}, invoice {invoice.number}", 1, -net, rate)])
    return InvoiceInfo(
        id=credit_id, number=ctx.numbers.credit_note.issue(day), kind="credit_note",
        issue_date=day, due_date=day, net=net_cents, vat=vat_cents, total=net_cents + vat_cents,
        order_id=invoice.order_id, credited_id=invoice.id, open=net_cents + vat_cents)


# -- settlement -----------------------------------------------------------------------------

@dataclass(slots=True)
class _Payment:
    id: int
    day: date
    method: str
    amount: int = 0
    extra: int = 0
    references: list[str] = field(default_factory=list)


class _Account:
    """Payments and allocations of one customer while its invoices are settled. Transfers
    made on the same day are one payment settling several invoices (a payment run)."""

    def __init__(self, ctx: Context, customer: CustomerFile) -> None:
        self.ctx = ctx
        self.customer = customer
        self.credit_notes: list[InvoiceInfo] = []
        self.payments: list[_Payment] = []
        self._transfers: dict[date, _Payment] = {}

    def allocate_credit(self, invoice: InvoiceInfo, credit: InvoiceInfo, day: date) -> None:
        amount = min(invoice.open, -credit.open)
        if amount <= 0:
            return
        invoice.open -= amount
        credit.open += amount
        self.ctx.batch["payment_allocations"].append(AllocationRow(
            id=self.ctx.ids.allocation(), invoice_id=invoice.id, payment_id=None,
            credit_note_id=credit.id, amount_cents=amount, allocated_on=day))

    def pay(self, invoice: InvoiceInfo, amount: int, day: date, *, extra: int = 0) -> None:
        ctx, customer = self.ctx, self.customer
        method = "direct_debit" if customer.payer == "direct_debit" else (
            "card" if amount < 50_000 and chance(ctx.rng, 0.04) else "bank_transfer")
        payment = self._transfers.get(day) if method == "bank_transfer" else None
        if payment is None:
            payment = _Payment(ctx.ids.payment(), day, method)
            self.payments.append(payment)
            if method == "bank_transfer":
                self._transfers[day] = payment
        payment.amount += amount + extra
        payment.extra += extra
        payment.references.append(
            f"SEPA DD {customer.number} {invoice.number}" if method == "direct_debit"
            else ident.format_payment_reference(ident.payment_reference(invoice.id))
            if chance(ctx.rng, 0.85) else invoice.number)
        invoice.open -= amount
        ctx.batch["payment_allocations"].append(AllocationRow(
            id=ctx.ids.allocation(), invoice_id=invoice.id, payment_id=payment.id,
            credit_note_id=None, amount_cents=amount, allocated_on=day))

    def write_payments(self) -> None:
        out, customer = self.ctx.batch["payments"], self.customer
        for p in self.payments:
            reference = p.references[0] if len(p.references) == 1 else (
                f"{len(p.references)} invoices: {', '.join(p.references)}")
            out.append(PaymentRow(
                id=p.id, customer_id=customer.id, received_on=p.day, amount_cents=p.amount,
                unallocated_cents=p.extra, method=p.method, reference=reference[:60],
                payer_iban=customer.iban, bank_reference=f"CODA-{p.day.year}-{p.id:09d}"))

    def unidentified_payment(self, day: date) -> None:
        ctx = self.ctx
        payment_id = ctx.ids.payment()
        amount = (50 + int(ctx.rng.random() * 1950)) * 100
        ctx.batch["payments"].append(PaymentRow(
            id=payment_id, customer_id=self.customer.id, received_on=day, amount_cents=amount,
            unallocated_cents=amount, method="bank_transfer", reference="Betaling / paiement",
            payer_iban=self.customer.iban, bank_reference=f"CODA-{day.year}-{payment_id:09d}"))


def _payment_delay(ctx: Context, payer: str) -> int | None:
    """Days after the due date the customer pays; None when it never does."""
    r = ctx.rng.random()
    if payer == "prompt":
        return int(-12 + r * 16)
    if payer == "slow":
        return int(3 + r * 47)
    if payer == "erratic":
        return None if r < 0.12 else int(r * 120)
    return 0


def _payment_run(day: date, payer: str) -> date:
    """The customer's next payment run on or after ``day``: prompt payers pay every
    Tuesday, slow and erratic ones on the 25th of the month; direct debits on the day."""
    if payer == "prompt":
        return day + timedelta(days=(1 - day.weekday()) % 7)
    if payer in ("slow", "erratic"):
        if day.day <= 25:
            return day.replace(day=25)
        return (day.replace(day=1) + timedelta(days=32)).replace(day=25)
    return day


def settle_account(ctx: Context, customer: CustomerFile) -> None:
    rng, today = ctx.rng, ctx.clock.today
    account = _Account(ctx, customer)
    invoices = sorted(customer.invoices, key=lambda i: (i.issue_date, i.id))
    for invoice in invoices:
        invoice.open = invoice.total
        _settle_invoice(ctx, account, invoice)
        invoice.status = _status(invoice)
    account.write_payments()
    if chance(rng, 0.03):
        account.unidentified_payment(today - timedelta(days=1 + int(rng.random() * 60)))
    for credit in account.credit_notes:
        used = credit.open - credit.total
        credit.status = "open" if used == 0 else ("paid" if credit.open == 0
                                                   else "partially_paid")
    _write_invoices(ctx, customer, sorted(invoices, key=lambda i: i.id) + account.credit_notes)
    customer.invoices = invoices + account.credit_notes


def _status(invoice: InvoiceInfo) -> str:
    if invoice.status == "cancelled":
        return "cancelled"
    if invoice.open == 0:
        return "paid"
    return "open" if invoice.open == invoice.total else "partially_paid"


def _settle_invoice(ctx: Context, account: _Account, invoice: InvoiceInfo) -> None:
    rng, today = ctx.rng, ctx.clock.today
    forced = invoice.forced
    # Cancelled by a credit note for the full amount (single-rate invoices only, so that
    # the credit note's VAT matches to the cent).
    if (forced is None and chance(rng, 0.004)
            and invoice.vat == vat_of(invoice.net, account.customer.standard_vat)):
        _cancel(ctx, account, invoice)
        return
    if forced == "disputed" or (forced is None and invoice.due_date > today - timedelta(
            days=150) and chance(rng, 0.02)):
        invoice.disputed = True
        invoice.dispute_reason = pick(rng, DISPUTE_REASONS)
        return
    payer = account.customer.payer
    delay = None if forced else _payment_delay(ctx, payer)
    pay_day = None if delay is None else _payment_run(
        max(invoice.due_date + timedelta(days=delay), invoice.issue_date + timedelta(days=1)),
        payer)
    if invoice.order_id and forced is None and chance(rng, 0.04):
        _partial_credit(ctx, account, invoice, pay_day)
    if forced == "partial":
        part = invoice.open * (30 + int(rng.random() * 40)) // 100
        account.pay(invoice, part, min(invoice.due_date, today - timedelta(days=1)))
        return
    if pay_day is None or pay_day >= today or invoice.open <= 0:
        return
    amount = invoice.open
    if chance(rng, 0.04):  # paid part now; the rest is still open
        amount = amount * (20 + int(rng.random() * 60)) // 100
    extra = (100 + int(rng.random() * 5000)) if chance(rng, 0.01) else 0
    if amount > 0:
        account.pay(invoice, amount, pay_day, extra=extra)


def _cancel(ctx: Context, account: _Account, invoice: InvoiceInfo) -> None:
    day = min(invoice.issue_date + timedelta(days=int(ctx.rng.random() * 3)), ctx.clock.today)
    credit = _credit_note(ctx, account.customer, invoice, day, invoice.net, "Invoiced in error")
    account.credit_notes.append(credit)
    account.allocate_credit(invoice, credit, day)
    invoice.status = "cancelled"


def _partial_credit(ctx: Context, account: _Account, invoice: InvoiceInfo,
                    pay_day: date | None) -> None:
    rng = ctx.rng
    day = invoice.issue_date + timedelta(days=3 + int(rng.random() * 37))
    if day >= ctx.clock.today:
        return
    net = max(100, invoice.net * (10 + int(rng.random() * 90)) // 100)
    credit = _credit_note(ctx, account.customer, invoice, day, net, pick(rng, CREDIT_REASONS))
    account.credit_notes.append(credit)
    if pay_day is None or day < pay_day:
        account.allocate_credit(invoice, credit, day)


def _write_invoices(ctx: Context, customer: CustomerFile, invoices: list[InvoiceInfo]) -> None:
    clock = ctx.clock
    out = ctx.batch["invoices"]
    for info in invoices:
        released = clock.at(info.issue_date, 18) if info.kind == "invoice" else clock.at(
            info.issue_date, 12)
        info.released_ts = released if released <= clock.now_ts else None
        out.append(InvoiceRow(
            id=info.id, number=info.number, kind=info.kind, customer_id=customer.id,
            order_id=info.order_id, credited_invoice_id=info.credited_id,
            contract_id=info.contract_id, issue_date=info.issue_date, due_date=info.due_date,
            payment_reference=ident.payment_reference(info.id), net_cents=info.net,
            vat_cents=info.vat, total_cents=info.total, open_cents=info.open,
            status=info.status, is_disputed=info.disputed, dispute_reason=info.dispute_reason,
            released_at=ctx.stamp(info.released_ts) if info.released_ts else None,
        ))

