"""Canned-reply placeholders: what each one means, its value for an enquiry, and the rule
that nothing leaves with a hole.

``values_for`` reads the enquiry's contact, customer, representative and linked order,
invoice, contract and installed item, written the way the customer's language writes money
and dates. ``render`` fills a text and names every placeholder it could not fill, and
``holes`` finds any ``{…}`` left in a text about to be sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.formatting import LOCALES, day, money
from dashboard.services.invoices import structured_reference
from dashboard.services.orders import CARRIER_TRACKING_URLS
from dashboard.services.users import UserInfo
from db.models import Contact, Contract, Customer, Enquiry, InstalledItem, Invoice, Order, Product

# Every placeholder a template may use, and where its value comes from.
PLACEHOLDERS: dict[str, str] = {
    "reference": "the enquiry reference (ENQ-…)",
    "subject": "the enquiry's subject",
    "contact_name": "the contact's full name",
    "customer_name": "the customer's company name",
    "customer_number": "the customer number",
    "agent_name": "your name",
    "order_number": "the linked order's number",
    "po": "the linked order's customer PO",
    "carrier": "the linked order's carrier",
    "tracking_number": "the linked order's tracking number",
    "tracking_url": "the carrier's tracking link for the linked order",
    "expected_delivery": "the linked order's promised delivery date",
    "invoice_number": "the linked invoice's number",
    "amount": "the linked invoice's total",
    "open_amount": "what is still open on the linked invoice",
    "due_date": "the linked invoice's due date",
    "payment_reference": "the linked invoice's structured reference (+++…+++)",
    "contract_number": "the linked contract's number",
    "end_date": "the linked contract's end date",
    "serial_number": "the linked item's serial number",
    "product": "the linked item's product",
}
# What a rep must link or record before a placeholder can be filled.
NEEDS = {
    "contact_name": "a contact on the enquiry",
    "customer_name": "a customer on the enquiry", "customer_number": "a customer on the enquiry",
    **{k: "a linked order" for k in ("order_number", "po", "carrier", "tracking_number",
                                     "tracking_url", "expected_delivery")},
    **{k: "a linked invoice" for k in ("invoice_number", "amount", "open_amount", "due_date",
                                       "payment_reference")},
    "contract_number": "a linked contract", "end_date": "a linked contract",
    "serial_number": "a linked item", "product": "a linked item",
}
PLACEHOLDER = re.compile(r"\{([^{}\n]{0,60})\}")


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]   # placeholder names left in the text, in order of appearance


def values_for(*, session: Session, enquiry_id: int, agent: UserInfo) -> dict[str, str]:
    """The placeholders this enquiry can fill; one without a value is left out."""
    e = session.get(Enquiry, enquiry_id)
    if e is None:
        return {}
    locale = LOCALES.get(e.language, LOCALES["en"])
    values: dict[str, str | None] = {"reference": e.reference, "subject": e.subject,
                                     "agent_name": agent.full_name}
    if e.contact_id and (contact := session.get(Contact, e.contact_id)):
        values["contact_name"] = contact.full_name
    if e.customer_id and (customer := session.get(Customer, e.customer_id)):
        values["customer_name"] = customer.name
        values["customer_number"] = customer.customer_number
    if e.order_id and (order := session.get(Order, e.order_id)):
        values.update(order_number=order.order_number, po=order.customer_po,
                      carrier=order.carrier, tracking_number=order.tracking_number,
                      expected_delivery=day(order.promised_date, locale) or None)
        url = CARRIER_TRACKING_URLS.get(order.carrier or "")
        if url and order.tracking_number:
            values["tracking_url"] = url.format(number=order.tracking_number)
    if e.invoice_id and (invoice := session.get(Invoice, e.invoice_id)):
        values.update(invoice_number=invoice.number,
                      amount=money(invoice.total_cents, locale),
                      open_amount=money(invoice.open_cents, locale),
                      due_date=day(invoice.due_date, locale),
                      payment_reference=structured_reference(invoice.payment_reference)
                      or None)
    if e.contract_id and (contract := session.get(Contract, e.contract_id)):
        values.update(contract_number=contract.contract_number,
                      end_date=day(contract.end_date, locale))
    if e.installed_item_id:
        item = session.execute(select(InstalledItem.serial_number, Product.name)
                               .join(Product, Product.id == InstalledItem.product_id)
                               .where(InstalledItem.id == e.installed_item_id)).first()
        if item:
            values.update(serial_number=item[0], product=item[1])
    return {k: v for k, v in values.items() if v is not None and str(v).strip()}


def render(text: str, values: dict[str, str]) -> Rendered:
    """``text`` with each ``{name}`` that has a value replaced; the others stay, named."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in values:
            return values[name]
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return Rendered(PLACEHOLDER.sub(fill, text), tuple(missing))


def holes(*texts: str) -> tuple[str, ...]:
    """Every ``{…}`` still in ``texts``: a message with any of them must not be sent."""
    found: list[str] = []
    for text in texts:
        for match in PLACEHOLDER.finditer(text):
            if match.group(1) not in found:
                found.append(match.group(1))
    return tuple(found)


def hole_messages(missing: tuple[str, ...]) -> list[str]:
    """One sentence per unfilled placeholder: what it is and what would fill it."""
    out = []
    for name in missing:
        if name in PLACEHOLDERS:
            need = NEEDS.get(name)
            why = f" — this needs {need}" if need else ""
            out.append(f"{{{name}}} ({PLACEHOLDERS[name]}) is not filled{why}. Fill it in or "
                       "remove it.")
        else:
            out.append(f"{{{name}}} is not a known placeholder. Replace it with the text "
                       "meant, or remove it.")
    return out
