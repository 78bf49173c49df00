"""A statement of account as a PDF, in the customer's language."""

from __future__ import annotations

from babel.numbers import format_decimal
from fpdf.enums import XPos, YPos

from dashboard import vat
from dashboard.documents._pdf import (
    ACCENT,
    BODY_BOTTOM,
    CONTENT,
    CONTINUED_TOP,
    FILL,
    INK,
    LINE,
    MARGIN,
    MUTED,
    TINT,
    Column,
    DocumentPdf,
    country_name,
    issued_at,
)
from dashboard.documents.labels import Labels, labels_for
from dashboard.formatting import day, money
from dashboard.services.statement import BUCKETS, Statement, StatementItem
from dashboard.vendor import Vendor


def statement_pdf(statement: Statement, vendor: Vendor) -> bytes:
    """Ageing summary first, then every open item with the running balance, then how to pay."""
    bill_to = statement.bill_to
    lb = labels_for(bill_to.language)
    loc = lb.locale
    as_of = day(statement.as_of, loc)
    pdf = DocumentPdf(vendor=vendor, labels=lb,
                      running_title=f"{lb.statement} {bill_to.customer_number} · {as_of}")
    pdf.set_title(f"{lb.statement} {bill_to.customer_number} {as_of}")
    pdf.set_subject(bill_to.name)
    pdf.set_creation_date(issued_at(statement.as_of))
    pdf.add_page()

    pdf.letterhead(lb.statement, as_of)
    details = [(lb.statement_date, as_of), (lb.customer_number, bill_to.customer_number)]
    if bill_to.vat_number:
        details.append((lb.vat_number, bill_to.vat_number))
    pdf.details_and_address(details, bill_to.name, [
        bill_to.street, f"{bill_to.postal_code} {bill_to.city}".strip(),
        country_name(bill_to.country, loc),
    ])
    note = vat_note(statement, lb.language)
    if note:
        pdf.small_print(note)
        pdf.ln(3)
    _ageing(pdf, statement, lb)
    _items(pdf, statement, lb)
    if statement.total_cents > 0:
        pdf.note_box(lb.how_to_pay, [lb.how_to_pay_text.format(
            beneficiary=vendor.name, iban=vendor.iban, bic=vendor.bic)], fill=TINT, edge=ACCENT)
    pdf.small_print(lb.questions_statement.format(email=vendor.email, phone=vendor.phone,
                                                  customer=bill_to.customer_number))
    return pdf.to_bytes()


def vat_note(statement: Statement, language: str) -> str:
    """The reverse-charge mention when this customer's invoices are reverse-charged."""
    bill_to = statement.bill_to
    try:
        treatment = vat.treatment(customer_country=bill_to.country,
                                  customer_vat_number=bill_to.vat_number)
    except vat.OutsideEuError:
        return ""
    return vat.mention(language) if treatment.reverse_charge else ""


def _ageing(pdf: DocumentPdf, statement: Statement, lb: Labels) -> None:
    """One band: each ageing bucket, then the total due; the overdue part underneath."""
    loc = lb.locale
    pdf.section_title(lb.ageing)
    width = CONTENT / (len(BUCKETS) + 1)
    x, y = MARGIN, pdf.get_y()
    pdf.set_fill_color(*FILL)
    pdf.rect(x, y, CONTENT, 14, style="F")
    pdf.set_fill_color(*TINT)
    pdf.rect(x + width * len(BUCKETS), y, width, 14, style="F")
    for i, key in enumerate((*BUCKETS, "total")):
        label = lb.total_due if key == "total" else lb.bucket(key)
        amount = statement.total_cents if key == "total" else statement.ageing.get(key, 0)
        pdf.set_xy(x + i * width, y + 1.5)
        pdf.style(7.5, color=MUTED)
        pdf.cell(width, 4.5, pdf.fit(label, width), align="R")
        pdf.set_xy(x + i * width, y + 6.5)
        pdf.style(9.5, bold=True, color=ACCENT if key == "total" else INK)
        [text], size = pdf.shrink_to_fit(money(amount, loc), width, 9.5)
        pdf.set_font_size(size)
        pdf.cell(width, 5.5, text, align="R")
    pdf.set_xy(MARGIN, y + 15)
    if statement.overdue_cents:
        pdf.style(8, color=MUTED)
        overdue = money(statement.overdue_cents, loc)
        pdf.cell(CONTENT, 5, f"{lb.of_which_overdue}{lb.colon} {overdue}",
                 align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def item_columns(lb: Labels) -> tuple[Column, ...]:
    """The open-items table; headings wrap between words (7.5 pt bold), never inside one."""
    return (
        Column(lb.date, 16), Column(lb.document, 29), Column(lb.due_short, 16),
        Column(lb.days_past_due, 14.5, "R"), Column(lb.reference, 31),
        Column(lb.original, 22.5, "R"), Column(lb.open, 22.5, "R"),
        Column(lb.running_balance, 22.5, "R"),
    )


ROW_HEIGHT = LINE + 1.2    # an item row: one line, never wrapped (see DocumentPdf.table_row)
TOTAL_HEIGHT = 1 + LINE + 1.2
_SLACK = 1e-6  # rounding of the running y position: plan one row short rather than over


def rows_per_page(first_room: float, page_room: float, count: int) -> list[int]:
    """How many item rows go on each page so that no page holds a single orphan row and
    the total never stands alone: a page break leaves at least two rows on either side,
    and the last page carries at least two rows with the total (unless there is only one).
    ``first_room``: height left under the header on the first page; ``page_room``: on a
    continuation page."""
    pages: list[int] = []
    room, left = first_room, count
    while left:
        fits = max(int((room - _SLACK) // ROW_HEIGHT), 0)
        if fits >= left:
            if room - left * ROW_HEIGHT < TOTAL_HEIGHT + _SLACK:  # the total would go over alone
                fits = left - 2 if left > 3 else 0
            else:
                fits = left
        elif left - fits == 1:  # one row would be left for the next page
            fits -= 1
        if fits == 1 and left > 1:
            fits = 0
        pages.append(fits)
        left -= fits
        room = page_room
        if len(pages) > count + 2:
            raise RuntimeError("a page holds no row: the layout heights are wrong")
    return pages


def _items(pdf: DocumentPdf, statement: Statement, lb: Labels) -> None:
    loc = lb.locale
    columns = item_columns(lb)

    def header() -> None:
        pdf.table_header(columns, size=7.5)

    pdf.ensure_space(40)
    if not statement.items:
        pdf.section_title(lb.open_items)
        pdf.style(8.5, color=MUTED)
        pdf.cell(CONTENT, 6, lb.no_open_items, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        return
    header_height = _header_height(pdf, columns)
    first_room = BODY_BOTTOM - pdf.get_y() - 6 - header_height   # 6: the section title
    page_room = BODY_BOTTOM - CONTINUED_TOP - header_height
    plan = rows_per_page(first_room, page_room, len(statement.items))
    if plan[0] == 0:  # not even two rows fit under the ageing: start the table overleaf
        pdf.add_page()
        plan = plan[1:]
    pdf.section_title(lb.open_items)
    header()
    items = iter(statement.items)
    for page, count in enumerate(plan):
        if page:
            pdf.add_page()
            header()
        for _ in range(count):
            pdf.table_row(columns, _cells(next(items), lb), size=7.5, repeat_header=header)
    pdf.ln(1)
    total = (Column(lb.total_due, CONTENT - 34, "R"), Column("", 34, "R"))
    pdf.table_row(total, (lb.total_due, money(statement.total_cents, loc)), size=8.5,
                  bold=True, rule=False, repeat_header=header)
    pdf.ln(5)


def _header_height(pdf: DocumentPdf, columns: tuple[Column, ...]) -> float:
    """The table header's height, as DocumentPdf.table_header draws it at 7.5 pt."""
    pdf.style(7.5, bold=True)
    return max(len(pdf.lines_of(c.title, c.width)) for c in columns) * LINE + 1.6


def _cells(item: StatementItem, lb: Labels) -> tuple[str, ...]:
    loc = lb.locale
    # Invoices show the reference to pay with; other items say what they are.
    reference = item.reference if item.kind == "invoice" else lb.kind(item.kind)
    days = (format_decimal(item.days_past_due, locale=loc)
            if item.kind == "invoice" and item.days_past_due > 0 else "")
    return (day(item.document_date, loc), item.number, day(item.due_date, loc), days, reference,
            money(item.original_cents, loc), money(item.open_cents, loc),
            money(item.balance_cents, loc))
