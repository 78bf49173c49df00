"""Disclosure is enforced when documents are sent, not only shown: by the caller's tier,
to contacts on file, and an address typed in only with a reason, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import invoices, routing
from dashboard.services.customers import UNKNOWN_CALLER, Caller
from dashboard.services.errors import ValidationError
from dashboard.services.users import UserInfo
from db.models import AuditLog, OutboundMessage
from tests import factories as f


@pytest.fixture
def account(session: Session) -> dict:
    rep = f.user(session, "rep", full_name="Sofie Peeters")
    cust = f.customer(session, "Brasserie Dupré & Fils", language="fr")
    anne = f.contact(session, cust, email="Anne.Dupre@dupre.be", portal_tier="entitled")
    luc = f.contact(session, cust, first_name="Luc", last_name="Martin",
                    email="luc@dupre.be", portal_tier="registered")
    other = f.customer(session, "Autre SA")
    f.contact(session, other, email="boss@autre.be", portal_tier="entitled")
    user = UserInfo(rep.id, rep.username, rep.full_name, rep.email, rep.role, None, None)
    return {"user": user, "cust": cust,
            "anne": Caller(anne.id, "Anne Dupré", "entitled", "invoice_number"),
            "luc": Caller(luc.id, "Luc Martin", "registered", "customer_number"),
            "anne_unverified": Caller(anne.id, "Anne Dupré", "guest", "none")}


def _send(session: Session, account: dict, caller: Caller, to: str, reason: str = "") -> int:
    return routing.send_document(
        session=session, kind="invoice", customer_id=account["cust"].id, to_address=to,
        subject="Facture INV-1", body="Bonjour,", filename="INV-1.pdf", pdf=b"%PDF-1.4",
        by=account["user"], caller=caller, reason=reason)


@pytest.mark.parametrize("caller, said", [
    ("unknown", "is not verified"), ("anne_unverified", "is not verified"),
    ("luc", "only at the request of an entitled contact"),
])
def test_no_document_for_a_caller_who_may_not_have_it(session: Session, account: dict,
                                                      caller: str, said: str) -> None:
    who = UNKNOWN_CALLER if caller == "unknown" else account[caller]
    with pytest.raises(ValidationError, match=said):
        _send(session, account, who, "anne.dupre@dupre.be")
    assert session.scalars(select(OutboundMessage)).all() == []


def test_a_contact_on_file_gets_it_and_it_is_audited(session: Session, account: dict) -> None:
    outbound = _send(session, account, account["anne"], "anne.dupre@DUPRE.be")
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "document_sent")).one()
    assert entry.entity_id == outbound and entry.after["caller_tier"] == "entitled"


def test_a_typed_address_needs_a_reason_and_is_audited_as_an_override(session: Session,
                                                                       account: dict) -> None:
    for address in ("accountant@fiduciaire.be", "boss@autre.be"):  # another customer's too
        with pytest.raises(ValidationError, match="not on file"):
            _send(session, account, account["anne"], address)
        with pytest.raises(ValidationError, match="not on file"):
            _send(session, account, account["anne"], address, reason="  ok ")
    with pytest.raises(ValidationError, match="not verified"):
        _send(session, account, UNKNOWN_CALLER, "accountant@fiduciaire.be",
              reason="The caller's accountant")
    _send(session, account, account["anne"], "accountant@fiduciaire.be",
          reason="Anne asks to send it to her accountant")
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "document_sent_to_typed_address")).one()
    assert entry.after["reason"] == "Anne asks to send it to her accountant"
    assert entry.after["to"] == "accountant@fiduciaire.be"
    assert entry.after["caller_contact_id"] == account["anne"].contact_id


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_a_disputed_invoice_is_sent_without_asking_for_payment(session: Session, account: dict,
                                                                 language: str) -> None:
    account["cust"].language = language
    inv = f.invoice(session, account["cust"], total_cents=605_00, is_disputed=True,
                    dispute_reason="Wrong quantity")
    detail = invoices.get_invoice(session=session, invoice_id=inv.id)
    assert detail is not None
    _, body = routing.invoice_email(detail, "Anne", "Sofie", "Vendor NV")
    asked = {"en": "Please pay", "nl": "Gelieve", "fr": "Merci de régler",
             "de": "Bitte überweisen"}[language]
    assert asked not in body and detail.structured_reference not in body
    assert routing.DISPUTED_LINE[language].strip() in body
    plain = f.invoice(session, account["cust"], total_cents=605_00)
    plain_detail = invoices.get_invoice(session=session, invoice_id=plain.id)
    assert plain_detail is not None
    assert asked in routing.invoice_email(plain_detail, "Anne", "Sofie", "Vendor NV")[1]
