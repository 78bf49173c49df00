"""Customer documents in one language: line descriptions, credit-note lines and dispute
reasons follow the customer's language; the statement PDF never leaves one row alone."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.documents import invoice_pdf, statement_pdf
from dashboard.documents.labels import labels_for
from dashboard.documents.samples import sample_statement
from dashboard.documents.statement_pdf import rows_per_page
from dashboard.services.invoices import get_invoice
from dashboard.vendor import DEMO_VENDOR
from db import models as m
from seed import generate
from seed.catalogue import PRODUCTS, product_name
from seed.phrases import CONTRACT_LINE, CREDIT_LINE, DISPUTE_REASONS

TODAY = date(2026, 3, 18)
BY_ID = {p.id: p for p in PRODUCTS}


def pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_seeded_documents_speak_the_customers_language(engine: Engine) -> None:
    generate.seed_database(engine, size="demo", today=TODAY)
    with Session(engine) as s:
        rows = s.execute(
            select(m.Customer.language, m.Invoice.id, m.Invoice.kind, m.InvoiceLine.product_id,
                   m.InvoiceLine.description, m.Invoice.contract_id)
            .join(m.Invoice, m.Invoice.customer_id == m.Customer.id)
            .join(m.InvoiceLine, m.InvoiceLine.invoice_id == m.Invoice.id)).all()
        languages = {r.language for r in rows}
        assert languages == {"nl", "fr", "de", "en"}
        for r in rows:
            if r.kind == "credit_note":
                head = CREDIT_LINE[r.language].split("{number}")[0].split("}", 1)[1]
                assert head in r.description, r
            elif r.product_id is not None:
                assert r.description == product_name(BY_ID[r.product_id], r.language), r
            elif r.contract_id is not None:
                assert any(r.description.startswith(labels[r.language])
                           for labels in CONTRACT_LINE.values()), r
        # A translated product name, not the English one, on a Dutch invoice's PDF.
        dutch = next(r for r in rows if r.language == "nl" and r.kind == "invoice"
                     and r.product_id and BY_ID[r.product_id].name != r.description)
        detail = get_invoice(session=s, invoice_id=dutch.id)
        assert detail is not None
        text = " ".join(pages(invoice_pdf(detail, DEMO_VENDOR)))
        assert dutch.description in text and BY_ID[dutch.product_id].name not in text
        for language, reason in s.execute(
                select(m.Customer.language, m.Invoice.dispute_reason)
                .join(m.Invoice, m.Invoice.customer_id == m.Customer.id)
                .where(m.Invoice.dispute_reason.is_not(None))):
            assert reason in DISPUTE_REASONS[language]


@pytest.mark.parametrize("language", ["fr", "nl", "de", "en"])
def test_statement_pages_never_hold_one_orphan_row(language: str) -> None:
    total_label = labels_for(language).total_due
    for count in range(1, 70):
        stmt = sample_statement(language, items=count)
        texts = pages(statement_pdf(stmt, DEMO_VENDOR))
        rows = [sum(1 for item in stmt.items if item.number in text) for text in texts]
        assert sum(rows) == count
        if count > 1:
            assert 1 not in rows, (count, rows)
        last = max(i for i, n in enumerate(rows) if n)
        assert total_label in texts[last], (count, rows)  # the total stays with its rows
        assert all(n == 0 for n in rows[last + 1:])


def test_page_plan_keeps_rows_in_pairs() -> None:
    for first in (0, 5, 11, 30, 100):
        for count in range(1, 80):
            plan = rows_per_page(first, 60, count)
            assert sum(plan) == count
            shown = [n for n in plan if n]
            assert count == 1 or 1 not in shown, (first, count, plan)
