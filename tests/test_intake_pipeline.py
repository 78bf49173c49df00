"""Intake from stored bytes to enquiries, on SQLite and PostgreSQL: storing first, threading,
matching, linking, routing, automatic messages, fax, quarantine and the web form.

``build_world`` (customers, contacts, documents, teams, an enquiry waiting for the customer)
is shared with the SMTP and command-line tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.intake import (
    CREATED,
    IGNORED,
    QUARANTINED,
    THREADED,
    Outcome,
    make_enquiry_by_hand,
    pipeline,
    quarantine_list,
    raw_message,
    receive,
    reprocess,
    sources,
    store_raw,
    submit_web_form,
)
from dashboard.intake import mime as intake_mime
from dashboard.services import sla, workflow
from dashboard.services.errors import ValidationError
from dashboard.services.users import UserInfo
from db.models import (
    Attachment,
    AuditLog,
    Enquiry,
    EnquiryEvent,
    InboundMessage,
    OutboundMessage,
    Setting,
    SlaPolicy,
    User,
)
from seed.reference import FAX_GATEWAY_PATTERNS
from tests import factories as f

DATA = Path(__file__).resolve().parent / "data" / "email"
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Brussels
OWN_REPLY_ID = "<reply.42@csol.example>"


@dataclass(frozen=True)
class World:
    dupre: int
    peeters: int
    weber: int
    francoise: int
    joost: int
    lena: int
    fax_contact: int
    phone_contact: int
    invoice: int
    invoice_by_reference: int
    order: int
    foreign_order: int
    contract: int
    item: int
    waiting: int  # ENQ-2026-000042, pending the customer (Peeters)
    billing: int
    orders_team: int
    contracts_team: int
    rep_fr: int
    rep_nl: int
    rep_orders: int
    rep_de: int
    normal_policy: int
    fax_policy: int
    rep: UserInfo


def member(session: Session, username: str, team_id: int, language: str,
           role: str = "rep") -> User:
    user = f.user(session, username, role=role, team_id=team_id)
    user.language = language
    return user


def build_world(session: Session, *, auto_assign: bool = True) -> World:
    billing = f.team(session, "Billing", categories=["invoices"],
                     languages=["nl", "fr", "de", "en"])
    orders_team = f.team(session, "Orders & Delivery", categories=["orders", "other"],
                         languages=["nl", "fr", "en"])
    contracts_team = f.team(session, "Contracts & Inventory",
                            categories=["contracts", "inventory"],
                            languages=["fr", "de", "nl", "en"])
    rep_fr = member(session, "nathalie", billing.id, "fr")
    rep_nl = member(session, "pieter", billing.id, "nl")
    member(session, "an.lead", billing.id, "fr", role="lead")
    rep_orders = member(session, "jan", orders_team.id, "nl")
    rep_de = member(session, "thomas", contracts_team.id, "de")
    normal = f.sla_policy(session, "normal", 240, 1530)
    fax_policy = SlaPolicy(name="Normal (fax)", priority="normal", channel="fax",
                           first_response_minutes=480, resolution_minutes=2040)
    session.add(fax_policy)

    dupre = f.customer(session, "Brasserie Dupré & Fils", language="fr",
                       customer_number="C100042", email="info@brasserie-dupre.be")
    peeters = f.customer(session, "Bouwgroep Peeters NV", language="nl",
                         customer_number="C100043")
    weber = f.customer(session, "Fiduciaire Weber Sàrl", language="de", country="LU",
                       customer_number="C100044", segment="mid_market")
    francoise = f.contact(session, dupre, first_name="Françoise", last_name="Lefèvre",
                          email="francoise.lefevre@brasserie-dupre.be", is_primary=True)
    f.contact(session, dupre, first_name="Anne", email="anne.dupre@brasserie-dupre.be")
    f.contact(session, dupre, first_name="François", last_name="Dubois",
              email="francois.dubois@brasserie-dupre.be")
    fax_contact = f.contact(session, dupre, first_name="Marc", last_name="Fax",
                            fax="+3225551234", phone="+3225550000")
    joost = f.contact(session, peeters, first_name="Joost", last_name="Vermeulen",
                      language="nl", email="joost.vermeulen@bouwgroep-peeters.be")
    phone_contact = f.contact(session, peeters, first_name="Els", last_name="Wouters",
                              language="nl", phone="+3242223344")
    lena = f.contact(session, weber, first_name="Lena", last_name="Schmit", language="de",
                     email="lena.schmit@fiduciaire-weber.lu")
    invoice = f.invoice(session, dupre, number="INV-2026-000101",
                        payment_reference=f.ogm_for(4241))
    by_reference = f.invoice(session, dupre, number="INV-2026-000102",
                             payment_reference=f.ogm_for(4242))
    order = f.order(session, peeters, order_number="SO-2026-000202")
    foreign_order = f.order(session, weber, order_number="SO-2026-000303")
    contract = f.contract(session, weber, contract_number="CT-2026-00033")
    item = f.item(session, dupre, f.site(session, dupre), f.product(session),
                  serial_number="SNAC02RW1EXK")
    waiting = f.enquiry(session, reference="ENQ-2026-000042", subject="Levering",
                        channel="email", category="orders", status="pending_customer",
                        customer_id=peeters.id, contact_id=joost.id, language="nl",
                        team_id=orders_team.id, assignee_id=rep_orders.id,
                        created_at=T0 - timedelta(days=2), sla_policy_id=normal.id)
    session.add(EnquiryEvent(enquiry_id=waiting.id, occurred_at=T0 - timedelta(days=1),
                             kind="status", data={"from": "open", "to": "pending_customer"}))
    session.add(OutboundMessage(
        kind="reply", enquiry_id=waiting.id, customer_id=peeters.id,
        to_address="joost.vermeulen@bouwgroep-peeters.be", subject="Levering [ENQ-2026-000042]",
        body_text="Wij kunnen vrijdag leveren.", message_id=OWN_REPLY_ID, status="sent",
        created_at=T0 - timedelta(days=1)))
    session.add_all([
        Setting(key="auto_assign", value={"enabled": auto_assign, "strategy": "least_open",
                                          "match_language": True}),
        Setting(key="fax_gateway_patterns", value=FAX_GATEWAY_PATTERNS),
        Setting(key="intake_address", value="support@csol.example"),
    ])
    session.commit()
    return World(
        dupre=dupre.id, peeters=peeters.id, weber=weber.id, francoise=francoise.id,
        joost=joost.id, lena=lena.id, fax_contact=fax_contact.id,
        phone_contact=phone_contact.id, invoice=invoice.id,
        invoice_by_reference=by_reference.id, order=order.id, foreign_order=foreign_order.id,
        contract=contract.id, item=item.id, waiting=waiting.id, billing=billing.id,
        orders_team=orders_team.id, contracts_team=contracts_team.id, rep_fr=rep_fr.id,
        rep_nl=rep_nl.id, rep_orders=rep_orders.id, rep_de=rep_de.id, normal_policy=normal.id,
        fax_policy=fax_policy.id,
        rep=UserInfo(rep_fr.id, "nathalie", "Nathalie", "nathalie@csol.example", "rep",
                     billing.id, "Billing"))


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def corpus(name: str) -> bytes:
    return (DATA / name).read_bytes()


def mail(subject: str, body: str = "Bonjour, merci de nous rappeler.", *,
         sender: str = "Anne Dupre <anne.dupre@brasserie-dupre.be>",
         message_id: str | None = None, extra: str = "") -> bytes:
    message_id = message_id or f"<{abs(hash((subject, body, extra)))}@test.example>"
    return (f"From: {sender}\r\nTo: support@csol.example\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n"
            f"\r\n{body}\r\n").encode()


def enquiry_of(engine: Engine, outcome: Outcome) -> Enquiry:
    assert outcome.enquiry_id is not None, outcome
    with Session(engine) as s:
        found = s.get(Enquiry, outcome.enquiry_id)
        assert found is not None
        return found


def count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# --- storing first ------------------------------------------------------------------------

def test_the_same_message_is_stored_once_by_hash_or_message_id(
        engine: Engine, world: World) -> None:
    raw = corpus("01_fr_encoded_words_invoice.eml")
    redelivered = b"Received: from relay2.example by mx.csol.example; Tue, 3 Nov 2026\r\n" + raw
    with Session(engine) as s, s.begin():
        first, created = store_raw(s, raw, "smtp", received_at=T0)
        assert created and first.status == "received" and first.raw == raw
        assert first.message_id == "<fr-invoice-1@brasserie-dupre.be>"
        assert first.from_address == "francoise.lefevre@brasserie-dupre.be"
        assert first.subject == "Facture INV-2026-000101 impayée ?"
        again, created_again = store_raw(s, raw, "import")
        same_id, created_third = store_raw(s, redelivered, "smtp")
        assert not created_again and not created_third
        assert again.id == first.id == same_id.id
        with pytest.raises(ValueError, match="Source"):
            store_raw(s, raw, "pigeon")
        first_id = first.id
    processed = pipeline.process_one(engine, first_id, T0)
    assert processed.result == CREATED and not processed.duplicate
    assert receive(engine, redelivered, "smtp", now=T0) == Outcome(
        first_id, CREATED, processed.enquiry_id, processed.reference, duplicate=True)
    assert receive(engine, raw, "import", now=T0).duplicate
    assert count(engine, InboundMessage) == 1
    assert count(engine, EnquiryEvent) == 3  # the world's one, message_in and assignment


def test_the_raw_message_is_committed_before_it_is_parsed(
        engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(raw: bytes) -> intake_mime.ParsedMessage:
        raise KeyboardInterrupt  # not even an Exception: the process dies mid-parse

    monkeypatch.setattr(intake_mime, "parse", crash)
    with pytest.raises(KeyboardInterrupt):
        receive(engine, corpus("02_nl_utf8_base64_order.eml"), "smtp", now=T0)
    with Session(engine) as s:
        [stored] = s.scalars(select(InboundMessage)).all()
        assert stored.status == "received"
        assert stored.raw == corpus("02_nl_utf8_base64_order.eml")
    monkeypatch.undo()
    assert sources.process_pending(engine, now=T0) == {CREATED: 1}
    assert sources.process_pending(engine, now=T0) == {}


def test_a_reused_message_id_with_other_content_is_a_message_of_its_own(
        engine: Engine, world: World) -> None:
    first = receive(engine, mail("Facture INV-2026-000101", "Bonjour, la facture est-elle "
                                 "payée ? Merci.", message_id="<same@brasserie-dupre.be>"),
                    "smtp", now=T0)
    other_raw = mail("Livraison", "Bonjour, quand arrive la commande ? Merci.",
                     message_id="<same@brasserie-dupre.be>")
    other = receive(engine, other_raw, "smtp", now=T0 + timedelta(minutes=5))
    assert (first.result, other.result) == (CREATED, CREATED)
    assert not other.duplicate and other.reuses_message_id_of == first.inbound_id
    assert other.enquiry_id != first.enquiry_id
    with Session(engine) as s:
        [note] = s.scalars(select(EnquiryEvent).where(
            EnquiryEvent.enquiry_id == other.enquiry_id, EnquiryEvent.kind == "note")).all()
        assert note.inbound_message_id == other.inbound_id
        assert note.data == {"message_id_reused": "<same@brasserie-dupre.be>",
                             "earlier_inbound_id": first.inbound_id}
        assert "<same@brasserie-dupre.be>" in note.body
        [audited] = s.scalars(select(AuditLog).where(
            AuditLog.action == "intake_message_id_reused")).all()
        assert (audited.entity_id, audited.after) == (other.inbound_id, {
            "message_id": "<same@brasserie-dupre.be>",
            "earlier_inbound_ids": [first.inbound_id]})
    # The same bytes again, or the same message through another relay with LF line ends,
    # is a re-delivery: nothing new.
    again = receive(engine, other_raw, "smtp", now=T0 + timedelta(minutes=9))
    relayed = (b"Received: from relay2.example by mx.csol.example; Tue, 3 Nov 2026\n"
               + other_raw.replace(b"\r\n", b"\n"))
    through_relay = receive(engine, relayed, "import", now=T0 + timedelta(minutes=9))
    assert again.duplicate and through_relay.duplicate
    assert again.inbound_id == through_relay.inbound_id == other.inbound_id
    assert count(engine, InboundMessage) == 2 and count(engine, Enquiry) == 3


def test_content_digest_ignores_the_way_not_the_words() -> None:
    raw = corpus("01_fr_encoded_words_invoice.eml")
    digest = intake_mime.content_digest(raw)
    assert intake_mime.content_digest(b"Received: by mx\r\n" + raw) == digest
    assert intake_mime.content_digest(raw.replace(b"\r\n", b"\n")) == digest
    assert intake_mime.content_digest(raw.replace(b"INV-2026-000101", b"INV-2026-000102")
                                      ) != digest
    assert intake_mime.content_digest(b"\x00\xff no headers at all") != digest


# --- new enquiries ------------------------------------------------------------------------

def test_new_enquiry_from_a_known_contact(engine: Engine, world: World) -> None:
    outcome = receive(engine, corpus("01_fr_encoded_words_invoice.eml"), "smtp", now=T0)
    assert outcome.result == CREATED and outcome.reference == "ENQ-2026-000043"
    enquiry = enquiry_of(engine, outcome)
    assert (enquiry.customer_id, enquiry.contact_id) == (world.dupre, world.francoise)
    assert enquiry.verification == "email_on_file"
    assert enquiry.from_address == "francoise.lefevre@brasserie-dupre.be"
    assert enquiry.subject == "Facture INV-2026-000101 impayée ?"
    assert (enquiry.channel, enquiry.category, enquiry.language) == ("email", "invoices", "fr")
    assert enquiry.invoice_id == world.invoice
    assert enquiry.team_id == world.billing
    assert (enquiry.status, enquiry.assignee_id) == ("open", world.rep_fr)  # speaks French
    assert enquiry.created_at == T0 and enquiry.sla_policy_id == world.normal_policy
    with Session(engine) as s:
        policy = s.get(SlaPolicy, world.normal_policy)
        due = sla.deadlines(T0, policy)
        assert enquiry.first_response_due_at == due.first_response_due_at
        assert enquiry.resolution_due_at == due.resolution_due_at
        assert enquiry.resolution_risk_at == due.resolution_risk_at
        events = s.scalars(select(EnquiryEvent).where(EnquiryEvent.enquiry_id == enquiry.id)
                           .order_by(EnquiryEvent.id)).all()
        assert [e.kind for e in events] == ["message_in", "assignment"]
        assert events[0].inbound_message_id == outcome.inbound_id
        assert "Nous avons reçu la facture INV-2026-000101" in events[0].body
        assert events[1].data == {"from": None, "to": world.rep_fr, "auto": True}
        inbound = s.get(InboundMessage, outcome.inbound_id)
        assert inbound is not None
        assert (inbound.status, inbound.enquiry_id, inbound.processed_at) == (
            "processed", enquiry.id, T0)
        assert s.scalars(select(AuditLog.action)).all() == ["enquiry_received"]


def test_least_loaded_member_gets_it_and_auto_assign_can_be_off(
        engine: Engine, session: Session) -> None:
    world = build_world(session)
    for number in (1, 2):
        f.enquiry(session, reference=f"ENQ-2025-00000{number}", status="open",
                  assignee_id=world.rep_fr, team_id=world.billing)
    f.enquiry(session, reference="ENQ-2025-000003", status="closed",
              assignee_id=world.rep_nl, team_id=world.billing)
    session.commit()
    french = receive(engine, mail("Facture", "Bonjour, la facture est fausse, merci de la "
                                  "corriger et de nous la renvoyer."), "smtp", now=T0)
    # Matching the language, the only French-speaking representative gets it, busy or not;
    # the lead (who speaks French too) is not given enquiries while there are reps.
    assert enquiry_of(engine, french).assignee_id == world.rep_fr
    setting = session.get(Setting, "auto_assign")
    assert setting is not None
    setting.value = {"enabled": True, "match_language": False}
    session.commit()
    # Without language matching, the rep with the fewest open enquiries gets it.
    other = receive(engine, mail("Facture 2", "Bonjour, une autre facture est fausse, merci "
                                 "de la corriger."), "smtp", now=T0)
    assert enquiry_of(engine, other).assignee_id == world.rep_nl
    setting.value = {"enabled": False}
    session.commit()
    unassigned = enquiry_of(engine, receive(engine, mail(
        "Facture 3", "Bonjour, encore une facture, merci de la vérifier."), "smtp", now=T0))
    assert (unassigned.status, unassigned.assignee_id) == ("new", None)
    assert unassigned.team_id == world.billing


def test_documents_of_another_customer_are_not_linked(engine: Engine, world: World) -> None:
    raw = mail("Levering SO-2026-000303",
               "Beste, waar blijven de bestellingen SO-2026-000303 en SO-2026-000202? "
               "Met vriendelijke groeten", sender="joost.vermeulen@bouwgroep-peeters.be")
    enquiry = enquiry_of(engine, receive(engine, raw, "smtp", now=T0))
    assert enquiry.customer_id == world.peeters
    assert enquiry.order_id == world.order  # its own order, not Weber's SO-2026-000303
    assert (enquiry.category, enquiry.language, enquiry.team_id) == (
        "orders", "nl", world.orders_team)


def test_unknown_sender_gets_the_customer_of_the_document_named(
        engine: Engine, world: World) -> None:
    enquiry = enquiry_of(engine, receive(
        engine, corpus("19_unknown_sender_names_invoice.eml"), "smtp", now=T0))
    assert (enquiry.customer_id, enquiry.contact_id) == (world.dupre, None)
    assert enquiry.invoice_id == world.invoice and enquiry.verification == "none"
    assert (enquiry.category, enquiry.language) == ("invoices", "en")
    assert enquiry.from_address == "pieter.claes@mail.example"


def test_structured_reference_serial_number_and_contract(engine: Engine, world: World) -> None:
    paid = enquiry_of(engine, receive(engine, corpus("20_structured_reference.eml"), "smtp",
                                      now=T0))
    assert paid.invoice_id == world.invoice_by_reference and paid.category == "invoices"
    broken = enquiry_of(engine, receive(engine, corpus("07_html_only.eml"), "smtp", now=T0))
    assert broken.installed_item_id == world.item
    assert (broken.category, broken.team_id) == ("inventory", world.contracts_team)
    notice = enquiry_of(engine, receive(engine, corpus("03_de_split_words_wrong_charset.eml"),
                                        "smtp", now=T0))
    assert (notice.customer_id, notice.contact_id, notice.contract_id) == (
        world.weber, world.lena, world.contract)
    assert (notice.category, notice.language, notice.assignee_id) == (
        "contracts", "de", world.rep_de)


def test_attachments_are_kept_with_message_and_enquiry(engine: Engine, world: World) -> None:
    outcome = receive(engine, corpus("06_missing_boundary_with_pdf.eml"), "smtp", now=T0)
    enquiry = enquiry_of(engine, outcome)
    assert enquiry.invoice_id == world.invoice and enquiry.category == "invoices"
    with Session(engine) as s:
        [pdf] = s.scalars(select(Attachment)).all()
        assert (pdf.enquiry_id, pdf.inbound_message_id) == (enquiry.id, outcome.inbound_id)
        assert (pdf.filename, pdf.content_type) == ("PO-4711.pdf", "application/pdf")
        assert pdf.content.startswith(b"%PDF") and pdf.size_bytes == len(pdf.content)


def test_language_falls_back_to_the_contact_then_keywords_decide_the_category(
        engine: Engine, world: World) -> None:
    enquiry = enquiry_of(engine, receive(engine, mail(
        "Printer", "Printer defect.", sender="joost.vermeulen@bouwgroep-peeters.be"),
        "smtp", now=T0))
    assert (enquiry.language, enquiry.category) == ("nl", "inventory")


def test_clear_words_decide_the_language_over_the_one_on_file(
        engine: Engine, world: World) -> None:
    # Françoise is on file in French and writes in Dutch.
    enquiry = enquiry_of(engine, receive(engine, mail(
        "Factuur", "Kunnen jullie de factuur opnieuw sturen aub",
        sender="francoise.lefevre@brasserie-dupre.be"), "smtp", now=T0))
    assert (enquiry.contact_id, enquiry.language) == (world.francoise, "nl")


# --- threading ----------------------------------------------------------------------------

def test_reply_threads_by_in_reply_to(engine: Engine, world: World) -> None:
    first = receive(engine, corpus("01_fr_encoded_words_invoice.eml"), "smtp", now=T0)
    reply = receive(engine, corpus("16_reply_in_reply_to.eml"), "smtp",
                    now=T0 + timedelta(hours=1))
    assert reply.result == THREADED and reply.enquiry_id == first.enquiry_id
    assert count(engine, Enquiry) == 2  # the waiting one and this one
    with Session(engine) as s:
        bodies = s.scalars(select(EnquiryEvent.body).where(
            EnquiryEvent.enquiry_id == first.enquiry_id, EnquiryEvent.kind == "message_in")
            .order_by(EnquiryEvent.id)).all()
    assert len(bodies) == 2 and bodies[1] == "J'ajoute le bon de commande signé. Merci."


def test_customer_answer_to_our_reply_threads_and_reopens(engine: Engine, world: World) -> None:
    first = receive(engine, corpus("01_fr_encoded_words_invoice.eml"), "smtp", now=T0)
    with Session(engine) as s, s.begin():
        outbox_id = workflow.reply(
            session=s, enquiry_id=first.enquiry_id, by=world.rep,
            to_address="francoise.lefevre@brasserie-dupre.be", subject="Votre facture",
            body="Pouvez-vous nous envoyer le bon de commande ?", expected_version=None,
            now=T0 + timedelta(hours=1))
        sent = s.get(OutboundMessage, outbox_id)
        assert sent is not None
        reply_id = sent.message_id
    assert enquiry_of(engine, first).status == "pending_customer"
    answer = receive(engine, mail("Re: Votre facture", "Voici le bon de commande, merci.",
                                  sender="francoise.lefevre@brasserie-dupre.be",
                                  extra=f"In-Reply-To: {reply_id}\r\n"),
                     "smtp", now=T0 + timedelta(hours=3))
    assert answer.result == THREADED and answer.enquiry_id == first.enquiry_id
    assert enquiry_of(engine, first).status == "open"


def test_enquiry_tag_threads_and_reopens_what_waited_for_the_customer(
        engine: Engine, world: World) -> None:
    outcome = receive(engine, corpus("17_reply_enquiry_tag.eml"), "smtp", now=T0)
    assert (outcome.result, outcome.enquiry_id, outcome.reference) == (
        THREADED, world.waiting, "ENQ-2026-000042")
    waiting = enquiry_of(engine, outcome)
    assert waiting.status == "open"
    with Session(engine) as s:
        status = s.scalars(select(EnquiryEvent).where(
            EnquiryEvent.enquiry_id == world.waiting, EnquiryEvent.kind == "status")
            .order_by(EnquiryEvent.id.desc())).first()
        assert status is not None and status.data == {"from": "pending_customer", "to": "open"}
        assert status.body == "Customer replied"
    by_header = receive(engine, corpus("18_reply_to_outbound_reply.eml"), "smtp", now=T0)
    assert (by_header.result, by_header.enquiry_id) == (THREADED, world.waiting)


def test_a_tag_from_another_customers_contact_is_not_followed(
        engine: Engine, world: World) -> None:
    outcome = receive(engine, mail("Frage [ENQ-2026-000042]", "Bitte rufen Sie uns an.",
                                   sender="lena.schmit@fiduciaire-weber.lu"), "smtp", now=T0)
    assert outcome.result == CREATED and outcome.enquiry_id != world.waiting
    assert enquiry_of(engine, outcome).customer_id == world.weber


def test_a_merged_enquiry_passes_replies_on_to_the_one_it_was_merged_into(
        engine: Engine, session: Session, world: World) -> None:
    target = f.enquiry(session, reference="ENQ-2026-000050", customer_id=world.peeters,
                       status="open", subject="Levering (duplicate)")
    waiting = session.get(Enquiry, world.waiting)
    assert waiting is not None
    waiting.merged_into_id, waiting.status = target.id, "closed"
    session.commit()
    outcome = receive(engine, corpus("17_reply_enquiry_tag.eml"), "smtp", now=T0)
    assert (outcome.result, outcome.enquiry_id) == (THREADED, target.id)


# --- automatic messages -------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "10_bounce_dsn.eml", "11_read_receipt.eml", "12_autoreply_en.eml",
    "13_autoreply_fr_absence.eml", "14_autoreply_nl_subject_only.eml",
    "15_autoreply_de_precedence.eml"])
def test_auto_replies_bounces_and_receipts_create_nothing(
        engine: Engine, world: World, name: str) -> None:
    outcome = receive(engine, corpus(name), "smtp", now=T0)
    assert outcome.result == IGNORED and outcome.enquiry_id is None and outcome.detail
    assert count(engine, Enquiry) == 1 and count(engine, EnquiryEvent) == 1
    assert count(engine, OutboundMessage) == 1  # nothing sent back
    with Session(engine) as s:
        inbound = s.get(InboundMessage, outcome.inbound_id)
        assert inbound is not None and (inbound.status, inbound.error) == (
            "ignored", outcome.detail)


def test_auto_reply_to_our_reply_is_noted_without_reopening(
        engine: Engine, world: World) -> None:
    raw = mail("Automatic reply: Levering", "Ik ben afwezig tot maandag.",
               sender="joost.vermeulen@bouwgroep-peeters.be",
               extra=f"Auto-Submitted: auto-replied\r\nIn-Reply-To: {OWN_REPLY_ID}\r\n")
    outcome = receive(engine, raw, "smtp", now=T0)
    assert (outcome.result, outcome.enquiry_id) == (IGNORED, world.waiting)
    waiting = enquiry_of(engine, outcome)
    assert (waiting.status, waiting.version) == ("pending_customer", 1)
    with Session(engine) as s:
        note = s.scalars(select(EnquiryEvent).where(EnquiryEvent.enquiry_id == world.waiting)
                         .order_by(EnquiryEvent.id.desc())).first()
        assert note is not None and note.kind == "note"
        assert note.inbound_message_id == outcome.inbound_id
        assert note.data["automatic"] == "Auto-Submitted: auto-replied"
    assert count(engine, OutboundMessage) == 1


def test_our_own_mail_coming_back_is_ignored(engine: Engine, world: World) -> None:
    looped = mail("Levering [ENQ-2026-000042]", "Wij kunnen vrijdag leveren.",
                  sender="Support <support@csol.example>", message_id="<other.1@csol.example>")
    assert receive(engine, looped, "smtp", now=T0).result == IGNORED
    echo = mail("Levering", "Wij kunnen vrijdag leveren.", sender="rep@csol.example",
                message_id=OWN_REPLY_ID)
    assert receive(engine, echo, "smtp", now=T0).detail == "our own outgoing message"


# --- fax ----------------------------------------------------------------------------------

def test_hylafax_message_becomes_a_fax_enquiry_from_the_contact_with_that_fax(
        engine: Engine, world: World) -> None:
    outcome = receive(engine, corpus("08_hylafax.eml"), "smtp", now=T0)
    enquiry = enquiry_of(engine, outcome)
    assert (enquiry.channel, enquiry.customer_id, enquiry.contact_id) == (
        "fax", world.dupre, world.fax_contact)
    assert enquiry.from_address == "+3225551234" and enquiry.language == "fr"
    assert enquiry.sla_policy_id == world.fax_policy
    assert enquiry.subject == "Facsimile received from +32 2 555 12 34"
    with Session(engine) as s:
        inbound = s.get(InboundMessage, outcome.inbound_id)
        assert inbound is not None and (inbound.source, inbound.from_address) == (
            "fax", "+3225551234")
        [tiff] = s.scalars(select(Attachment)).all()
        assert (tiff.content_type, tiff.enquiry_id) == ("image/tiff", enquiry.id)


def test_efax_and_a_number_known_as_a_phone(engine: Engine, world: World) -> None:
    efax = enquiry_of(engine, receive(engine, corpus("09_efax.eml"), "smtp", now=T0))
    # eFax marks its mail Auto-Submitted and bulk; a recognised fax is never ignored.
    assert (efax.channel, efax.contact_id, efax.customer_id) == (
        "fax", world.phone_contact, world.peeters)
    hylafax = enquiry_of(engine, receive(engine, corpus("22_fax_number_as_phone.eml"), "smtp",
                                         now=T0))
    assert (hylafax.channel, hylafax.contact_id) == ("fax", world.phone_contact)
    unknown = enquiry_of(engine, receive(engine, mail(
        "Facsimile received from +32 9 999 99 99", "A facsimile was received.",
        sender="faxmaster@fax.csol.example"), "smtp", now=T0))
    assert (unknown.channel, unknown.customer_id, unknown.from_address) == (
        "fax", None, "+3299999999")


@pytest.mark.parametrize(("name", "contact", "number", "attachment"), [
    ("23_hylafax_faxrcvd_pdf.eml", "fax_contact", "+3225551234", "application/pdf"),
    ("24_hylafax_template_fr_tsi_name.eml", "phone_contact", "+3242223344", "image/tiff"),
    ("25_efax_inbound.eml", "fax_contact", "+3225551234", "application/pdf"),
])
def test_real_hylafax_and_efax_notifications_are_faxes(
        engine: Engine, session: Session, name: str, contact: str, number: str,
        attachment: str) -> None:
    world = build_world(session)
    with Session(engine) as s, s.begin():  # the narrow patterns the demo used to set
        setting = s.get(Setting, "fax_gateway_patterns")
        assert setting is not None
        setting.value = [{"name": "eFax", "from": r"@efax\.com$",
                          "subject": r'^eFax message from "?(?P<number>[+\d ()-]+)"?'},
                         {"name": "HylaFAX", "from": r"^faxmaster@",
                          "subject": r"^Facsimile received from (?P<number>.+)$"}]
    outcome = receive(engine, corpus(name), "smtp", now=T0)
    enquiry = enquiry_of(engine, outcome)
    assert (enquiry.channel, enquiry.contact_id, enquiry.from_address) == (
        "fax", getattr(world, contact), number)
    assert enquiry.sla_policy_id == world.fax_policy
    with Session(engine) as s:
        inbound = s.get(InboundMessage, outcome.inbound_id)
        assert inbound is not None and (inbound.source, inbound.from_address) == ("fax", number)
        [kept] = s.scalars(select(Attachment)).all()
        assert (kept.content_type, kept.enquiry_id) == (attachment, enquiry.id)


def test_every_spelling_of_a_number_finds_the_same_contact(
        engine: Engine, world: World) -> None:
    from dashboard.services import search
    from dashboard.services.enquiries import callers_for_phone

    spellings = ("+32 (0)2 555 12 34", "02 555 12 34", "0032 2 555 12 34", "02/555.12.34",
                 "+3225551234", "3225551234")
    with Session(engine) as s:
        for spelling in spellings:
            assert [c.contact_id for c in callers_for_phone(session=s, phone=spelling)] == [
                world.fax_contact], spelling
            hits = search.search(session=s, query=spelling)
            assert [(h.document_kind, h.document_id) for h in hits] == [
                ("contact", world.fax_contact)], spelling
    fax = enquiry_of(engine, receive(engine, mail(
        "Facsimile received from +32 (0)2 555 12 34", "1 page.",
        sender="The HylaFAX Receive Agent <fax@faxsrv.csol.example>"), "smtp", now=T0))
    assert (fax.channel, fax.contact_id, fax.from_address) == (
        "fax", world.fax_contact, "+3225551234")


def test_a_gateway_pattern_can_be_tried_on_a_pasted_message(
        session: Session, world: World) -> None:
    from dashboard.intake.settings import try_fax_pattern

    pasted = corpus("25_efax_inbound.eml").decode()
    trial = try_fax_pattern(pasted, session=session)
    assert trial.is_fax and trial.fax is not None
    assert (trial.fax.gateway, trial.fax.number) == ("eFax", "+3225551234")
    assert trial.sender == "eFax <message@inbound.efax.com>"
    assert [(c.name, c.sender_matches, c.subject_matches) for c in trial.checks] == [
        ("HylaFAX", False, False), ("eFax", True, True)]
    # The narrow pattern the demo had: the sender does not match a subdomain of efax.com.
    narrow = try_fax_pattern(pasted.replace("\r\n", "\n"), {
        "name": "eFax (old)", "from": r"@efax\.com$",
        "subject": r'^eFax message from "?(?P<number>[+\d ()-]+)"?'})
    assert not narrow.is_fax and narrow.checks[0].sender_matches is False
    no_number = try_fax_pattern(pasted, {"name": "Any eFax", "from": r"efax",
                                         "subject": r"^eFax"})
    assert no_number.is_fax and no_number.fax is not None and no_number.fax.number is None
    assert "no phone number" in no_number.notes[0]
    with pytest.raises(ValidationError) as broken:
        try_fax_pattern(pasted, {"name": "", "from": "(", "subject": ""})
    assert broken.value.problems == [
        "Give the gateway a name (1 to 60 characters).",
        "Give a subject pattern (a regular expression).",
        "The sender pattern is not a valid regular expression: missing ), unterminated "
        "subpattern at character 1."]
    with pytest.raises(ValidationError, match="headers"):
        try_fax_pattern("just some text I copied", session=session)


# --- quarantine ---------------------------------------------------------------------------

def test_a_failure_quarantines_and_reprocessing_files_it(
        engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> Enquiry:
        raise RuntimeError("routing table unavailable")

    monkeypatch.setattr(pipeline, "_create", broken)
    raw = corpus("02_nl_utf8_base64_order.eml")
    outcome = receive(engine, raw, "smtp", now=T0)
    assert outcome.result == QUARANTINED
    assert outcome.detail == "RuntimeError: routing table unavailable"
    assert count(engine, Enquiry) == 1 and count(engine, EnquiryEvent) == 1
    with Session(engine) as s:
        [listed] = quarantine_list(s, 10)
        assert (listed.id, listed.status, listed.size_bytes) == (
            outcome.inbound_id, "quarantined", len(raw))
        assert listed.subject == "Levering bestelling SO-2026-000202 – vertraagd"
        assert listed.error is not None and listed.error.startswith(outcome.detail)
        assert raw_message(s, outcome.inbound_id) == raw
        with pytest.raises(LookupError):
            raw_message(s, 999_999)
    monkeypatch.undo()
    with Session(engine) as s, s.begin():
        again = reprocess(s, outcome.inbound_id, world.rep, T0 + timedelta(hours=1))
    assert again.result == CREATED
    enquiry = enquiry_of(engine, again)
    assert enquiry.order_id == world.order and enquiry.created_at == T0
    with Session(engine) as s, s.begin():
        assert quarantine_list(s, 10) == []
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "intake_reprocessed")).one()
        assert audit.user_id == world.rep.id and audit.after == {
            "result": CREATED, "enquiry_id": enquiry.id}
        with pytest.raises(ValidationError, match="processed"):
            reprocess(s, outcome.inbound_id, world.rep, T0)


def test_what_is_not_mail_waits_in_quarantine_and_can_be_made_an_enquiry_by_hand(
        engine: Engine, world: World) -> None:
    raw = corpus("21_not_an_email.eml")
    outcome = receive(engine, raw, "smtp", now=T0)
    assert outcome.result == QUARANTINED and "UnreadableMessage" in outcome.detail
    with Session(engine) as s, s.begin():
        for args, problem in (
                ((world.dupre, "x", "invoices"), "subject"),
                ((world.dupre, "Scan", "gossip"), "category"),
                ((999_999, "Scan", "invoices"), "customer")):
            with pytest.raises(ValidationError, match=problem):
                make_enquiry_by_hand(s, outcome.inbound_id, *args, world.rep, T0)
        made = make_enquiry_by_hand(s, outcome.inbound_id, world.dupre, "Scanned document",
                                    "invoices", world.rep, T0 + timedelta(hours=1))
    assert made.result == CREATED and made.reference
    enquiry = enquiry_of(engine, made)
    assert (enquiry.customer_id, enquiry.subject, enquiry.category, enquiry.team_id) == (
        world.dupre, "Scanned document", "invoices", world.billing)
    with Session(engine) as s, s.begin():
        [kept] = s.scalars(select(Attachment)).all()
        assert (kept.filename, kept.content, kept.enquiry_id) == ("message.eml", raw,
                                                                  enquiry.id)
        kinds = s.scalars(select(EnquiryEvent.kind).where(EnquiryEvent.enquiry_id == enquiry.id)
                          .order_by(EnquiryEvent.id)).all()
        assert kinds[0] == "message_in" and kinds[-1] == "note"
        assert s.scalars(select(AuditLog.action).where(
            AuditLog.action == "intake_enquiry_by_hand")).all() == ["intake_enquiry_by_hand"]
        inbound = s.get(InboundMessage, outcome.inbound_id)
        assert inbound is not None and (inbound.status, inbound.enquiry_id) == (
            "processed", enquiry.id)
        with pytest.raises(ValidationError, match="already part of"):
            make_enquiry_by_hand(s, outcome.inbound_id, None, "Again", "other", world.rep, T0)


def test_an_ignored_message_can_be_made_an_enquiry_without_a_customer(
        engine: Engine, world: World) -> None:
    ignored = receive(engine, mail("Absence: invoice INV-2026-000101", "Retour lundi.",
                                   extra="X-Autoreply: yes\r\n"), "smtp", now=T0)
    assert ignored.result == IGNORED
    with Session(engine) as s, s.begin():
        made = make_enquiry_by_hand(s, ignored.inbound_id, None, "Real question after all",
                                    "other", world.rep, T0)
    enquiry = enquiry_of(engine, made)
    assert (enquiry.customer_id, enquiry.contact_id, enquiry.invoice_id) == (None, None, None)
    assert enquiry.channel == "email"


# --- web form -----------------------------------------------------------------------------

def test_web_form_validation_says_what_to_fix(session: Session, world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        submit_web_form(session, "A", "not-an-address", "12", "100042", "Hi",
                        "short", T0)
    problems = raised.value.problems
    assert len(problems) == 6
    assert problems[0].startswith("Enter your name")
    assert "valid e-mail address" in problems[1]
    assert "phone number" in problems[2]
    assert "C100123" in problems[3]
    assert "subject" in problems[4] and "Write your question" in problems[5]
    with pytest.raises(ValidationError, match="one line"):
        submit_web_form(session, "Anne\r\nBcc: x@y.z", "anne@x.be", None, None, "Question",
                        "A long enough question.", T0)
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_web_form_files_an_enquiry_through_the_pipeline(
        engine: Engine, session: Session, world: World) -> None:
    reference = submit_web_form(
        session, "Joost Vermeulen", "Joost.Vermeulen@bouwgroep-peeters.be", "04 222 33 44",
        "c100043", "Absence of delivery for SO-2026-000202",
        "Beste, de levering van onze bestelling is nog niet aangekomen. Kunt u ons "
        "laten weten wanneer die komt?", T0)
    with Session(engine) as s:
        enquiry = s.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        assert (enquiry.channel, enquiry.customer_id, enquiry.contact_id) == (
            "web", world.peeters, world.joost)
        assert (enquiry.order_id, enquiry.category, enquiry.language) == (
            world.order, "orders", "nl")
        inbound = s.scalars(select(InboundMessage)).one()
        assert (inbound.source, inbound.status) == ("web", "processed")
        assert b"X-Csol-Customer-Number: C100043" in inbound.raw
        assert b"X-Csol-Phone: +3242223344" in inbound.raw
        event = s.scalars(select(EnquiryEvent).where(EnquiryEvent.enquiry_id == enquiry.id,
                                                     EnquiryEvent.kind == "message_in")).one()
        assert "Customer number: C100043" in event.body


def test_web_form_customer_number_headers_are_not_trusted_in_mail(
        engine: Engine, world: World) -> None:
    forged = mail("Question", "Please call me.", sender="someone@mail.example",
                  extra="X-Csol-Source: web-form\r\nX-Csol-Customer-Number: C100042\r\n")
    enquiry = enquiry_of(engine, receive(engine, forged, "smtp", now=T0))
    assert (enquiry.channel, enquiry.customer_id) == ("email", None)
