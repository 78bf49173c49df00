"""The house style shared by the PDF documents: A4, Helvetica, letterhead, footer, tables.

Core fonts keep the files small and fast to make, but they only know one 8-bit encoding:
``core_fonts_encoding = "windows-1252"`` gives €, accented Latin letters and typographic
quotes. Whatever text is outside windows-1252 is folded to its nearest character first
(``pdf_safe``), so an unusual name never makes a document fail.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from babel import Locale
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import CoreFont

from dashboard.business_calendar import BRUSSELS
from dashboard.documents.labels import Labels
from dashboard.vendor import Vendor

# Colours (RGB): ink for text, muted for secondary text, accent for titles, rules and fills.
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (31, 78, 121)
RULE = (206, 212, 218)
FILL = (241, 243, 245)
TINT = (232, 240, 248)
WARN = (176, 96, 0)
WARN_FILL = (253, 244, 228)

MARGIN = 18.0
PAGE_WIDTH = 210.0
CONTENT = PAGE_WIDTH - 2 * MARGIN
FOOTER_TOP = 297.0 - 20.0       # the footer starts here; the body must end above it
BODY_BOTTOM = FOOTER_TOP - 4.0
LINE = 4.2                      # line height of table text (mm)
CONTINUED_TOP = 19.0            # where the body starts under a continuation page's header
MIN_SIZE = 6.0                  # table text is never set smaller than this (pt)

_FOLDS = str.maketrans({
    "\u202f": "\u00a0",  # narrow no-break space (babel's French thousands) -> no-break space
    "\u2009": " ", "\u200a": " ", "\u2007": "\u00a0",
    "\u2010": "-", "\u2011": "-", "\u2012": "–", "\u2212": "-",
    "\u2032": "'", "\u2033": '"',
    # Letters without a Unicode decomposition, so NFKD below cannot fold them.
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
})


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def pdf_safe(text: str) -> str:
    """``text`` with every character that windows-1252 lacks replaced by its nearest one."""
    if _encodable(text):
        return text
    out = []
    for char in text.translate(_FOLDS):
        if _encodable(char):
            out.append(char)
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", char)
                         if not unicodedata.combining(c))
        out.append(folded if folded and _encodable(folded) else "?")
    return "".join(out)


def country_name(country: str, locale: str) -> str:
    """'BE' (or 'Belgium') -> 'Belgique' in fr_BE; anything else is shown as given."""
    code = country.upper()
    if not (len(code) == 2 and code.isalpha()):
        code = _ENGLISH_TERRITORIES.get(country.strip().casefold(), "")
    if code:
        return str(Locale.parse(locale).territories.get(code, country))
    return country


_ENGLISH_TERRITORIES = {str(name).casefold(): code
                        for code, name in Locale.parse("en").territories.items()
                        if len(code) == 2 and code.isalpha()}


def issued_at(day: date) -> datetime:
    """A document's creation time in its metadata: noon in Brussels on its date.

    Deriving it from the document (not the clock) makes the same document the same bytes.
    """
    return datetime.combine(day, time(12, 0), tzinfo=BRUSSELS)


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: Literal["L", "R", "C"] = "L"
    wrap: bool = False          # wraps onto more lines; other columns are cut to fit


class DocumentPdf(FPDF):
    """An A4 page with the vendor's footer, "Page x of y" and a running header after page 1."""

    def __init__(self, *, vendor: Vendor, labels: Labels, running_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.vendor = vendor
        self.labels = labels
        self.running_title = running_title
        self.set_margins(MARGIN, 14, MARGIN)
        self.set_auto_page_break(False)        # breaks are placed by the documents
        self.alias_nb_pages("{nb}")
        self.set_author(vendor.name)
        self.set_creator(vendor.name)
        self.set_lang(labels.locale.replace("_", "-"))
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)

    # fpdf2 calls this for every text it measures or draws.
    def normalize_text(self, text: str) -> str:
        return super().normalize_text(pdf_safe(text))

    def style(self, size: float, bold: bool = False,
              color: tuple[int, int, int] = INK) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_text_color(*color)

    def header(self) -> None:
        if self.page == 1:
            return
        self.style(8, color=MUTED)
        self.set_xy(MARGIN, 10)
        self.cell(CONTENT / 2, 4, self.vendor.name)
        self.cell(CONTENT / 2, 4, f"{self.running_title} ({self.labels.continued})", align="R")
        self.line(MARGIN, 15.5, PAGE_WIDTH - MARGIN, 15.5)
        self.set_xy(MARGIN, CONTINUED_TOP)

    def footer(self) -> None:
        v, lb = self.vendor, self.labels
        self.line(MARGIN, FOOTER_TOP, PAGE_WIDTH - MARGIN, FOOTER_TOP)
        self.style(7, color=MUTED)
        self.set_xy(MARGIN, FOOTER_TOP + 1.5)
        first = (f"{v.name} · {v.street}, {v.postal_code} {v.city} · "
                 f"{lb.vat_prefix} {v.vat_number}")
        second = (f"IBAN {v.iban} · BIC {v.bic} · {v.email} · {lb.phone} {v.phone} · "
                  f"{v.website}")
        self.cell(CONTENT - 30, 3.5, self.fit(first, CONTENT - 30),
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(CONTENT - 30, 3.5, self.fit(second, CONTENT - 30))
        self.set_xy(PAGE_WIDTH - MARGIN - 40, FOOTER_TOP + 1.5)
        self.cell(40, 3.5, lb.page.format(page=self.page_no(), pages="{nb}"), align="R")

    # -- text helpers -------------------------------------------------------------------
    # Tables draw thousands of cells: measuring with the core font's width table and placing
    # text with text() is several times faster than fpdf2's general cell(), looks the same.

    def text_width(self, text: str) -> float:
        """Width of ``text`` in mm in the current (core) font."""
        font = self.current_font
        if not isinstance(font, CoreFont):
            return float(self.get_string_width(text))
        widths = font.cw
        return sum(widths[c] for c in self.normalize_text(text)) * self.font_size_pt / (
            1000 * self.k)

    def put(self, text: str, x: float, y: float, width: float, height: float,
            align: str = "L") -> None:
        """``text`` in a box like cell(): padded, vertically centred, aligned; no border."""
        if not text:
            return
        if align == "L":
            left = x + self.c_margin
        else:
            free = width - self.text_width(text)
            left = x + (free - self.c_margin if align == "R" else free / 2)
        self.text(left, y + 0.5 * height + 0.3 * self.font_size, text)


    def fit(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis so that it fits ``width`` (cell padding included)."""
        room = width - 2 * self.c_margin
        if self.text_width(text) <= room:
            return text
        while text and self.text_width(text + "…") > room:
            text = text[:-1]
        return text.rstrip() + "…"

    def lines_of(self, text: str, width: float) -> list[str]:
        if self.text_width(text) <= width - 2 * self.c_margin:
            return [text]
        lines = self.multi_cell(width, LINE, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)
        return lines

    def space_left(self) -> float:
        return BODY_BOTTOM - self.get_y()

    def ensure_space(self, height: float, then: Callable[[], None] | None = None) -> None:
        """Start a new page unless ``height`` still fits; ``then`` redraws a table header."""
        if self.get_y() + height > BODY_BOTTOM:
            self.add_page()
            if then is not None:
                then()

    # -- blocks -------------------------------------------------------------------------

    def letterhead(self, title: str, number: str, subtitle: str = "") -> None:
        """Vendor on the left, document title and number on the right."""
        v, lb = self.vendor, self.labels
        top = 14.0
        self.set_xy(MARGIN, top)
        self.style(14, bold=True, color=ACCENT)
        self.cell(100, 7, self.fit(v.name, 100), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.style(8.5, color=MUTED)
        for text in (v.street, f"{v.postal_code} {v.city}", country_name(v.country, lb.locale),
                     f"{lb.vat_prefix} {v.vat_number}",
                     f"{lb.phone} {v.phone} · {v.email}", v.website):
            self.cell(100, 4, self.fit(text, 100), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        right = PAGE_WIDTH - MARGIN - 80
        self.set_xy(right, top - 0.5)
        self.style(20, bold=True, color=ACCENT)
        self.cell(80, 9, self.fit(title, 80), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.style(11, bold=True)
        self.cell(80, 6, number, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if subtitle:
            self.style(8.5, color=MUTED)
            self.multi_cell(80, 4, subtitle, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(max(left_bottom, self.get_y()) + 6)

    def details_and_address(self, details: Sequence[tuple[str, str]], name: str,
                            address: Sequence[str]) -> None:
        """Document details on the left; the customer's address on the right (window side)."""
        top = self.get_y()
        self.set_xy(MARGIN, top)
        self.style(8.5)
        key_w = min(max((self.get_string_width(k) for k, _ in details), default=0) + 5, 46)
        for key, value in details:
            self.style(8.5, color=MUTED)
            self.cell(key_w, 5, self.fit(key, key_w))
            self.style(8.5, bold=True)
            self.cell(88 - key_w, 5, self.fit(value, 88 - key_w),
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        box_x, box_w = PAGE_WIDTH - MARGIN - 80, 80.0
        self.set_xy(box_x, top)
        self.style(7.5, color=MUTED)
        self.cell(box_w, 4, self.labels.customer.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.style(10.5, bold=True)
        self.multi_cell(box_w, 5, name, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.style(10)
        for text in address:
            if text:
                self.cell(box_w, 5, self.fit(text, box_w), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(max(left_bottom, self.get_y()) + 7)

    def section_title(self, text: str) -> None:
        self.style(9.5, bold=True, color=ACCENT)
        self.cell(CONTENT, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # -- tables -------------------------------------------------------------------------

    def table_header(self, columns: Sequence[Column], size: float = 8) -> None:
        self.style(size, bold=True)
        lines = [self.lines_of(c.title, c.width) for c in columns]
        height = max(len(ls) for ls in lines) * LINE + 1.6
        x, y = MARGIN, self.get_y()
        self.set_fill_color(*FILL)
        self.rect(x, y, sum(c.width for c in columns), height, style="F")
        for column, texts in zip(columns, lines, strict=True):
            for i, text in enumerate(texts):
                self.put(text, x, y + 0.8 + i * LINE, column.width, LINE, column.align)
            x += column.width
        self.set_xy(MARGIN, y + height)

    def table_row(self, columns: Sequence[Column], values: Sequence[str], *,
                  size: float = 8, bold: bool = False, rule: bool = True,
                  repeat_header: Callable[[], None] | None = None) -> None:
        """One row; wrapping columns grow it, and it moves whole to the next page if needed.

        A value too wide for a column that does not wrap (a long amount or bank reference)
        is set smaller rather than cut; only below MIN_SIZE is it cut with an ellipsis.
        """
        self.style(size, bold=bold)
        cells: list[tuple[list[str], float]] = []
        for column, value in zip(columns, values, strict=True):
            if column.wrap:
                cells.append((self.lines_of(value, column.width), size))
            else:
                cells.append(self.shrink_to_fit(value, column.width, size))
        height = max(len(lines) for lines, _ in cells) * LINE + 1.2
        self.ensure_space(height, repeat_header)
        self.style(size, bold=bold)
        x, y = MARGIN, self.get_y()
        for column, (texts, cell_size) in zip(columns, cells, strict=True):
            if cell_size != size:
                self.set_font_size(cell_size)
            for i, text in enumerate(texts):
                self.put(text, x, y + 0.6 + i * LINE, column.width, LINE, column.align)
            if cell_size != size:
                self.set_font_size(size)
            x += column.width
        if rule:
            self.line(MARGIN, y + height, x, y + height)
        self.set_xy(MARGIN, y + height)

    def shrink_to_fit(self, text: str, width: float, size: float) -> tuple[list[str], float]:
        """The font size (at most ``size``) at which ``text`` fits ``width`` on one line."""
        room = width - 2 * self.c_margin
        needed = self.text_width(text)
        if needed <= room:
            return [text], size
        smaller = int(size * room / needed * 4) / 4           # quarter points, rounded down
        if smaller >= MIN_SIZE:
            return [text], smaller
        self.set_font_size(MIN_SIZE)
        cut = self.fit(text, width)
        self.set_font_size(size)
        return [cut], MIN_SIZE

    def amounts(self, rows: Sequence[tuple[str, str, bool]], *, x: float, width: float,
                value_width: float = 34) -> None:
        """Label/amount pairs right-aligned in a column; bold rows get a rule above them."""
        for label, value, strong in rows:
            if strong:
                y = self.get_y() + 0.6
                self.set_draw_color(*INK)
                self.line(x, y, x + width, y)
                self.set_draw_color(*RULE)
                self.set_y(y + 0.6)
            self.style(9.5 if strong else 8.5, bold=strong)
            self.set_x(x)
            self.cell(width - value_width, 5.2, label)
            self.cell(value_width, 5.2, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note_box(self, title: str, body: Sequence[str], *,
                 fill: tuple[int, int, int], edge: tuple[int, int, int]) -> None:
        """A tinted box with a bold title and wrapped paragraphs."""
        self.style(8.5)
        paragraphs = [self.lines_of(text, CONTENT - 8) for text in body if text]
        height = 4 + 5 + sum(len(p) for p in paragraphs) * LINE + 3
        self.ensure_space(height + 2)
        x, y = MARGIN, self.get_y()
        self.set_fill_color(*fill)
        self.set_draw_color(*edge)
        self.rect(x, y, CONTENT, height, style="DF")
        self.set_draw_color(*RULE)
        self.set_xy(x + 4, y + 3)
        self.style(9, bold=True, color=edge)
        self.cell(CONTENT - 8, 5, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.style(8.5)
        for lines in paragraphs:
            for text in lines:
                self.cell(CONTENT - 8, LINE, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(MARGIN, y + height + 5)

    def small_print(self, text: str) -> None:
        self.style(8, color=MUTED)
        lines = self.lines_of(text, CONTENT)
        self.ensure_space(len(lines) * LINE + 2)
        for line in lines:
            self.cell(CONTENT, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
