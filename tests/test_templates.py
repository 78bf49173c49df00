"""Canned replies never leave with a hole: every demo template, in every language, with and
without each kind of linked document, is either filled completely or refused by name."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import outbox, templates, workflow
from dashboard.services.errors import ValidationError
from dashboard.services.users import UserInfo
from db.models import OutboundMessage
from seed.phrases import CANNED_REPLIES
from tests import factories as f

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
KINDS = ("order", "invoice", "contract", "item")
NEEDS_KIND = {"a linked order": "order", "a linked invoice": "invoice",
              "a linked contract": "contract", "a linked item": "item"}


@pytest.fixture
def world(session: Session) -> dict:
    rep = f.user(session, "rep", full_name="Sofie Peeters")
    cust = f.customer(session, "Brasserie Dupré & Fils", customer_number="C100042")
    contact = f.contact(session, cust, first_name="Anne", last_name="Dupré",
                        email="anne.dupre@dupre.be")
    order = f.order(session, cust, order_number="SO-2026-000321", carrier="bpost",
                    tracking_number="323299901234567", promised_date=date(2026, 11, 27),
                    customer_po="PO-77")
    invoice = f.invoice(session, cust, total_cents=1_234_56, number="INV-2026-000777",
                        due_date=date(2026, 12, 15), payment_reference="090933755493")
    contract = f.contract(session, cust, contract_number="CT-2026-00042",
                          end_date=date(2027, 6, 30))
    item = f.item(session, cust, f.site(session, cust), f.product(session, name="ThinkPad T14"),
                  serial_number="PF3ABC12")
    user = UserInfo(rep.id, rep.username, rep.full_name, rep.email, rep.role, None, None)
    return {"user": user, "cust": cust, "contact": contact, "order": order,
            "invoice": invoice, "contract": contract, "item": item}


def _enquiry(session: Session, world: dict, language: str, linked: tuple[str, ...]):  # type: ignore[no-untyped-def]
    links = {"order": ("order_id", world["order"].id),
             "invoice": ("invoice_id", world["invoice"].id),
             "contract": ("contract_id", world["contract"].id),
             "item": ("installed_item_id", world["item"].id)}
    return f.enquiry(session, customer_id=world["cust"].id, contact_id=world["contact"].id,
                     language=language, status="open", created_at=NOW, channel="email",
                     **dict(links[k] for k in linked))


def _expected_missing(text: str, linked: tuple[str, ...]) -> set[str]:
    wanted = {m.group(1) for m in templates.PLACEHOLDER.finditer(text)}
    return {name for name in wanted
            if NEEDS_KIND.get(templates.NEEDS.get(name, "")) not in (None, *linked)}


def test_every_placeholder_of_the_demo_templates_is_known() -> None:
    used = {m.group(1) for _, texts in CANNED_REPLIES.values()
            for subject, body in texts.values()
            for m in templates.PLACEHOLDER.finditer(subject + body)}
    assert used <= set(templates.PLACEHOLDERS), used - set(templates.PLACEHOLDERS)


@pytest.mark.parametrize("linked", [c for n in range(len(KINDS) + 1)
                                    for c in itertools.combinations(KINDS, n)],
                         ids=lambda c: "+".join(c) or "nothing")
def test_every_template_fills_or_names_each_hole(session: Session, world: dict,
                                                  linked: tuple[str, ...]) -> None:
    for language in ("en", "fr", "nl", "de"):
        e = _enquiry(session, world, language, linked)
        values = templates.values_for(session=session, enquiry_id=e.id, agent=world["user"])
        for name, (_, texts) in CANNED_REPLIES.items():
            subject, body = texts[language]
            filled = [templates.render(t, values) for t in (subject, body)]
            missing = set(filled[0].missing) | set(filled[1].missing)
            assert missing == _expected_missing(subject + body, linked), (name, language)
            assert set(templates.holes(filled[0].text, filled[1].text)) == missing
            if not missing:
                assert "{" not in filled[0].text + filled[1].text, (name, language)


def test_an_order_reply_carries_carrier_tracking_and_date(session: Session, world: dict
                                                         ) -> None:
    e = _enquiry(session, world, "nl", ("order",))
    values = templates.values_for(session=session, enquiry_id=e.id, agent=world["user"])
    text = templates.render("onderweg met {carrier} (tracking {tracking_number}, "
                            "{tracking_url}), verwacht op {expected_delivery}", values)
    assert text.missing == ()
    assert text.text == ("onderweg met bpost (tracking 323299901234567, https://track.bpost."
                         "cloud/btr/web/#/search?itemCode=323299901234567), verwacht op "
                         "27/11/2026")


def test_invoice_values_are_written_in_the_customers_language(session: Session, world: dict
                                                             ) -> None:
    for language, amount in (("nl", "€ 1.234,56"), ("fr", "1\u202f234,56\xa0€"),
                             ("de", "1.234,56\xa0€")):
        e = _enquiry(session, world, language, ("invoice",))
        values = templates.values_for(session=session, enquiry_id=e.id, agent=world["user"])
        assert values["amount"].replace("\xa0", " ").replace("\u202f", " ") == \
            amount.replace("\xa0", " ").replace("\u202f", " ")
        assert values["due_date"] == "15/12/2026"
        assert values["payment_reference"] == "+++090/9337/55493+++"


def test_send_is_refused_while_a_placeholder_is_unfilled(session: Session, world: dict
                                                        ) -> None:
    e = _enquiry(session, world, "nl", ())
    body = "Beste Anne,\nonderweg met {carrier} (tracking {tracking_number}).\n{agent_nam}"
    with pytest.raises(ValidationError) as refused:
        workflow.reply(session=session, enquiry_id=e.id, to_address="anne.dupre@dupre.be",
                       subject="Uw bestelling", body=body, by=world["user"],
                       expected_version=None, now=NOW)
    said = " ".join(refused.value.problems)
    assert "{carrier}" in said and "a linked order" in said
    assert "{tracking_number}" in said
    assert "{agent_nam} is not a known placeholder" in said
    # The outbox itself refuses a hole, wherever the text came from.
    with pytest.raises(ValueError, match=r"\{carrier\}"):
        outbox.enqueue(session=session, kind="reply", to_address="anne.dupre@dupre.be",
                       subject="Uw bestelling", body_text=body, enquiry_id=e.id, now=NOW)
    assert session.scalars(select(OutboundMessage)).all() == []


def test_a_filled_reply_is_queued_without_a_brace(session: Session, world: dict) -> None:
    e = _enquiry(session, world, "nl", ("order",))
    values = templates.values_for(session=session, enquiry_id=e.id, agent=world["user"])
    body = templates.render("Beste {contact_name},\nonderweg met {carrier} (tracking "
                            "{tracking_number}).\n{agent_name}", values)
    assert body.missing == ()
    workflow.reply(session=session, enquiry_id=e.id, to_address="anne.dupre@dupre.be",
                   subject="Uw bestelling", body=body.text, by=world["user"],
                   expected_version=None, now=NOW)
    sent = session.scalars(select(OutboundMessage)).one()
    assert "bpost" in sent.body_text and "323299901234567" in sent.body_text
    assert "{" not in sent.body_text and sent.body_text.startswith("Beste Anne Dupré,")
