"""Mail the vendor sends without being asked: "new invoice" notifications to subscribed
contacts and statements of account; plus intake that matched no customer."""

from __future__ import annotations

from seed import messages
from seed.context import DAY, HOUR, MINUTE, Context, CustomerFile, chance, pick
from seed.documents import tiny_pdf
from seed.identifiers import format_payment_reference, payment_reference
from seed.messages import Sender
from seed.phrases import NOTIFICATION, STATEMENT_BODY, STATEMENT_SUBJECT
from seed.staff import TEAM_FOR_CATEGORY

NOTIFY_DAYS = 30


def _money(cents: int) -> str:
    return f"EUR {cents / 100:,.2f}"


def add_invoice_notifications(ctx: Context, customer: CustomerFile) -> None:
    subscribers = [c for c in customer.contacts if c.invoice_notifications and c.is_active]
    if not subscribers:
        return
    since = ctx.clock.now_ts - NOTIFY_DAYS * DAY
    for invoice in customer.invoices:
        if invoice.kind != "invoice" or not invoice.released_ts or invoice.released_ts < since:
            continue
        for contact in subscribers:
            subject, body = NOTIFICATION[contact.language]
            messages.send(
                ctx, kind="notification", to=contact.email,
                subject=subject.format(invoice_number=invoice.number),
                body=body.format(contact_name=contact.full_name, invoice_number=invoice.number,
                                 amount=_money(invoice.total), payment_reference=(
                                     format_payment_reference(payment_reference(invoice.id)))),
                created_ts=invoice.released_ts + 5 * MINUTE, enquiry_id=None,
                customer_id=customer.id, created_by=None, tag="invoice")


def add_statement(ctx: Context, customer: CustomerFile) -> None:
    """Now and then Billing mails a statement of account to a customer with open items."""
    rng, clock = ctx.rng, ctx.clock
    open_items = [i for i in customer.invoices if i.open > 0]
    if not open_items or not chance(rng, 0.05):
        return
    contact = next((c for c in customer.contacts if c.role == "finance"), customer.contacts[0])
    sent_ts = clock.business_moment(rng, clock.now_ts - NOTIFY_DAYS * DAY, clock.now_ts - HOUR)
    balance = sum(i.open for i in customer.invoices)
    lines = [f"Statement of account {customer.number}", customer.name,
             *(f"{i.number}  due {i.due_date.isoformat()}  {_money(i.open)}"
               for i in open_items[:20]), f"Balance {_money(balance)}"]
    outbound_id, _ = messages.send(
        ctx, kind="statement", to=contact.email,
        subject=STATEMENT_SUBJECT[contact.language].format(customer_number=customer.number),
        body=STATEMENT_BODY[contact.language].format(
            contact_name=contact.full_name, customer_number=customer.number,
            balance=_money(balance)),
        created_ts=sent_ts, enquiry_id=None, customer_id=customer.id,
        created_by=pick(rng, ctx.staff.handlers[TEAM_FOR_CATEGORY["invoices"]]), tag="statement")
    messages.attach(ctx, (f"statement-{customer.number}.pdf", "application/pdf",
                          tiny_pdf(lines)), enquiry_id=None, outbound_id=outbound_id)


def add_outbox_showcase(ctx: Context, customer: CustomerFile) -> None:
    """Mail waiting in the outbox, being sent, bounced, or bounced and cancelled by an
    admin, so the outbox has every state."""
    contact = customer.contacts[0]
    ages = {"queued": 2 * MINUTE, "sending": MINUTE, "failed": 3 * HOUR,
            "cancelled": 26 * HOUR}
    for status in customer.quota.outbox:
        subject, body = NOTIFICATION[contact.language]
        invoice = customer.invoices[0] if customer.invoices else None
        number = invoice.number if invoice else customer.number
        messages.send(
            ctx, kind="notification", to=contact.email, subject=subject.format(
                invoice_number=number),
            body=body.format(contact_name=contact.full_name, invoice_number=number,
                             amount=_money(invoice.total if invoice else 0),
                             payment_reference=format_payment_reference(
                                 payment_reference(invoice.id if invoice else 1))),
            created_ts=ctx.clock.now_ts - ages[status], enquiry_id=None,
            customer_id=customer.id, created_by=None, tag="invoice", status=status)


_PROSPECTS = (
    Sender("Emily Walsh", "emily.walsh@mail.example", "", "+32475123456", None),
    Sender("Marc Thiry", "m.thiry@mail.example", "", "+3281223344", None),
    Sender("Unknown fax", "", "", None, "+3226601234"),
)


def add_unmatched_intake(ctx: Context, repeats: int) -> None:
    """Messages that matched no customer: enquiries from unknown senders, auto-replies the
    intake ignored, unreadable mail kept in quarantine, and mail not processed yet."""
    from seed.enquiries import add_unknown_sender_enquiry

    clock = ctx.clock
    for _ in range(repeats):
        for sender in _PROSPECTS:
            add_unknown_sender_enquiry(ctx, sender)
        for subject in ("Automatic reply: Out of office", "Delivery Status Notification"):
            messages.receive(
                ctx, channel="email", sender=Sender("Auto-reply", "noreply@mail.example", "",
                                                    None, None),
                subject=subject, body="This is an automatically generated message.",
                received_ts=clock.now_ts - int(ctx.rng.random() * 5 * DAY), enquiry_id=None,
                status="ignored")
        for number in range(2):
            messages.receive(
                ctx, channel="email", sender=_PROSPECTS[number], subject="Scan from printer",
                body="Scanned document attached.",
                received_ts=clock.now_ts - int(ctx.rng.random() * 3 * DAY), enquiry_id=None,
                status="quarantined",
                error="MessageParseError: multipart message has no boundary parameter")
        messages.receive(
            ctx, channel="email", sender=_PROSPECTS[0], subject="Question about a quote",
            body="Could you call me back?", received_ts=clock.now_ts - MINUTE, enquiry_id=None,
            status="received")
