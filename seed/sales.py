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

from dashboard.vat import Treatment, vat_of
from seed import einvoicing
from seed import identifiers as ident
from seed.catalogue import PRODUCTS, Product, product_name
from seed.context import (
    BUSINESS_DAY,
    DAY,
    HOUR,
    MINUTE,
    Clock,
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
from seed.phrases import (
    CREDIT_LINE,
    CREDIT_REASONS,
    DISPUTE_REASONS,
    INVOICED_IN_ERROR,
    ORDER_EVENT_NOTES,
)
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

# product id, description, quantity, unit price, VAT (rate and category)
Line = tuple[int | None, str, int, int, Treatment]


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
        # Invoiced when shipped (shipping happens on business days, which are banking days).
        invoice_lines: list[Line] = [
            (p.id, product_name(p, customer.language), qty, unit, customer.vat(p.reduced_vat))
            for p, qty, unit in lines]
        issue_invoice(ctx, customer, clock.banking_day(clock.date_of(shipped_ts)),
                      invoice_lines, order_id=order_id)


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
        lines=list(lines), forced=forced)
    customer.invoices.append(info)
    return info


def _write_invoice_lines(ctx: Context, invoice_id: int, lines: Sequence[Line]
                         ) -> tuple[int, int]:
    out = ctx.batch["invoice_lines"]
    net_total = vat_total = 0
    for line_no, (product_id, description, quantity, unit, tax) in enumerate(lines, start=1):
        net = quantity * unit
        vat = vat_of(net, tax.rate_pct)
        net_total += net
        vat_total += vat
        out.append(InvoiceLineRow(
            id=ctx.ids.invoice_line(), invoice_id=invoice_id, line_no=line_no,
            product_id=product_id, description=description[:200], quantity=quantity,
            unit_price_cents=unit, vat_rate_pct=tax.rate_pct, net_cents=net, vat_cents=vat,
            vat_category=tax.category))
    return net_total, vat_total


def add_showcase_invoices(ctx: Context, customer: CustomerFile) -> None:
    """Service invoices with an exact due date: overdue in a given ageing bucket, or due
    this week."""
    rng, clock = ctx.rng, ctx.clock
    for days_past_due, payment in customer.quota.invoices:
        due = clock.days_ago(days_past_due)
        issue = clock.calendar.banking_day_on_or_before(due - timedelta(days=customer.terms_days))
        product = pick(rng, _SERVICE_PRODUCTS)
        quantity = 1 + int(rng.random() * min(product.max_quantity, 8))
        lines: list[Line] = [(product.id, product_name(product, customer.language), quantity,
                              product.unit_price_cents, customer.vat())]
        info = issue_invoice(ctx, customer, issue, lines, forced=payment)
        info.due_date = due


def _credit_note(ctx: Context, customer: CustomerFile, invoice: InvoiceInfo, day: date,
                 credited: Sequence[Line], reason: str) -> InvoiceInfo:
    """A credit note for ``credited`` (lines of the invoice, or parts of them): each keeps
    the VAT of the line it credits, so it never takes back more than was charged."""
    credit_id = ctx.ids.invoice()
    template = CREDIT_LINE[customer.language]
    lines: list[Line] = [
        (product_id, template.format(reason=reason, number=invoice.number,
                                     description=description), quantity, -unit, tax)
        for product_id, description, quantity, unit, tax in credited]
    net_cents, vat_cents = _write_invoice_lines(ctx, credit_id, lines)
    return InvoiceInfo(
        id=credit_id, number=ctx.numbers.credit_note.issue(day), kind="credit_note",
        issue_date=day, due_date=day, net=net_cents, vat=vat_cents, total=net_cents + vat_cents,
        order_id=invoice.order_id, credited_id=invoice.id, open=net_cents + vat_cents,
        lines=lines)


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


# Days after the due date a payer's invoices are paid, as (share, low, high): most pay
# near the term, a minority late, a few only after reminders (over 90 days).
_DELAYS: dict[str, tuple[tuple[float, int, int], ...]] = {
    "prompt": ((0.97, -8, 2), (0.03, 10, 45)),
    "slow": ((0.92, 0, 12), (0.08, 12, 60)),
    "erratic": ((0.85, 0, 35), (0.15, 95, 200)),
    "direct_debit": ((1.0, 0, 0),),
}
# Any payer now and then: an invoice paid only after reminders and a formal notice.
_FORGOTTEN = 0.07


def _payment_delay(ctx: Context, payer: str) -> int:
    """Days after the due date the customer pays this invoice."""
    rng = ctx.rng
    if payer != "direct_debit" and chance(rng, _FORGOTTEN):
        return int(95 + rng.random() * 75)
    r = rng.random()
    for share, low, high in _DELAYS[payer]:
        if r < share:
            return int(low + rng.random() * (high - low + 1))
        r -= share
    return 0


def _payment_run(clock: Clock, day: date, payer: str) -> date:
    """The customer's next payment run on or after ``day``, on a banking day: prompt payers
    pay on Tuesdays and Fridays, slow ones on Thursdays, erratic ones on the 25th of the
    month; direct debits on the day."""
    if payer == "prompt":
        day = day + timedelta(days=min((1 - day.weekday()) % 7, (4 - day.weekday()) % 7))
    elif payer == "slow":
        day = day + timedelta(days=(3 - day.weekday()) % 7)
    elif payer == "erratic":
        day = day.replace(day=25) if day.day <= 25 else (
            day.replace(day=1) + timedelta(days=32)).replace(day=25)
    return clock.calendar.banking_day_on_or_after(day)


def settle_account(ctx: Context, customer: CustomerFile) -> None:
    rng, clock = ctx.rng, ctx.clock
    account = _Account(ctx, customer)
    invoices = sorted(customer.invoices, key=lambda i: (i.issue_date, i.id))
    for invoice in invoices:
        invoice.open = invoice.total
        _offset_earlier_credits(account, invoice)
        _settle_invoice(ctx, account, invoice)
        invoice.status = _status(invoice)
    account.write_payments()
    if chance(rng, 0.03):
        account.unidentified_payment(clock.banking_day(
            clock.today - timedelta(days=1 + int(rng.random() * 60))))
    for credit in account.credit_notes:
        used = credit.open - credit.total
        credit.status = "open" if used == 0 else ("paid" if credit.open == 0
                                                   else "partially_paid")
    _write_invoices(ctx, customer, sorted(invoices, key=lambda i: i.id) + account.credit_notes)
    customer.invoices = invoices + account.credit_notes


def _offset_earlier_credits(account: _Account, invoice: InvoiceInfo) -> None:
    """A credit note left over (its invoice was paid before it came) is set off against
    the customer's next invoice, as accounts departments do."""
    if invoice.forced or invoice.total <= 0:
        return
    for credit in account.credit_notes:
        if credit.open < 0 and credit.issue_date <= invoice.issue_date and invoice.open > 0:
            account.allocate_credit(invoice, credit, invoice.issue_date)


def _status(invoice: InvoiceInfo) -> str:
    if invoice.status == "cancelled":
        return "cancelled"
    if invoice.open == 0:
        return "paid"
    return "open" if invoice.open == invoice.total else "partially_paid"


def _settle_invoice(ctx: Context, account: _Account, invoice: InvoiceInfo) -> None:
    rng, clock = ctx.rng, ctx.clock
    today = clock.today
    forced = invoice.forced
    language = account.customer.language
    if forced is None and chance(rng, 0.004):  # cancelled by a credit note for all of it
        _cancel(ctx, account, invoice)
        return
    if forced == "disputed":
        invoice.disputed = True
        invoice.dispute_reason = pick(rng, DISPUTE_REASONS[language])
        return
    payer = account.customer.payer
    if forced is None and chance(rng, 0.02):
        # Disputed: settled some weeks later by a credit note, a payment, or both; the ones
        # raised recently are still open.
        settled = invoice.due_date + timedelta(days=15 + int(rng.random() * 50))
        reason = pick(rng, DISPUTE_REASONS[language])
        if settled >= today:
            invoice.disputed = True
            invoice.dispute_reason = reason
            return
        if chance(rng, 0.5):
            _partial_credit(ctx, account, invoice, clock.banking_day(settled), None, reason)
        paid_on = _payment_run(clock, settled, payer)
        if invoice.open > 0 and paid_on < today:
            account.pay(invoice, invoice.open, paid_on)
        return
    pay_day = _payment_run(clock, max(invoice.due_date + timedelta(days=_payment_delay(
        ctx, payer)), invoice.issue_date + timedelta(days=1)), payer) if forced is None else None
    if invoice.order_id and forced is None and chance(rng, 0.04):
        credit_day = clock.banking_day(invoice.issue_date + timedelta(
            days=3 + int(rng.random() * 37)))
        _partial_credit(ctx, account, invoice, credit_day, pay_day,
                        pick(rng, CREDIT_REASONS[language]))
    if forced == "partial":
        part = invoice.open * (30 + int(rng.random() * 40)) // 100
        account.pay(invoice, part, clock.banking_day(min(invoice.due_date,
                                                         today - timedelta(days=1))))
        return
    if pay_day is None or pay_day >= today or invoice.open <= 0:
        return
    amount = invoice.open
    rest_day = None
    if chance(rng, 0.04):  # paid in two parts: the rest a few weeks later
        amount = amount * (20 + int(rng.random() * 60)) // 100
        rest_day = _payment_run(clock, pay_day + timedelta(days=14 + int(rng.random() * 40)),
                                payer)
    extra = (100 + int(rng.random() * 5000)) if chance(rng, 0.01) else 0
    if amount > 0:
        account.pay(invoice, amount, pay_day, extra=extra)
    if rest_day is not None and rest_day < today and invoice.open > 0:
        account.pay(invoice, invoice.open, rest_day)


def _cancel(ctx: Context, account: _Account, invoice: InvoiceInfo) -> None:
    clock = ctx.clock
    day = clock.banking_day(invoice.issue_date + timedelta(days=int(ctx.rng.random() * 3)))
    credit = _credit_note(ctx, account.customer, invoice, day, invoice.lines,
                          INVOICED_IN_ERROR[account.customer.language])
    account.credit_notes.append(credit)
    account.allocate_credit(invoice, credit, day)
    invoice.status = "cancelled"


def _partial_credit(ctx: Context, account: _Account, invoice: InvoiceInfo, day: date,
                    pay_day: date | None, reason: str) -> None:
    """Part of one line credited: some of its units returned, or its price corrected."""
    rng = ctx.rng
    if day >= ctx.clock.today or not invoice.lines:
        return
    product_id, description, quantity, unit, tax = pick(rng, invoice.lines)
    if quantity > 1:
        credited = [(product_id, description, 1 + int(rng.random() * (quantity - 1)), unit, tax)]
    else:
        credited = [(product_id, description, 1,
                     max(1, unit * (10 + int(rng.random() * 40)) // 100), tax)]
    credit = _credit_note(ctx, account.customer, invoice, day, credited, reason)
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
        state, reason, note, at = einvoicing.delivery(
            info.id, info.issue_date, info.released_ts, clock.now_ts,
            customer.on_peppol, customer.language)
        out.append(InvoiceRow(
            id=info.id, number=info.number, kind=info.kind, customer_id=customer.id,
            order_id=info.order_id, credited_invoice_id=info.credited_id,
            contract_id=info.contract_id, issue_date=info.issue_date, due_date=info.due_date,
            payment_reference=ident.payment_reference(info.id), net_cents=info.net,
            vat_cents=info.vat, total_cents=info.total, open_cents=info.open,
            status=info.status, is_disputed=info.disputed, dispute_reason=info.dispute_reason,
            released_at=ctx.stamp(info.released_ts) if info.released_ts else None,
            einvoice_state=state, einvoice_reason=reason, einvoice_note=note,
            einvoice_at=ctx.stamp(at) if at else None,
        ))

