"""The public pages, signed out, in English, French, Dutch and German: track an order (found,
not found alike for every mismatch, rate-limited and audited) and the online forms (each
subject's fields, validation in the visitor's language, the enquiry in the queue with its
document linked, the acknowledgement delivered, a trap field for scripts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.mail import sender
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Enquiry, InboundMessage, OrderEvent, OutboundMessage
from tests import factories as f
from tests.app_support import new_app, point_app_at
from tests.test_outbox import RecordingHandler, smtp_server

LANGUAGES = i18n.LANGUAGES


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    url = f"sqlite:///{tmp_path / 'public.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.team(s, "Billing", categories=["invoices", "orders", "inventory", "contracts", "other"],
               languages=["fr", "nl", "en", "de"])
        f.sla_policy(s)
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042",
                       postal_code="4000", vat_number="BE0403019261")
        order = f.order(s, c, order_number="SO-2026-000777", carrier="bpost",
                        tracking_number="323299999999", promised_date=date(2026, 12, 4),
                        status="in_transit", total_cents=999_00)
        for n, status in enumerate(("received", "confirmed", "shipped", "in_transit")):
            s.add(OrderEvent(order_id=order.id, status=status, note="",
                             occurred_at=datetime(2026, 11, 25, 9, tzinfo=UTC)
                             + timedelta(days=n)))
        invoice = f.invoice(s, c, number="INV-2026-000555")
        ids = {"invoice": invoice.id, "order": order.id}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    return {"url": url, **ids}


def public_page(page: str, language: str) -> AppTest:
    at = new_app()
    at.query_params["lang"] = language
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "text", "caption", "success", "warning", "error",
                                  "title", "subheader") for e in at.get(kind)
             if isinstance(getattr(e, "value", None), str)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def track(at: AppTest, number: str, proof: str) -> AppTest:
    at.text_input(key="track_order_number").input(number)
    at.text_input(key="track_proof").input(proof)
    at.button(key="FormSubmitter:track_form-" + at.button[0].label).click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_order_is_found_with_its_number_and_the_customer_number_or_postcode(
        world: dict, language: str) -> None:
    tr = i18n.translator(language)
    at = public_page("track", language)
    assert at.title[0].value == tr("Track an order")
    for proof in ("C100042", "4000"):
        shown = page_text(track(at, "so-2026-000777", proof))
        assert tr("Order {number}").format(number="SO-2026-000777") in shown
        assert tr("In transit") in shown and "04/12/2026" in shown
        assert "323299999999" in shown
        assert "999" not in shown.replace("323299999999", "")  # nothing financial
    assert tr("Phone {phone}, Monday to Friday 08:30–17:00 · Fax {fax} · E-mail {email}"
              ).split("{")[0] in page_text(at)


def test_every_mismatch_gets_the_same_not_found(world: dict) -> None:
    answers = set()
    for number, proof in (("SO-2026-000777", "C999999"), ("SO-2026-000778", "C100042"),
                          ("SO-2026-000777", "1000"), ("' OR 1=1 --", "C100042")):
        at = track(public_page("track", "nl"), number, proof)
        answers.add(tuple(w.value for w in at.warning))
        assert not at.metric
    assert answers == {(i18n.translator("nl")(
        "We could not find an order with these details. Check the order number and your "
        "customer number or postcode."),)}


def test_lookups_are_limited_per_client_and_audited(world: dict) -> None:
    at = public_page("track", "en")
    for _ in range(10):
        track(at, "SO-2026-000777", "C100042")
    track(at, "SO-2026-000777", "C100042")
    assert [e.value for e in at.error] == [
        "Too many lookups from your connection. Please wait a few minutes and try again."]
    with Session(make_engine(world["url"])) as s:
        actions = dict(s.execute(select(AuditLog.action, func.count()).group_by(AuditLog.action)
                                 .where(AuditLog.action.in_(("order_tracked",
                                                             "public_limit_reached")))).all())
    assert actions == {"order_tracked": 10, "public_limit_reached": 1}


def fill_form(at: AppTest, topic: str, **fields: str) -> AppTest:
    at.radio(key="public_topic").set_value(topic).run()
    for widget in [*at.text_input, *at.text_area]:
        if widget.label in fields:
            widget.input(fields[widget.label])
    send = [b for b in at.button if b.key and b.key.startswith("FormSubmitter:contact_form")]
    send[0].click().run()
    assert not at.exception
    return at


def test_validation_speaks_the_visitors_language(world: dict) -> None:
    tr = i18n.translator("de")
    at = fill_form(public_page("contact", "de"), "invoices",
                   **{tr("Your name"): "A", tr("E-mail"): "not-an-address",
                      tr("Invoice number"): "12"})
    said = at.error[0].value
    for problem in ("Enter a valid e-mail address, e.g. name@company.be.",
                    "Enter the invoice or credit note number, e.g. INV-2026-000123."):
        assert tr(problem).split(",")[0] in said.replace("\\", "")
    with Session(make_engine(world["url"])) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_lands_in_the_queue_linked_and_is_acknowledged(world: dict,
                                                              language: str) -> None:
    tr = i18n.translator(language)
    at = fill_form(public_page("contact", language), "invoices", **{
        tr("Your name"): "Anne Dupré", tr("E-mail"): "anne@dupre.be",
        tr("Customer number (optional)"): "C100042", tr("Invoice number"): "inv-2026-000555",
        tr("Subject"): "Copie de facture", tr("Your question"): "Pouvez-vous me renvoyer la "
        "facture, s'il vous plaît ? Merci."})
    assert at.success, page_text(at)
    engine = make_engine(world["url"])
    with Session(engine) as s:
        enquiry = s.scalars(select(Enquiry)).one()
        assert enquiry.channel == "web" and enquiry.category == "invoices"
        assert enquiry.reference in at.success[0].value
        assert enquiry.invoice_id == world["invoice"]
        ack = s.scalars(select(OutboundMessage)).one()
        assert ack.to_address == "anne@dupre.be" and f"[{enquiry.reference}]" in ack.subject
        assert ack.subject.startswith(tr("We received your question"))
    handler = RecordingHandler()
    with smtp_server(handler) as smtp:
        assert sender.deliver(engine=engine, smtp=smtp, now=datetime.now(UTC)).sent == 1
    body = handler.messages()[0].get_body(("plain",))
    assert body is not None and enquiry.reference in body.get_content()


def test_a_script_that_fills_the_trap_field_files_nothing(world: dict) -> None:
    at = fill_form(public_page("contact", "en"), "other", **{
        "Website": "http://spam.example", "Your name": "Bot", "E-mail": "bot@spam.example",
                              "Subject": "Cheap pills", "Your question": "Buy now, buy now!"})
    assert at.success  # told nothing different
    with Session(make_engine(world["url"])) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_the_catalogues_translate_every_message_the_pages_use() -> None:
    from babel.messages.extract import extract_from_file

    used = {msg for path in ("dashboard/ui/public.py", "dashboard/intake/webform.py",
                             "dashboard/app.py")
            for _, msg, _, _ in extract_from_file(
                "python", str(Path(__file__).resolve().parent.parent / path),
                keywords={"tr": None})}
    for language in ("fr", "nl", "de"):
        missing = sorted(used - set(i18n.catalogue(language)))
        assert missing == [], (language, missing)
