"""An invoice or credit note as a PDF, in the customer's language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, format_percent
from fpdf.enums import XPos, YPos

from dashboard import vat
from dashboard.documents._pdf import (
    ACCENT,
    CONTENT,
    LINE,
    MARGIN,
    MUTED,
    RULE,
    TINT,
    WARN,
    WARN_FILL,
    Column,
    DocumentPdf,
    country_name,
    issued_at,
)
from dashboard.documents.labels import Labels, labels_for
from dashboard.formatting import day, money
from dashboard.services.invoices import InvoiceDetail
from dashboard.vendor import Vendor


def percent(rate_pct: int, locale: str) -> str:
    return format_percent(Decimal(rate_pct).scaleb(-2), locale=locale)


def invoice_pdf(detail: InvoiceDetail, vendor: Vendor) -> bytes:
    """The document as the customer receives it: A4, their language, "Page x of y".

    A credit note's amounts are stored negative; printed, they are positive: the title says
    which way the money goes, as on any credit note.
    """
    lb = labels_for(detail.bill_to.language)
    loc = lb.locale
    credit = detail.kind == "credit_note"
    title = lb.credit_note if credit else lb.invoice
    pdf = DocumentPdf(vendor=vendor, labels=lb, running_title=f"{title} {detail.number}")
    pdf.set_title(f"{title} {detail.number}")
    pdf.set_subject(detail.bill_to.name)
    pdf.set_creation_date(issued_at(detail.issue_date))
    pdf.add_page()

    subtitle = (lb.credits_invoice.format(number=detail.credited_invoice)
                if credit and detail.credited_invoice else "")
    pdf.letterhead(title, detail.number, subtitle)
    pdf.details_and_address(_details(detail, lb), detail.bill_to.name, [
        detail.bill_to.street, f"{detail.bill_to.postal_code} {detail.bill_to.city}".strip(),
        country_name(detail.bill_to.country, loc),
    ])
    if detail.is_disputed:
        pdf.note_box(lb.disputed, [
            lb.dispute_note,
            lb.dispute_reason.format(reason=detail.dispute_reason) if detail.dispute_reason
            else "",
        ], fill=WARN_FILL, edge=WARN)

    _lines(pdf, detail, lb)
    _totals(pdf, detail, lb)
    if detail.reverse_charged:  # the legal mention, with both VAT numbers on the page
        pdf.note_box(lb.vat_amount, [vat.mention(lb.language)], fill=TINT, edge=ACCENT)
    if detail.settlements:
        _settlements(pdf, detail, lb)
    if not credit and detail.credit_notes:
        pdf.small_print(lb.credited_by.format(numbers=", ".join(detail.credit_notes)))
        pdf.ln(2)
    if not credit:
        if detail.open_cents > 0:
            _payment_box(pdf, detail, vendor, lb)
        elif detail.total_cents > 0 and detail.open_cents == 0:
            pdf.ensure_space(10)
            pdf.style(9.5, bold=True, color=ACCENT)
            pdf.cell(CONTENT, 6, lb.paid_in_full, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(3)
    pdf.small_print(lb.questions_invoice.format(email=vendor.email, phone=vendor.phone,
                                                number=detail.number))
    return pdf.to_bytes()


def _details(detail: InvoiceDetail, lb: Labels) -> list[tuple[str, str]]:
    loc = lb.locale
    credit = detail.kind == "credit_note"
    rows = [(lb.credit_note_date if credit else lb.invoice_date, day(detail.issue_date, loc))]
    if not credit:
        rows.append((lb.due_date, day(detail.due_date, loc)))
    rows.append((lb.customer_number, detail.bill_to.customer_number))
    if detail.bill_to.vat_number:
        rows.append((lb.vat_number, detail.bill_to.vat_number))
    if detail.order_number:
        rows.append((lb.your_order, detail.order_number))
    if detail.contract_number:
        rows.append((lb.contract, detail.contract_number))
    return rows


def line_columns(lb: Labels) -> tuple[Column, ...]:
    """The line table (8 pt bold headings)."""
    return (
        Column("#", 8),
        Column(lb.description, 82, wrap=True),
        Column(lb.quantity, 16, "R"),
        Column(lb.unit_price, 26, "R"),
        Column(lb.vat_rate, 15, "R"),
        Column(lb.net, 27, "R"),
    )


def vat_columns(lb: Labels) -> tuple[Column, ...]:
    """The VAT breakdown (8 pt bold headings)."""
    return (Column(lb.vat_rate, 16, "R"), Column(lb.vat_base, 36, "R"),
            Column(lb.vat_amount, 26, "R"))


def _shown(detail: InvoiceDetail, cents: int, locale: str) -> str:
    """An amount of the document as printed: credit notes without their minus sign."""
    return money(-cents if detail.kind == "credit_note" else cents, locale)


def _lines(pdf: DocumentPdf, detail: InvoiceDetail, lb: Labels) -> None:
    loc = lb.locale
    columns = line_columns(lb)

    def header() -> None:
        pdf.table_header(columns)

    pdf.ensure_space(2 * LINE + 12)
    header()
    for ln in detail.lines:
        pdf.table_row(columns, (
            str(ln.line_no), ln.description, format_decimal(ln.quantity, locale=loc),
            _shown(detail, ln.unit_price_cents, loc), percent(ln.vat_rate_pct, loc),
            _shown(detail, ln.net_cents, loc),
        ), repeat_header=header)
    pdf.ln(5)


def _totals(pdf: DocumentPdf, detail: InvoiceDetail, lb: Labels) -> None:
    """VAT breakdown on the left, the totals on the right, kept together on one page."""
    loc = lb.locale
    credit = detail.kind == "credit_note"
    totals: list[tuple[str, str, bool]] = [
        (lb.total_net, _shown(detail, detail.net_cents, loc), False),
        (lb.total_vat, _shown(detail, detail.vat_cents, loc), False),
        (lb.total, _shown(detail, detail.total_cents, loc), True),
    ]
    if credit:
        totals += [(lb.credit_used, _shown(detail, detail.paid_cents, loc), False),
                   (lb.credit_remaining, _shown(detail, detail.open_cents, loc), True)]
    else:
        totals += [(lb.paid, money(detail.paid_cents, loc), False),
                   (lb.amount_due, money(detail.open_cents, loc), True)]
    breakdown = vat_columns(lb)
    height = max(len(totals) * 5.2 + 3, 6 + (len(detail.vat_groups) + 1) * (LINE + 1.6))
    pdf.ensure_space(height + 4)
    top = pdf.get_y()
    if detail.vat_groups:
        pdf.style(8, bold=True, color=MUTED)
        pdf.cell(78, 5, lb.vat_breakdown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.table_header(breakdown)
        for group in detail.vat_groups:
            pdf.table_row(breakdown, (percent(group.rate_pct, loc),
                                      _shown(detail, group.net_cents, loc),
                                      _shown(detail, group.vat_cents, loc)))
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    pdf.amounts(totals, x=MARGIN + CONTENT - 84, width=84, value_width=36)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _settlements(pdf: DocumentPdf, detail: InvoiceDetail, lb: Labels) -> None:
    loc = lb.locale
    # No header: date, what it was, its reference, the amount.
    columns = (Column("", 24), Column("", 34), Column("", 80), Column("", 36, "R"))
    pdf.ensure_space(6 + 2 * (LINE + 1.2))
    pdf.style(8, bold=True, color=MUTED)
    pdf.cell(CONTENT, 5, lb.settlements, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for s in detail.settlements:
        kind = lb.settlement_payment if s.source == "payment" else lb.settlement_credit_note
        pdf.table_row(columns, (day(s.on, loc), kind, s.reference, money(s.amount_cents, loc)))
    pdf.ln(5)


def _payment_box(pdf: DocumentPdf, detail: InvoiceDetail, vendor: Vendor, lb: Labels) -> None:
    """The structured reference, large, next to everything needed for the transfer."""
    loc = lb.locale
    height = 31.0
    pdf.ensure_space(height + 6)
    x, y = MARGIN, pdf.get_y()
    pdf.set_fill_color(*TINT)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.rect(x, y, CONTENT, height, style="DF")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)

    left = 92.0
    pdf.set_xy(x + 5, y + 4)
    pdf.style(9, bold=True, color=ACCENT)
    pdf.multi_cell(left - 8, 4.5, lb.pay_with_reference, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(x + 5)
    pdf.style(17, bold=True)
    pdf.cell(left - 8, 11, detail.structured_reference, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.style(8.5)
    pdf.multi_cell(left - 8, 4.2, lb.pay_by.format(amount=money(detail.open_cents, loc),
                                                   date=day(detail.due_date, loc)))

    rows = ((lb.amount_due, money(detail.open_cents, loc)),
            (lb.due_date, day(detail.due_date, loc)),
            (lb.beneficiary, vendor.name), ("IBAN", vendor.iban), ("BIC", vendor.bic))
    key_w, value_w = 30.0, CONTENT - left - 34
    pdf.set_xy(x + left, y + 5)
    for key, value in rows:
        pdf.style(8.5, color=MUTED)
        pdf.set_x(x + left)
        pdf.cell(key_w, 5, pdf.fit(key, key_w))
        pdf.style(9, bold=True)
        pdf.cell(value_w, 5, pdf.fit(value, value_w), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(MARGIN, y + height + 6)
