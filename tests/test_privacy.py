"""A contact's export and erasure, on SQLite and PostgreSQL: the export holds everything about
them; after a confirmed erasure nothing in the database finds or names them, the invoices are
as they were, and only a second administrator could confirm it, once."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.intake import pipeline
from dashboard.services import customers, enquiries, outbox, privacy, search, workflow
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.users import UserInfo
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Attachment,
    AuditLog,
    Base,
    Contact,
    Customer,
    DocumentNotification,
    Enquiry,
    EnquiryEvent,
    ErasureRequest,
    InboundMessage,
    Invoice,
    OutboundMessage,
    PortalAccount,
    PortalLink,
    PortalSession,
    User,
)
from tests import factories as f

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
EMAIL = "anne.verstraeten@dupre.be"
PHONE, MOBILE, FAX = "+3225551111", "+32475123456", "+3225552222"
TRACES = (EMAIL, PHONE, MOBILE, FAX, "Verstraeten", "verstraeten")


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.email, u.role, u.team_id, None)


def _mail(subject: str, body: str, message_id: str, sender: str = EMAIL,
          attachment: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Anne Verstraeten <{sender}>"
    msg["To"] = "support@csol.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}@dupre.be>"
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="pdf",
                           filename="scan-verstraeten.pdf")
    return msg.as_bytes()


@dataclass
class World:
    engine: Engine
    rep: UserInfo
    admin: UserInfo
    other_admin: UserInfo
    customer: int
    anne: int
    bob: int
    mailed: int  # the enquiry opened by her e-mail
    called: int  # the enquiry logged from her call
    reply: int  # a reply to her, still queued
    invoice_total: int
    open_total: int


@pytest.fixture
def world(engine: Engine) -> World:
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "contracts", "inventory",
                                                "other"], languages=["nl", "fr", "en", "de"])
        rep = f.user(s, "rep", team_id=team.id, full_name="Sofie Peeters")
        admin = f.user(s, "admin", role="admin", full_name="Claire Weber")
        other = f.user(s, "admin2", role="admin", full_name="Jan Maes")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100001",
                          email=EMAIL, phone=PHONE)
        anne = f.contact(s, cust, first_name="Anne", last_name="Verstraeten", email=EMAIL,
                         phone=PHONE, mobile=MOBILE, fax=FAX, invoice_notifications=True)
        bob = f.contact(s, cust, first_name="Bob", last_name="Claes", email="bob@dupre.be",
                        phone="+3225553333")
        f.invoice(s, cust, number="INV-2026-000001", total_cents=121_00)
        f.invoice(s, cust, number="INV-2026-000002", total_cents=605_00)
        f.sla_policy(s)
        ids = rep.id, admin.id, other.id, cust.id, anne.id, bob.id
        infos = _info(rep), _info(admin), _info(other)
    rep_info, admin_info, other_info = infos
    mailed = pipeline.receive(engine, _mail(
        "Invoice INV-2026-000001", "Dear team, Anne Verstraeten here, call me on 0475 12 34 56.",
        "m1", attachment=b"%PDF-1.4 her scan"), "smtp", now=NOW - timedelta(hours=3))
    assert mailed.enquiry_id is not None
    with Session(engine) as s, s.begin():
        assert s.get_one(Enquiry, mailed.enquiry_id).contact_id == ids[4]
        called = enquiries.open_enquiry(session=s, new=enquiries.NewEnquiry(
            customer_id=ids[3], subject="Anne Verstraeten asks for a copy",
            body="She called about her invoice.", category="invoices", contact_id=ids[4],
            caller_number=PHONE), by=rep_info, now=NOW - timedelta(hours=2))
        customers.record_caller(session=s, customer_id=ids[3], contact_id=ids[4],
                                verification="customer_number", by_user_id=rep_info.id,
                                by_username=rep_info.username)
        workflow.add_note(session=s, enquiry_id=called.id,
                          body="Anne Verstraeten prefers e-mail.", by=rep_info,
                          now=NOW - timedelta(hours=1))
        version = s.get_one(Enquiry, mailed.enquiry_id).version
        reply = workflow.reply(session=s, enquiry_id=mailed.enquiry_id, to_address=EMAIL,
                               subject="Your invoice", body="Dear Anne Verstraeten, attached.",
                               by=rep_info, expected_version=version, now=NOW)
        outbox.enqueue(session=s, kind="invoice", to_address=EMAIL, subject="Invoice",
                       body_text="Attached.", now=NOW)
        s.add(DocumentNotification(kind="invoice", contact_id=ids[4], customer_id=ids[3],
                                   document_key="INV-2026-000002"))
        account = PortalAccount(contact_id=ids[4], email=EMAIL, password_hash="$2b$12$x" * 7,
                                state="active", version=1)
        s.add(account)
        s.flush()
        s.add(PortalSession(id="portal-session-of-anne", account_id=account.id,
                            expires_at=NOW + timedelta(hours=8)))
        s.add(PortalLink(account_id=account.id, token_hash="a" * 64,
                         expires_at=NOW + timedelta(hours=24)))
        called_id = called.id
    with Session(engine) as s:
        totals = s.execute(select(func.sum(Invoice.total_cents),
                                  func.sum(Invoice.open_cents))).one()
    return World(engine, rep_info, admin_info, other_info, ids[3], ids[4], ids[5],
                 mailed.enquiry_id, called_id, reply, int(totals[0]), int(totals[1]))


def _erase(w: World) -> dict[str, int]:
    with Session(w.engine) as s, s.begin():
        request = privacy.request_erasure(session=s, contact_id=w.anne,
                                          reason="Her written request of 28/11/2026.",
                                          by=w.admin, now=NOW)
    with Session(w.engine) as s, s.begin():
        return privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                       by=w.other_admin, now=NOW + timedelta(minutes=5))


def _everything(s: Session) -> list[tuple[str, str]]:
    """Every row of every table as text: (table, row)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in s.execute(select(table)):
            cells = [c.decode("utf-8", "replace") if isinstance(c, bytes)
                     else json.dumps(c, ensure_ascii=False) if isinstance(c, dict | list)
                     else str(c) for c in row]
            found.append((table.name, " | ".join(cells)))
    return found


def test_the_export_holds_everything_about_the_contact(world: World) -> None:
    with Session(world.engine) as s, s.begin():
        data = privacy.export_contact(session=s, contact_id=world.anne, by=world.admin, now=NOW)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    found = json.loads(archive.read("contact.json"))
    [contact] = found["contacts"]
    assert (contact["first_name"], contact["last_name"], contact["email"], contact["mobile"],
            contact["portal_tier"]) == ("Anne", "Verstraeten", EMAIL, MOBILE, "entitled")
    assert contact["notification_subscriptions"]["invoice_notifications"] is True
    assert contact["customer"]["customer_number"] == "C100001"
    assert {e["id"] for e in found["enquiries"]} == {world.mailed, world.called}
    kinds = {e["kind"] for e in found["enquiry_events"]}
    assert {"message_in", "call", "note", "reply"} <= kinds
    assert any("prefers e-mail" in e["body"] for e in found["enquiry_events"])
    assert len(found["inbound_messages"]) == 1
    eml = found["inbound_messages"][0]["file"]
    assert eml in names and b"call me on 0475" in archive.read(eml)
    assert {m["to_address"] for m in found["outbound_messages"]} == {EMAIL}
    assert len(found["outbound_messages"]) == 2
    [scan] = found["attachments"]
    assert scan["filename"] == "scan-verstraeten.pdf"
    assert archive.read(scan["file"]) == b"%PDF-1.4 her scan"
    assert [n["document_key"] for n in found["document_notifications"]] == ["INV-2026-000002"]
    [portal] = found["portal_accounts"]
    assert (portal["email"], portal["state"], len(portal["sessions"])) == (EMAIL, "active", 1)
    assert "password_hash" not in portal and "$2b$" not in json.dumps(found)
    actions = {a["action"] for a in found["audit_log"]}
    assert {"caller_identified", "enquiry_note", "enquiry_received"} <= actions
    assert "Bob" not in json.dumps(found["contacts"])
    with Session(world.engine) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "contact_exported")).one()
        assert (row.user_id, row.entity_id) == (world.admin.id, world.anne)


def test_an_erasure_leaves_no_trace_and_keeps_the_invoices(world: World) -> None:
    erased = _erase(world)
    assert erased["contacts"] == 1 and erased["attachments"] == 1
    assert erased["portal_accounts"] == 1
    assert erased["enquiries"] == 2 and erased["inbound_messages"] == 1
    with Session(world.engine) as s:
        leftovers = [(t, row) for t, row in _everything(s)
                     if any(trace in row for trace in TRACES)]
        assert leftovers == []
        # Search by the old e-mail, numbers and name finds nothing of her.
        for query in (EMAIL, PHONE, "0475 12 34 56", "+32 2 555 22 22", "Verstraeten",
                      "Anne Verstraeten", "verstraeten anne", "anne.verst"):
            assert search.search(session=s, query=query) == [], query
        assert [h.document_id for h in search.search(session=s, query="@dupre.be")] == [
            world.bob]
        assert privacy.find_contacts(session=s, query="Verstraeten") == []
        contact = s.get_one(Contact, world.anne)
        assert (contact.name_search, contact.email_domain, contact.email, contact.phone) == (
            "", None, None, None)
        assert not contact.invoice_notifications and not contact.is_active
        # The other contact is untouched.
        bob = s.get_one(Contact, world.bob)
        assert (bob.first_name, bob.email, bob.name_search) == ("Bob", "bob@dupre.be",
                                                                 "claes bob")
        # Invoices intact; the customer is still the legal counterparty.
        totals = s.execute(select(func.sum(Invoice.total_cents),
                                  func.sum(Invoice.open_cents))).one()
        assert (totals[0], totals[1]) == (world.invoice_total, world.open_total)
        assert s.scalar(select(func.count()).select_from(Invoice)) == 2
        customer = s.get_one(Customer, world.customer)
        assert (customer.name, customer.email, customer.phone) == (
            "Brasserie Dupré & Fils", None, None)
        # Enquiries stay, their text erased, with a note when and by whom.
        for enquiry_id in (world.mailed, world.called):
            enquiry = s.get_one(Enquiry, enquiry_id)
            assert (enquiry.subject, enquiry.from_address) == (privacy.ERASED, None)
            notes = [e.body for e in s.scalars(select(EnquiryEvent).where(
                EnquiryEvent.enquiry_id == enquiry_id, EnquiryEvent.kind == "note"))]
            assert any("erased" in n and "Claire Weber" in n and "Jan Maes" in n
                       for n in notes), notes
        # Mail not sent yet is never sent; the raw message and attachment are gone.
        statuses = set(s.scalars(select(OutboundMessage.status)))
        assert statuses == {"cancelled"}
        inbound = s.scalars(select(InboundMessage)).one()
        assert inbound.raw == b"" and inbound.message_id is None
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
        assert s.scalar(select(func.count()).select_from(DocumentNotification)) == 0
        for portal_table in (PortalAccount, PortalSession, PortalLink):
            assert s.scalar(select(func.count()).select_from(portal_table)) == 0
    # A new mail from the old address is not matched to her (nor to the customer).
    fresh = pipeline.receive(world.engine, _mail("Hello again", "A new question.", "m2"),
                             "smtp", now=NOW + timedelta(hours=1))
    with Session(world.engine) as s:
        enquiry = s.get_one(Enquiry, fresh.enquiry_id)
        assert (enquiry.contact_id, enquiry.customer_id) == (None, None)


def test_the_requester_cannot_confirm_and_nothing_is_erased(world: World) -> None:
    with Session(world.engine) as s, s.begin():
        request = privacy.request_erasure(session=s, contact_id=world.anne,
                                          reason="Her written request of 28/11/2026.",
                                          by=world.admin, now=NOW)
    with Session(world.engine) as s, s.begin(), pytest.raises(ValidationError,
                                                               match="another administrator"):
        privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                by=world.admin, now=NOW)
    with Session(world.engine) as s:
        assert s.get_one(Contact, world.anne).email == EMAIL
        assert s.get_one(ErasureRequest, request).status == "pending"
    with Session(world.engine) as s, s.begin(), pytest.raises(ValidationError,
                                                               match="administrator"):
        privacy.request_erasure(session=s, contact_id=world.bob, reason="Asked by phone today.",
                                by=world.rep, now=NOW)


def test_a_stale_or_second_confirmation_is_refused(world: World) -> None:
    with Session(world.engine) as s, s.begin():
        request = privacy.request_erasure(session=s, contact_id=world.anne,
                                          reason="Her written request of 28/11/2026.",
                                          by=world.admin, now=NOW)
    with Session(world.engine) as s, s.begin(), pytest.raises(ValidationError,
                                                               match="already waiting"):
        privacy.request_erasure(session=s, contact_id=world.anne,
                                reason="Asked again by telephone.", by=world.other_admin,
                                now=NOW)
    with Session(world.engine) as s, s.begin():
        privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                by=world.other_admin, now=NOW)
    with Session(world.engine) as s, s.begin(), pytest.raises(StaleEditError,
                                                               match="already confirmed by Jan"):
        privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                by=world.other_admin, now=NOW)
    with Session(world.engine) as s, s.begin(), pytest.raises(ValidationError,
                                                               match="already erased"):
        privacy.request_erasure(session=s, contact_id=world.anne,
                                reason="Asked again by telephone.", by=world.admin, now=NOW)
    with Session(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)
                        .where(AuditLog.action == "contact_erased")) == 1


def test_a_withdrawn_request_cannot_be_confirmed_from_an_old_page(world: World) -> None:
    with Session(world.engine) as s, s.begin():
        request = privacy.request_erasure(session=s, contact_id=world.bob,
                                          reason="Asked by phone on 30/11.", by=world.admin,
                                          now=NOW)
    with Session(world.engine) as s, s.begin():
        privacy.withdraw_erasure(session=s, request_id=request, expected_version=1,
                                 by=world.admin, now=NOW)
    with Session(world.engine) as s, s.begin(), pytest.raises(StaleEditError,
                                                               match="withdrawn by Claire"):
        privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                by=world.other_admin, now=NOW)
    with Session(world.engine) as s:
        assert s.get_one(Contact, world.bob).email == "bob@dupre.be"
        assert s.scalars(select(AuditLog.user_id).where(
            AuditLog.action == "erasure_withdrawn")).all() == [world.admin.id]
        # Withdrawn, a new request may be made.
        assert privacy.requests(session=s, status="withdrawn")[0].id == request
    with Session(world.engine) as s, s.begin():
        assert privacy.request_erasure(session=s, contact_id=world.bob,
                                       reason="Asked again in writing.", by=world.other_admin,
                                       now=NOW) != request


def test_the_audit_trail_says_who_asked_and_who_confirmed(world: World) -> None:
    _erase(world)
    with Session(world.engine) as s:
        rows = {a.action: a for a in s.scalars(select(AuditLog).where(AuditLog.action.in_(
            ("erasure_requested", "contact_erased"))))}
        assert rows["erasure_requested"].user_id == world.admin.id
        assert rows["contact_erased"].user_id == world.other_admin.id
        assert rows["contact_erased"].entity_id == world.anne
        after: dict[str, Any] = rows["contact_erased"].after or {}
        assert after["requested_by"] == "Claire Weber" and after["erased"]["contacts"] == 1
        request = s.scalars(select(ErasureRequest)).one()
        assert (request.status, request.decided_by_id, request.version) == (
            "erased", world.other_admin.id, 2)


def test_holdings_and_short_reasons(world: World) -> None:
    with Session(world.engine) as s:
        held = {h.key: h.count for h in privacy.holdings(session=s, contact_id=world.anne)}
        assert held["enquiries"] == 2 and held["outbound_messages"] == 2
        assert held["attachments"] == 1 and held["document_notifications"] == 1
        assert [c.id for c in privacy.find_contacts(session=s, query=EMAIL)] == [world.anne]
        assert [c.id for c in privacy.find_contacts(session=s, query="0475 12 34 56")] == [
            world.anne]
        assert {c.id for c in privacy.find_contacts(session=s, query="c100001")} == {
            world.anne, world.bob}
    with Session(world.engine) as s, s.begin(), pytest.raises(ValidationError,
                                                               match="at least"):
        privacy.request_erasure(session=s, contact_id=world.anne, reason="  asked ",
                                by=world.admin, now=NOW)


def test_scrub_keeps_codes_and_takes_out_the_person() -> None:
    cleaned = privacy.scrub({"from": "new", "to": "open", "subject": "Hi",
                             "detail": ["Call Anne Verstraeten", 3],
                             "address": None, "sender": "+32475123456"},
                            ["Anne Verstraeten"])
    assert cleaned == {"from": "new", "to": "open", "subject": "[erased]",
                       "detail": ["Call [erased]", 3], "address": None, "sender": "[erased]"}
    assert privacy.scrub({"from": "anne@x.be"}, []) == {"from": "[erased]"}


def test_the_command_line_exports_and_erases_with_two_administrators(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "admin", role="admin")
        f.user(s, "admin2", role="admin")
        f.user(s, "rep")
        anne = f.contact(s, f.customer(s, customer_number="C100001"), first_name="Anne",
                         last_name="Verstraeten", email=EMAIL).id
    run = ["--database-url", url, "privacy"]
    out = tmp_path / "anne.zip"
    assert main([*run, "export", str(anne), str(out), "--by", "rep"]) == 2
    assert main([*run, "export", str(anne), str(out), "--by", "admin"]) == 0
    assert json.loads(zipfile.ZipFile(out).read("contact.json"))["contacts"][0]["email"] == EMAIL
    assert main([*run, "erase", str(anne), "--by", "admin", "--reason", "short"]) == 2
    assert main([*run, "erase", str(anne), "--by", "admin", "--reason",
                 "Her letter of 28/11/2026."]) == 0
    with Session(engine) as s:
        request = s.scalars(select(ErasureRequest.id)).one()
    assert main([*run, "pending"]) == 0
    assert main([*run, "confirm", str(request), "--by", "admin", "--yes"]) == 2
    assert main([*run, "confirm", str(request), "--by", "admin2"]) == 1  # shows, erases nothing
    with Session(engine) as s:
        assert s.get_one(Contact, anne).email == EMAIL
    assert main([*run, "confirm", str(request), "--by", "admin2", "--yes"]) == 0
    said = capsys.readouterr()
    assert "another administrator must confirm it" in said.err
    assert "Run again with --yes" in said.out and "Erased." in said.out
    with Session(engine) as s:
        assert s.get_one(Contact, anne).email is None
    engine.dispose()


def test_two_confirmations_at_once_erase_once(world: World, engine: Engine) -> None:
    """Two other administrators confirm at the same moment: the second waits for the first
    and is refused. (PostgreSQL: SQLite lets one writer in at a time anyway.)"""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL")
    with Session(engine) as s, s.begin():
        third = _info(f.user(s, "admin3", role="admin", full_name="Lena Schmit"))
        request = privacy.request_erasure(session=s, contact_id=world.anne,
                                          reason="Her written request of 28/11/2026.",
                                          by=world.admin, now=NOW)
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with Session(engine) as s, s.begin():
                privacy.confirm_erasure(session=s, request_id=request, expected_version=1,
                                        by=third, now=NOW)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)
        else:
            outcome.append(None)

    with Session(engine) as first, first.begin():
        privacy.confirm_erasure(session=first, request_id=request, expected_version=1,
                                by=world.other_admin, now=NOW)
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.5)  # the second is now waiting on the request's row
        assert worker.is_alive()
    worker.join(timeout=30)
    [refused] = outcome
    assert isinstance(refused, StaleEditError) and "already confirmed by Jan Maes" in str(refused)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)
                        .where(AuditLog.action == "contact_erased")) == 1
        assert s.scalar(select(func.count()).select_from(EnquiryEvent).where(
            EnquiryEvent.body.like("Personal data of the contact erased%"))) == 2


def test_a_number_other_contacts_share_is_cleared_on_the_contact_only(world: World) -> None:
    """A company fax on two contacts is not the person's alone: the other contact keeps it,
    and what came from it for the other contact stays."""
    with Session(world.engine) as s, s.begin():
        s.get_one(Contact, world.bob).fax = FAX
        theirs = f.enquiry(s, customer_id=world.customer, contact_id=world.bob, channel="fax",
                           from_address=FAX, subject="Fax from the office").id
    with Session(world.engine) as s:
        assert privacy.shared_details(session=s, contact_id=world.anne) == [FAX]
    _erase(world)
    with Session(world.engine) as s:
        assert s.get_one(Contact, world.anne).fax is None
        assert s.get_one(Contact, world.bob).fax == FAX
        kept = s.get_one(Enquiry, theirs)
        assert (kept.subject, kept.from_address) == ("Fax from the office", FAX)
        assert s.get_one(Enquiry, world.called).subject == privacy.ERASED


def test_the_database_holds_one_open_request_per_contact(world: World) -> None:
    """Two requests made at the same moment both pass the service's check; the partial
    unique index refuses the second (and the service says it in words)."""
    from sqlalchemy.exc import IntegrityError

    with Session(world.engine) as s, s.begin():
        s.add(ErasureRequest(contact_id=world.anne, customer_id=world.customer,
                             reason="First request.", status="pending", requested_at=NOW))
    with Session(world.engine) as s, pytest.raises(IntegrityError), s.begin():
        s.add(ErasureRequest(contact_id=world.anne, customer_id=world.customer,
                             reason="Second request.", status="pending", requested_at=NOW))
    with Session(world.engine) as s, s.begin():  # withdrawn ones do not count
        s.add(ErasureRequest(contact_id=world.bob, customer_id=world.customer,
                             reason="Withdrawn.", status="withdrawn", requested_at=NOW))
        s.add(ErasureRequest(contact_id=world.bob, customer_id=world.customer,
                             reason="Withdrawn too.", status="withdrawn", requested_at=NOW))
