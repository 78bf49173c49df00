"""Hostile text in every field people fill, then the whole console walked (issue 13.2).

The demo database is seeded, then the rows the walk visits get payloads in each text a customer
or a user can type: names, addresses, sender names, subjects, bodies, notes, reasons, serials,
PO numbers, site names, dispute reasons, attachment names, user and team names, canned
replies. Searches, deep links and the link/merge and call forms echo payloads too. Whatever
the page, the Markdown Streamlit renders must hold no active markup
(``walk_support.markup_problems`` says precisely what that is).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.models import (
    Attachment,
    CannedReply,
    Contact,
    Customer,
    Enquiry,
    EnquiryEvent,
    InboundMessage,
    InstalledItem,
    InventoryChange,
    Invoice,
    InvoiceLine,
    Order,
    OrderEvent,
    OutboundMessage,
    Site,
    Team,
    User,
)
from tests.app_support import rendered
from tests.walk_support import Walk, active_markup, report
from tests.walk_tour import (
    PASSWORDS,
    ROLES,
    Sights,
    app_pointed_at,
    demo_database,
    go,
    sights,
    tour,
)

BACKENDS = ("sqlite", "postgresql")

# Each a different way Streamlit's Markdown (or a browser) would act on text.
TOKENS = (
    "![i](http://127.0.0.2:9/i.png)",
    "<img src=http://127.0.0.2:9/h.png>",
    ":red[r]",
    ":rainbow[b]",
    "$x^2$",
    "http://evil.example/",
    "www.evil.example",
    "[l](http://evil.example/l)",
    ":material/home:",
    ":smile:",
    "<script>alert(1)</script>",
)
PAYLOAD = " ".join(TOKENS)


def payload(length: int | None, turn: int = 0, suffix: str = "") -> str:
    """As many tokens as fit in ``length`` characters, then ``suffix``: the remote image
    first (it is what a browser fetches), the others starting at token ``turn``, so that
    short fields on several rows carry every token between them."""
    room = (length or 10_000) - len(suffix)
    rest = TOKENS[1:]
    tokens = (TOKENS[0], *rest[turn % len(rest):], *rest[:turn % len(rest)])
    chosen: list[str] = []
    for token in tokens:
        if len(" ".join([*chosen, token])) <= room:
            chosen.append(token)
    return " ".join(chosen) + suffix


def _length(column: object) -> int | None:
    return getattr(getattr(column, "type", None), "length", None)


def plant(engine: Engine, places: Sights) -> None:
    """Payloads into the rows the walk opens (and every user, team and canned reply)."""
    with Session(engine) as s, s.begin():
        customer_ids = list(s.scalars(select(Customer.id).where(
            Customer.customer_number.in_(places.customers))))
        enquiry_ids = set(s.scalars(select(Enquiry.id).where(
            Enquiry.reference.in_(places.enquiries) | Enquiry.customer_id.in_(customer_ids))))

        def fill(model: type, ids: list[int] | None, *columns: str, unique: bool = False,
                 where: object = None) -> None:
            query = select(model.id).order_by(model.id)  # type: ignore[attr-defined]
            if ids is not None:
                query = query.where(model.id.in_(ids))  # type: ignore[attr-defined]
            if where is not None:
                query = query.where(where)  # type: ignore[arg-type]
            for turn, row_id in enumerate(s.scalars(query)):
                values = {}
                for name in columns:
                    column = model.__table__.c[name]  # type: ignore[attr-defined]
                    values[name] = payload(_length(column), turn,
                                           f" #{row_id}" if unique else "")
                s.execute(update(model).where(model.id == row_id)  # type: ignore[attr-defined]
                          .values(**values))

        fill(Customer, customer_ids, "name", "street", "city")
        fill(Contact, None, "first_name", "last_name",
             where=Contact.customer_id.in_(customer_ids))
        fill(Site, None, "name", "street", "city", unique=True,
             where=Site.customer_id.in_(customer_ids))
        fill(Order, None, "customer_po", where=Order.customer_id.in_(customer_ids))
        order_ids = select(Order.id).where(Order.customer_id.in_(customer_ids))
        fill(OrderEvent, None, "note", where=OrderEvent.order_id.in_(order_ids))
        fill(InstalledItem, None, "serial_number", unique=True,
             where=InstalledItem.customer_id.in_(customer_ids))
        item_ids = select(InstalledItem.id).where(InstalledItem.customer_id.in_(customer_ids))
        fill(InventoryChange, None, "reason", where=InventoryChange.installed_item_id.in_(item_ids))
        invoice_ids = select(Invoice.id).where(Invoice.customer_id.in_(customer_ids))
        fill(Invoice, None, "dispute_reason", where=Invoice.id.in_(invoice_ids)
             & Invoice.is_disputed.is_(True))
        fill(InvoiceLine, None, "description", where=InvoiceLine.invoice_id.in_(invoice_ids))
        fill(Enquiry, sorted(enquiry_ids), "subject")
        # A sender's display name, as a mail client sends it.
        for row_id in sorted(enquiry_ids):
            s.execute(update(Enquiry).where(Enquiry.id == row_id, Enquiry.from_address.is_not(None))
                      .values(from_address=f'"{payload(200)}" <someone@mail.example>'))
        fill(EnquiryEvent, None, "body", where=EnquiryEvent.enquiry_id.in_(enquiry_ids))
        fill(Attachment, None, "filename", where=Attachment.enquiry_id.in_(enquiry_ids))
        fill(InboundMessage, None, "subject", "error")
        for row_id in s.scalars(select(InboundMessage.id)):
            s.execute(update(InboundMessage).where(InboundMessage.id == row_id)
                      .values(from_address=f'"{payload(200)}" <someone@mail.example>'))
        fill(OutboundMessage, None, "subject", "last_error",
             where=OutboundMessage.customer_id.in_(customer_ids))
        fill(User, None, "full_name")
        fill(Team, None, "name", unique=True)
        fill(CannedReply, None, "name", "subject", "body", unique=True)


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, Sights]]:
    tmp = tmp_path_factory.mktemp("payloads")
    with demo_database(request.param, tmp) as (url, engine):
        places = sights(engine)
        plant(engine, places)
        yield url, places


def typed_payloads(walk: Walk, at: AppTest, places: Sights) -> None:
    """What people type and see echoed: deep links, the link and merge forms, a call."""
    walk.look(go(at, "enquiry", e=PAYLOAD), "Enquiry", "deep link with a payload")
    walk.look(go(at, "customer", c=PAYLOAD), "Customer", "deep link with a payload")
    reference = places.few_enquiries[-1]
    go(at, "enquiry", e=reference)
    for field, form in (("Link a document (order, invoice, contract or serial number)", "Link"),
                        ("or merge into (reference)", "Merge")):
        box = next(t for t in at.text_input if t.label == field)
        box.input(PAYLOAD)
        next(b for b in at.button if b.label == form).click().run()
        walk.look(at, "Enquiry", f"{form} with a payload")
        go(at, "enquiry", e=reference)
    go(at, "log_call")
    at.text_input(key="call_phone").input("+32 9 999 99 98").run()
    next(t for t in at.text_input if t.label == "Subject").input(payload(200))
    next(t for t in at.text_area if t.label == "Notes").input(PAYLOAD)
    next(b for b in at.button if b.label == "Save call").click().run()
    walk.look(at, "Log a call", "saved with a payload subject")


@pytest.mark.parametrize("role", ROLES)
def test_no_text_people_typed_becomes_markup(hostile: tuple[str, Sights], role: str,
                                             tmp_path: Path) -> None:
    url, places = hostile
    walk = Walk()
    started = time.perf_counter()
    with app_pointed_at(url, tmp_path):
        tour(walk, role, places, password=PASSWORDS[role], searches=(PAYLOAD,))
        from tests.app_support import new_app, sign_in

        typed_payloads(walk, sign_in(new_app(), role, PASSWORDS[role]), places)
    print(f"{role}: {walk.visits} views, {len(walk.seen)} texts in "
          f"{time.perf_counter() - started:.1f} s")
    shown = "\n".join(item.text for item in walk.seen)
    # The payloads did reach the screen, each of them, as the characters typed.
    missing = [token for token in TOKENS if token not in shown]
    assert not missing, f"payloads never shown: {missing}"
    assert sum(TOKENS[0] in rendered(item.source) for item in walk.seen if item.markdown) > 20
    offences = active_markup(walk)
    assert not offences, report(offences)
