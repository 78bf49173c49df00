"""The customer page under AppTest: every tab renders with data, for each role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.ui.customer import TABS
from dashboard.ui.text import plain
from db import models
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Enquiry,
    InstalledItem,
    InvoiceLine,
    OrderEvent,
    OrderLine,
    OutboundMessage,
    Payment,
    PaymentAllocation,
)
from tests import factories as f
from tests.app_support import new_app, point_app_at, rendered, select_row, sign_in, titles

TODAY = datetime.now(UTC).date()


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'customer.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        for name, role in (("rep", "rep"), ("lead", "lead"), ("admin", "admin")):
            f.user(s, name, role=role)
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042",
                       vat_number="BE0403019261", language="fr")
        anne = f.contact(s, c, email="anne.dupre@dupre.be", portal_tier="entitled")
        f.contact(s, c, first_name="Luc", last_name="Martin", portal_tier="guest")
        hq, depot = f.site(s, c, "Siège"), f.site(s, c, "Dépôt Liège")
        prod = f.product(s, is_serialized=True, warranty_months=24)
        order = f.order(s, c, promised_date=TODAY - timedelta(days=2), carrier="bpost",
                        tracking_number="323299999999", total_cents=545_00)
        s.add(OrderLine(order_id=order.id, line_no=1, product_id=prod.id,
                        description="Rack server", quantity=1, unit_price_cents=450_00,
                        line_total_cents=450_00))
        s.add(OrderEvent(order_id=order.id, occurred_at=datetime.now(UTC) - timedelta(days=5),
                         status="received", note=""))
        invoice = f.invoice(s, c, 545_00, issue_date=TODAY - timedelta(days=40),
                            due_date=TODAY - timedelta(days=10), order_id=order.id,
                            einvoice_state="rejected", einvoice_reason="REF",
                            einvoice_note="Bestelbon **PO-77** ontbreekt",
                            einvoice_at=datetime.now(UTC) - timedelta(days=39))
        s.add(InvoiceLine(invoice_id=invoice.id, line_no=1, description="Rack server",
                          quantity=1, unit_price_cents=450_41, vat_rate_pct=21, net_cents=450_41,
                          vat_cents=94_59))
        paid = f.invoice(s, c, 121_00, open_cents=0, status="paid",
                         issue_date=TODAY - timedelta(days=70))
        payment = Payment(customer_id=c.id, received_on=TODAY - timedelta(days=50),
                          amount_cents=121_00, unallocated_cents=0, method="bank_transfer",
                          bank_reference="BANK-77")
        s.add(payment)
        s.flush()
        s.add(PaymentAllocation(invoice_id=paid.id, payment_id=payment.id, amount_cents=121_00,
                                allocated_on=TODAY - timedelta(days=50)))
        contract = f.contract(s, c, end_date=TODAY + timedelta(days=45), auto_renew=True)
        item = f.item(s, c, hq, prod, contract_id=contract.id, serial_number="SNX42AB19")
        f.item(s, c, depot, prod, warranty_end=TODAY - timedelta(days=3))
        f.sla_policy(s)
        f.enquiry(s, reference="ENQ-2026-000042", subject="Levering te laat", customer_id=c.id,
                  status="open", created_at=datetime.now(UTC) - timedelta(days=1))
        f.team(s, "Billing", categories=["invoices", "orders", "inventory", "contracts", "other"],
               languages=["fr", "nl", "en"])
        ids = {"customer": c.id, "invoice": invoice.id, "order": order.id, "item": item.id,
               "hq": hq.id, "depot": depot.id, "anne": anne.id}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    ids["url"] = url  # type: ignore[assignment]
    yield ids


def open_customer(at: AppTest, tab: str | None = None) -> AppTest:
    at.switch_page("../pages/customer.py")
    at.query_params["c"] = "C100042"
    at.run()
    if tab:
        at.session_state["customer_tab"] = tab
        at.run()
    return at


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(x.value) for x in at.metric] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [t.value for t in at.subheader]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("role", ["rep", "lead", "admin"])
def test_every_tab_renders_for_every_role(account: dict, role: str) -> None:
    at = open_customer(sign_in(new_app(), role))
    assert not at.exception
    assert "Brasserie Dupré & Fils" in titles(at)
    for tab in TABS:
        at.session_state["customer_tab"] = tab
        at.run()
        assert not at.exception, (tab, at.exception)


def test_header_shows_the_account_at_a_glance(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"))
    text = rendered(all_text(at))  # the header is escaped Markdown
    assert "C100042" in text and "BE 0403.019.261" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overdue"] == "545,00\xa0€"
    assert "1 installed item out of maintenance" in text
    assert "up for renewal" in text


def test_orders_tab_lists_late_order_with_tracking(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Orders & delivery")
    table = at.dataframe[0].value
    assert list(table["Late"]) == ["🔴 late"]
    assert list(table["Carrier"]) == ["bpost"]


def test_invoice_opened_from_search_shows_detail_and_pdf(account: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.text_input(key="today_search_query").input("INV-2026-" + "x")  # not a valid number
    number = _invoice_number(account)
    at.text_input(key="today_search_query").input(number)
    at.button(key="FormSubmitter:today_search_form-Search").click().run()
    assert not at.exception
    assert at.session_state["customer_tab"] == "Invoices & credit notes"
    text = all_text(at)
    assert f"Invoice {number}" in text and "+++" in text
    assert any(b.label == "Download PDF" for b in at.get("download_button"))
    # Did the e-invoice arrive? The rep reads the customer's rejection, their words as typed.
    rejected = [w.value for w in at.warning if "E-invoice (Peppol)" in w.value]
    assert rejected and "Rejected by the customer" in rejected[0]
    assert "References incorrect" in rejected[0]
    assert plain("Bestelbon **PO-77** ontbreekt") in rejected[0]  # as text, not bold
    assert any(b.label == "Download e-invoice (Peppol UBL)" for b in at.get("download_button"))


def _invoice_number(account: dict) -> str:
    engine = make_engine(account["url"])
    with Session(engine) as s:
        from db.models import Invoice

        number = s.scalar(select(Invoice.number).where(Invoice.id == account["invoice"]))
    engine.dispose()
    assert number
    return number


def test_caller_verification_sets_disclosure(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Invoices & credit notes")
    assert any("may not be told" in w.value for w in at.warning)
    at.selectbox(key=f"caller_contact_{account['customer']}").set_value(
        at.selectbox(key=f"caller_contact_{account['customer']}").options[1])
    at.selectbox(key=f"caller_method_{account['customer']}").set_value("invoice_number")
    at.button(key=f"FormSubmitter:caller_{account['customer']}-Confirm caller").click().run()
    assert not at.exception
    assert not any("may not be told" in w.value for w in at.warning)
    assert any("Entitled" in i.value for i in at.info)


def test_relocate_an_item_from_the_installed_base(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Installed base")
    select_row(at, "items_table", 1)
    at.run()
    assert not at.exception
    form_key = f"relocate_{account['item']}_1"
    boxes = [b for b in at.selectbox if b.label == "Move to site"]
    assert boxes, all_text(at)
    boxes[0].set_value(boxes[0].options[0])
    next(t for t in at.text_input if t.label == "Why" and t.form_id == form_key).input(
        "Moved to the Liège depot")
    at.button(key=f"FormSubmitter:{form_key}-Relocate").click().run()
    assert not at.exception
    engine = make_engine(account["url"])
    with Session(engine) as s:
        site = s.scalar(select(InstalledItem.site_id).where(InstalledItem.id == account["item"]))
    engine.dispose()
    assert site == account["depot"]


def test_open_an_enquiry_about_the_customer(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"))
    at.button(key="enquire_customer").click().run()
    assert not at.exception
    subject = next(t for t in at.text_input if t.label == "Subject")
    subject.input("Asks for a delivery date")
    next(t for t in at.text_area if t.label == "What the caller asked").input("When?")
    at.button(key="FormSubmitter:new_enquiry-Save enquiry").click().run()
    assert not at.exception
    engine = make_engine(account["url"])
    with Session(engine) as s:
        enquiry = s.scalars(select(Enquiry).where(Enquiry.reference != "ENQ-2026-000042")).one()
    engine.dispose()
    assert enquiry.subject == "Asks for a delivery date" and enquiry.customer_id == account[
        "customer"]


def confirm_caller(at: AppTest, account: dict, option: int = 1,
                   method: str = "invoice_number") -> None:
    box = at.selectbox(key=f"caller_contact_{account['customer']}")
    box.set_value(box.options[option])
    at.selectbox(key=f"caller_method_{account['customer']}").set_value(method)
    at.button(key=f"FormSubmitter:caller_{account['customer']}-Confirm caller").click().run()


def test_an_unverified_caller_cannot_have_an_invoice_sent(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Invoices & credit notes")
    select_row(at, "invoices_table", 0)
    at.run()
    key = f"invoice_{account['invoice']}"
    at.toggle(key=f"{key}_route").set_value(True).run()
    assert not at.exception
    assert any("is not verified" in rendered(w.value) for w in at.warning)
    assert at.button(key=f"FormSubmitter:{key}_route_form-Send").disabled
    assert at.text_input(key=f"{key}_to_other").disabled


def test_route_an_invoice_by_email_queues_it_with_the_pdf(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Invoices & credit notes")
    confirm_caller(at, account)
    select_row(at, "invoices_table", 0)
    at.run()
    key = f"invoice_{account['invoice']}"
    at.toggle(key=f"{key}_route").set_value(True).run()
    assert not at.exception
    at.button(key=f"FormSubmitter:{key}_route_form-Send").click().run()
    assert not at.exception
    engine = make_engine(account["url"])
    with Session(engine) as s:
        message = s.scalars(select(OutboundMessage)).one()
    engine.dispose()
    assert message.to_address == "anne.dupre@dupre.be"
    assert message.subject.startswith("Facture ")
    assert "communication structurée" in message.body_text


def test_statement_tab_shows_ageing(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Statement")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Total open"] == "545,00\xa0€"
    assert metrics["Overdue"] == "545,00\xa0€"
    ageing = next(d.value for d in at.dataframe if "1–30 days" in d.value.columns)
    assert {k: v.replace("\xa0", " ") for k, v in ageing.iloc[0].to_dict().items()} == {
        "Current": "0,00 €", "1–30 days": "545,00 €", "31–60 days": "0,00 €",
        "61–90 days": "0,00 €", "More than 90 days": "0,00 €"}
    assert len(at.get("plotly_chart")) == 2


def test_as_of_date_is_used(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Statement")
    at.date_input(key="statement_as_of").set_value(TODAY - timedelta(days=60)).run()
    metrics = {m.label: m.value for m in at.metric}
    # Sixty days ago the paid invoice was still open and the overdue one not yet issued.
    assert metrics["Total open"] == "121,00\xa0€"


@pytest.mark.parametrize("tab, table", [("Enquiries", "customer_enquiries"),
                                        ("Timeline", "timeline_table")])
def test_an_enquiry_listed_on_the_customer_page_opens(account: dict, tab: str,
                                                      table: str) -> None:
    at = open_customer(sign_in(new_app(), "rep"), tab)
    if tab == "Timeline":
        at.multiselect(key="timeline_kinds").set_value(["enquiry"]).run()
    at.session_state[f"{table}_0"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert "Levering te laat" in titles(at)


def test_a_timeline_document_opens_on_its_tab(account: dict) -> None:
    at = open_customer(sign_in(new_app(), "rep"), "Timeline")
    at.multiselect(key="timeline_kinds").set_value(["invoice"]).run()
    at.session_state["timeline_table_0"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert at.session_state["customer_tab"] == "Invoices & credit notes"
    assert any(rendered(s.value).startswith("Invoice ") for s in at.subheader), \
        [s.value for s in at.subheader]


def test_an_ambiguous_search_lists_its_matches_and_opens_the_one_chosen(account: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.text_input(key="today_search_query").input("dupre")
    at.button(key="FormSubmitter:today_search_form-Search").click().run()
    assert not at.exception
    assert "Today" in titles(at)                       # no jump into the first match
    choices = [b for b in at.button if str(b.key).startswith("today_match_")]
    assert len(choices) == 2, [b.label for b in at.button]
    assert any("Contact" in rendered(b.label) for b in choices)
    choices[0].click().run()
    assert not at.exception
    assert "Brasserie Dupré & Fils" in titles(at)


def test_an_exact_number_opens_at_once(account: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.text_input(key="today_search_query").input("C100042")
    at.button(key="FormSubmitter:today_search_form-Search").click().run()
    assert not at.exception
    assert "Brasserie Dupré & Fils" in titles(at)


RAW_CODES = {code for codes in (models.ORDER_STATUSES, models.INVOICE_STATUSES,
                                models.INVOICE_KINDS, models.CONTRACT_TYPES,
                                models.BILLING_FREQUENCIES, models.SERVICE_LEVELS,
                                models.CONTACT_ROLES, models.PORTAL_TIERS, models.ROLES,
                                models.CHANNELS, models.CATEGORIES, models.PRIORITIES,
                                models.ENQUIRY_STATUSES, models.SEGMENTS, models.LANGUAGES)
             for code in codes} | {"None", "nan", "NaT"}


@pytest.mark.parametrize("tab", TABS)
def test_no_raw_code_in_any_table_of_the_customer_page(account: dict, tab: str) -> None:
    at = open_customer(sign_in(new_app(), "rep"), tab)
    assert not at.exception
    cells = {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}
    cells |= {str(c) for frame in at.dataframe for c in frame.value.columns}
    assert not cells & RAW_CODES, (tab, sorted(cells & RAW_CODES))
