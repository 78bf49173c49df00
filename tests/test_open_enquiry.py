"""Opening an enquiry about a document: validation, routing, SLA due times, references."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import customers, enquiries
from dashboard.services.enquiries import NewEnquiry
from dashboard.services.errors import ValidationError
from dashboard.services.users import UserInfo
from db.models import AuditLog, EnquiryEvent
from tests import factories as f

# Tuesday 24 November 2026, 16:00 in Brussels: one business hour left today.
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def world(session: Session) -> dict:
    billing = f.team(session, "Billing FR", categories=["invoices"], languages=["fr"])
    f.team(session, "Billing NL", categories=["invoices"], languages=["nl"])
    rep = f.user(session, "rep", team_id=billing.id)
    by = UserInfo(rep.id, "rep", "Rep", "rep@x", "rep", billing.id, "Billing FR")
    c = f.customer(session, "Van den Bossche NV", language="nl", segment="enterprise")
    contact = f.contact(session, c, language="nl", phone="+3292223344")
    inv = f.invoice(session, c)
    other = f.customer(session, "Other BV")
    foreign_invoice = f.invoice(session, other)
    f.sla_policy(session, "high", 60, 480)
    session.flush()
    return {"by": by, "c": c, "contact": contact, "inv": inv, "foreign": foreign_invoice}


def test_opens_routed_with_sla_due_times_and_history(session: Session, world: dict) -> None:
    enquiry = enquiries.open_enquiry(session=session, by=world["by"], now=NOW, new=NewEnquiry(
        customer_id=world["c"].id, subject="Copy of invoice", body="Asked for a copy by e-mail",
        category="invoices", priority="high", contact_id=world["contact"].id,
        verification="invoice_number", invoice_id=world["inv"].id))
    assert enquiry.reference == "ENQ-2026-000001"
    assert enquiry.status == "open" and enquiry.assignee_id == world["by"].id
    assert enquiry.language == "nl"
    assert enquiry.team_id != world["by"].team_id  # routed to the Dutch-speaking billing team
    local = ZoneInfo("Europe/Brussels")
    assert enquiry.first_response_due_at.astimezone(local) == datetime(2026, 11, 24, 17, 0,
                                                                       tzinfo=local)
    # 480 business minutes: 60 today, 420 tomorrow from 08:30.
    assert enquiry.resolution_due_at.astimezone(local) == datetime(2026, 11, 25, 15, 30,
                                                                   tzinfo=local)
    assert enquiry.first_response_at == NOW  # answered on the phone
    events = session.scalars(select(EnquiryEvent.kind)).all()
    assert events == ["call"]
    assert session.scalars(select(AuditLog.action)).all() == ["enquiry_opened"]
    second = enquiries.open_enquiry(session=session, by=world["by"], now=NOW, new=NewEnquiry(
        customer_id=world["c"].id, subject="Another question", body="x", category="other"))
    assert second.reference == "ENQ-2026-000002"


def test_resolved_on_the_call(session: Session, world: dict) -> None:
    enquiry = enquiries.open_enquiry(session=session, by=world["by"], now=NOW, new=NewEnquiry(
        customer_id=world["c"].id, subject="Due date?", body="Told the due date",
        category="invoices", resolved_on_first_contact=True))
    assert enquiry.status == "resolved" and enquiry.resolved_at == NOW
    assert enquiry.team_id is not None


def test_validation_says_what_is_wrong(session: Session, world: dict) -> None:
    with pytest.raises(ValidationError) as caught:
        enquiries.open_enquiry(session=session, by=world["by"], now=NOW, new=NewEnquiry(
            customer_id=world["c"].id, subject="x", body=" ", category="gossip",
            invoice_id=world["foreign"].id, verification="psychic"))
    text = " ".join(caught.value.problems)
    for expected in ("subject", "Note what the caller asked", "Choose a category",
                     "linked invoice is not this customer's", "how the caller was verified"):
        assert expected in text


def test_guess_category_and_disclosure(session: Session, world: dict) -> None:
    assert enquiries.CATEGORY_FOR_DOCUMENT["item"] == "inventory"
    assert "basic order status only" in customers.DISCLOSURE["guest"]
    assert "No money" in customers.DISCLOSURE["registered"]
    customers.record_caller(session=session, customer_id=world["c"].id,
                            contact_id=world["contact"].id, verification="callback",
                            by_user_id=world["by"].id, by_username="rep")
    with pytest.raises(ValueError, match="does not belong"):
        customers.record_caller(session=session, customer_id=world["c"].id + 1,
                                contact_id=world["contact"].id, verification="callback",
                                by_user_id=world["by"].id, by_username="rep")


def test_invoice_notifications_need_an_email(session: Session, world: dict) -> None:
    contact = world["contact"]
    with pytest.raises(ValueError, match="no e-mail address"):
        customers.set_invoice_notifications(session=session, contact_id=contact.id,
                                            enabled=True, by_user_id=world["by"].id,
                                            by_username="rep")
    contact.email = "jan@vdb.be"
    customers.set_invoice_notifications(session=session, contact_id=contact.id, enabled=True,
                                        by_user_id=world["by"].id, by_username="rep")
    assert contact.invoice_notifications
    assert "contact_invoice_notifications" in session.scalars(select(AuditLog.action)).all()
