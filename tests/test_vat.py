"""VAT by place of supply: the rule, and the seed and documents that follow it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard import vat
from dashboard.documents import invoice_pdf, statement_pdf, statement_xlsx
from dashboard.services.invoices import get_invoice
from dashboard.services.statement import statement
from dashboard.vendor import DEMO_VENDOR
from db import models as m
from seed import generate

TODAY = date(2026, 3, 18)
LU_VALID = "LU15027442"   # checksum-valid Luxembourg number
BE_VALID = "BE0403019261"


def test_belgian_customer_pays_belgian_vat() -> None:
    assert vat.treatment(customer_country="BE", customer_vat_number=BE_VALID) == vat.Treatment(
        21, "S")
    assert vat.treatment(customer_country="BE", customer_vat_number=None,
                         reduced=True) == vat.Treatment(6, "AA")


def test_eu_customer_with_a_valid_number_is_reverse_charged() -> None:
    t = vat.treatment(customer_country="LU", customer_vat_number="LU 1502 7442", reduced=True)
    assert (t.rate_pct, t.category, t.reverse_charge) == (0, "AE", True)
    assert vat.treatment(customer_country="DE",
                         customer_vat_number="DE136695976").reverse_charge


@pytest.mark.parametrize("number", [None, "", "LU15027443", "BE0403019261", "LUxx"])
def test_eu_customer_without_a_valid_number_pays_belgian_vat(number: str | None) -> None:
    t = vat.treatment(customer_country="LU", customer_vat_number=number)
    assert (t.rate_pct, t.category) == (21, "S")
    assert "Belgian VAT is charged" in t.note


def test_customers_outside_the_eu_are_not_guessed() -> None:
    with pytest.raises(vat.OutsideEuError):
        vat.treatment(customer_country="CH", customer_vat_number="CHE-116.281.710")


def test_the_mention_speaks_the_document_language() -> None:
    assert vat.mention("fr").startswith("Autoliquidation")
    assert vat.mention("nl").startswith("Verlegging van heffing")
    assert vat.mention("en").startswith("Reverse charge")
    assert vat.mention("de").startswith("Steuerschuldnerschaft des Leistungsempfängers")
    assert all("196" in vat.mention(lang) for lang in ("fr", "nl", "en", "de"))


def test_vat_rounds_half_away_from_zero() -> None:
    assert vat.vat_of(250, 21) == 53 and vat.vat_of(-250, 21) == -53
    assert vat.vat_of(1_000, 0) == 0


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    generate.seed_database(engine, size="demo", today=TODAY)
    return engine


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_seed_documents_follow_the_rule(seeded: Engine) -> None:
    with Session(seeded) as s:
        rows = s.execute(
            select(m.Customer.id.label("customer_id"), m.Customer.country, m.Customer.vat_number,
                   m.InvoiceLine.vat_rate_pct, m.InvoiceLine.vat_category, m.Invoice.id)
            .join(m.Invoice, m.Invoice.customer_id == m.Customer.id)
            .join(m.InvoiceLine, m.InvoiceLine.invoice_id == m.Invoice.id)).all()
        assert {r.country for r in rows} == {"BE", "LU"}
        for r in rows:
            expected = {t.category for t in (
                vat.treatment(customer_country=r.country, customer_vat_number=r.vat_number),
                vat.treatment(customer_country=r.country, customer_vat_number=r.vat_number,
                              reduced=True))}
            assert r.vat_category in expected, r
            assert r.vat_rate_pct != 17 and r.vat_rate_pct != 3
        reverse = [r for r in rows if r.vat_category == "AE"]
        assert reverse and all(r.country == "LU" and r.vat_rate_pct == 0 for r in reverse)
        invoice_id = reverse[0][5]
        detail = get_invoice(session=s, invoice_id=invoice_id)
        assert detail is not None and detail.reverse_charged and detail.vat_cents == 0
        language = detail.bill_to.language
        assert vat.mention(language) in _pdf_text(invoice_pdf(detail, DEMO_VENDOR)).replace(
            "\n", " ")
        stmt = statement(session=s, customer_id=reverse[0].customer_id, as_of=TODAY)
        assert stmt is not None
        assert vat.mention(language) in _pdf_text(statement_pdf(stmt, DEMO_VENDOR)).replace(
            "\n", " ")
        assert vat.mention(language).encode() in _unzipped(statement_xlsx(stmt))
        belgian = next(r for r in rows if r.country == "BE")
        detail = get_invoice(session=s, invoice_id=belgian[5])
        assert detail is not None and not detail.reverse_charged
        assert vat.mention(detail.bill_to.language) not in _pdf_text(
            invoice_pdf(detail, DEMO_VENDOR))


def _unzipped(data: bytes) -> bytes:
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist())
