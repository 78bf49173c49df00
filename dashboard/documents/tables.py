"""Tables as files: CSV for any tool, XLSX for Excel; and the statement of account as both.

CSV is written for a Belgian Excel opened with a double-click: semicolon-separated, decimal
comma (1234,56), dates as dd/mm/yyyy, UTF-8 with a byte-order mark (what makes Excel read
accented names right), quoted as RFC 4180 says. A text cell that starts with = + - @, a tab
or a carriage return is prefixed with an apostrophe, so a spreadsheet shows it as text
instead of running it as a formula (OWASP "CSV injection"). The XLSX writes every cell as
the value it is (strings never become formulas) and keeps amounts and dates real.

Money columns hold integer cents in the frames; the writers turn them into euros.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from dashboard.documents._pdf import issued_at
from dashboard.documents.labels import Labels, labels_for
from dashboard.documents.statement_pdf import vat_note
from dashboard.services.statement import BUCKETS, Statement

MONEY_FORMAT = '#,##0.00\\ "€";-#,##0.00\\ "€"'
DATE_FORMAT = "dd/mm/yyyy"
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _missing(value: Any) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, float) and value != value))


def _euros(cents: Any) -> str:
    return "" if _missing(cents) else str(Decimal(int(cents)).scaleb(-2)).replace(".", ",")


# -- CSV --------------------------------------------------------------------------------

CSV_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would take for a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, money_columns: Sequence[str] = ()) -> bytes:
    """``frame`` as CSV bytes (see the module docstring); money columns in cents -> euros."""
    money = set(money_columns)
    columns = {}
    for column in frame.columns:
        series = frame[column]
        if column in money:
            columns[column] = series.map(_euros)
        elif pd.api.types.is_datetime64_any_dtype(series):
            columns[column] = series.dt.strftime("%d/%m/%Y").fillna("")
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            columns[column] = series.map(_csv_text)
        else:
            columns[column] = series
    shown = pd.DataFrame(columns, index=frame.index)
    shown.columns = [neutralise(str(c)) for c in frame.columns]
    text: str = shown.to_csv(index=False, sep=CSV_SEPARATOR, decimal=",",
                             lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise(value)


# -- XLSX -------------------------------------------------------------------------------

def sheet_title(name: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    return _SHEET_NAME_BAD.sub(" ", name).strip()[:31] or "Sheet1"


def _width(frame: pd.DataFrame, column: str, money: bool, dates: bool) -> float:
    header = len(str(column))
    series = frame[column]
    if series.empty:
        return max(header + 2, 10)
    if dates:
        body = 10
    elif money:
        largest = int(series.abs().max()) if series.notna().any() else 0
        body = len(f"{largest / 100:,.2f}") + 3
    else:
        body = int(series.astype("string").str.len().max() or 0)
    return float(min(max(header, body) + 2, 60))


def _writer(ws: Worksheet, series: pd.Series, money: bool, dates: bool,
            formats: dict[str, Any]) -> Callable[[int, int, Any], Any]:
    if money:
        fmt = formats["money"]
        return lambda r, c, v: ws.write_number(r, c, int(v) / 100, fmt)
    if dates:
        fmt = formats["date"]

        def write_date(r: int, c: int, v: Any) -> Any:
            if isinstance(v, str):
                v = date.fromisoformat(v[:10])
            if isinstance(v, datetime) and v.tzinfo is not None:
                v = v.replace(tzinfo=None)
            return ws.write_datetime(r, c, v, fmt)

        return write_date
    if pd.api.types.is_bool_dtype(series.dtype):
        return lambda r, c, v: ws.write_boolean(r, c, bool(v))
    if pd.api.types.is_numeric_dtype(series.dtype):
        return lambda r, c, v: ws.write_number(r, c, v)
    return lambda r, c, v: ws.write_string(r, c, str(v))


def _write_table(ws: Worksheet, frame: pd.DataFrame,
                 money_columns: Iterable[str], date_columns: Iterable[str],
                 formats: dict[str, Any], first_row: int = 0) -> int:
    """Header (bold, frozen, with filters) and rows from ``first_row``; returns the next row."""
    money, dates = set(money_columns), set(date_columns)
    columns = [str(c) for c in frame.columns]
    for i, name in enumerate(columns):
        ws.set_column(i, i, _width(frame, name, name in money, name in dates))
    ws.write_row(first_row, 0, columns, formats["header"])
    ws.freeze_panes(first_row + 1, 0)
    if columns:
        ws.autofilter(first_row, 0, first_row + len(frame), len(columns) - 1)
    writers = [_writer(ws, frame[name], name in money, name in dates, formats)
               for name in columns]
    row = first_row + 1
    for values in frame.itertuples(index=False, name=None):
        for col, (write, value) in enumerate(zip(writers, values, strict=True)):
            if not _missing(value):
                write(row, col, value)
        row += 1
    return row


def _workbook(buffer: io.BytesIO) -> tuple[Workbook, dict[str, Any]]:
    # constant_memory: each row goes to a temporary file as soon as the next one starts, so
    # memory stays flat on long tables; rows must then be written top to bottom.
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "remove_timezone": True})
    formats = {
        "header": wb.add_format({"bold": True, "bg_color": "#F1F3F5", "bottom": 1}),
        "money": wb.add_format({"num_format": MONEY_FORMAT}),
        "date": wb.add_format({"num_format": DATE_FORMAT}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "bold": wb.add_format({"bold": True}),
        "bold_money": wb.add_format({"bold": True, "num_format": MONEY_FORMAT, "top": 1}),
    }
    return wb, formats


def to_xlsx(frame: pd.DataFrame, sheet_name: str, money_columns: Sequence[str] = (),
            date_columns: Sequence[str] = ()) -> bytes:
    """One worksheet: bold frozen header with filters, € amounts (from cents), real dates."""
    buffer = io.BytesIO()
    wb, formats = _workbook(buffer)
    ws = wb.add_worksheet(sheet_title(sheet_name))
    _write_table(ws, frame, money_columns, date_columns, formats)
    wb.close()
    return buffer.getvalue()


# -- The statement of account -----------------------------------------------------------

def _statement_columns(lb: Labels) -> tuple[list[str], list[str], list[str]]:
    """All column names, the money ones and the date ones, in the labels' language."""
    columns = [lb.date, lb.kind_column, lb.document, lb.due_short, lb.days_past_due,
               lb.ageing, lb.reference, lb.original, lb.open, lb.running_balance]
    return columns, [lb.original, lb.open, lb.running_balance], [lb.date, lb.due_short]


def statement_money_columns(language: str | None) -> list[str]:
    return _statement_columns(labels_for(language))[1]


def statement_date_columns(language: str | None) -> list[str]:
    return _statement_columns(labels_for(language))[2]


def statement_frame(statement: Statement, language: str | None = None) -> pd.DataFrame:
    """One row per open item; headings and words in ``language`` (default: the customer's).

    Dates are ``datetime.date``; the money columns (see ``statement_money_columns``) are
    integer cents, signed as on the statement.
    """
    lb = labels_for(language or statement.bill_to.language)
    columns, _, _ = _statement_columns(lb)
    rows = [(i.document_date, lb.kind(i.kind), i.number, i.due_date, i.days_past_due,
             lb.bucket(i.bucket), i.reference, i.original_cents, i.open_cents, i.balance_cents)
            for i in statement.items]
    frame = pd.DataFrame(rows, columns=columns)
    for name in (lb.days_past_due, lb.original, lb.open, lb.running_balance):
        frame[name] = frame[name].astype("int64")
    for name in (lb.date, lb.due_short):
        frame[name] = frame[name].astype("object")
    return frame


def statement_csv(statement: Statement, language: str | None = None) -> bytes:
    frame = statement_frame(statement, language)
    return to_csv(frame, money_columns=statement_money_columns(
        language or statement.bill_to.language))


def statement_xlsx(statement: Statement, language: str | None = None) -> bytes:
    """Sheet 1: the open items (as ``statement_frame``); sheet 2: the ageing summary."""
    lb = labels_for(language or statement.bill_to.language)
    frame = statement_frame(statement, lb.language)
    _, money, dates = _statement_columns(lb)
    buffer = io.BytesIO()
    wb, formats = _workbook(buffer)
    created = issued_at(statement.as_of).replace(tzinfo=None)
    wb.set_properties({"title": f"{lb.statement} {statement.bill_to.customer_number}",
                       "subject": statement.bill_to.name, "created": created})
    items = wb.add_worksheet(sheet_title(lb.open_items))
    _write_table(items, frame, money, dates, formats)

    summary = wb.add_worksheet(sheet_title(lb.ageing))
    words = [lb.bucket(b) for b in BUCKETS] + [lb.total_due, lb.of_which_overdue, lb.statement_date]
    summary.set_column(0, 0, max(len(w) for w in words) + 4)
    summary.set_column(1, 1, 18)
    summary.write_string(0, 0, lb.statement, formats["title"])
    summary.write_string(1, 0, statement.bill_to.name, formats["bold"])
    summary.write_string(2, 0, lb.customer_number)
    summary.write_string(2, 1, statement.bill_to.customer_number)
    summary.write_string(3, 0, lb.statement_date)
    summary.write_datetime(3, 1, datetime.combine(statement.as_of, datetime.min.time()),
                           formats["date"])
    summary.write_row(5, 0, [lb.ageing, lb.open], formats["header"])
    row = 6
    for bucket in BUCKETS:
        summary.write_string(row, 0, lb.bucket(bucket))
        summary.write_number(row, 1, statement.ageing.get(bucket, 0) / 100, formats["money"])
        row += 1
    summary.write_string(row, 0, lb.total_due, formats["bold"])
    summary.write_number(row, 1, statement.total_cents / 100, formats["bold_money"])
    summary.write_string(row + 1, 0, lb.of_which_overdue)
    summary.write_number(row + 1, 1, statement.overdue_cents / 100, formats["money"])
    note = vat_note(statement, lb.language)
    if note:
        summary.write_string(row + 3, 0, lb.vat_amount, formats["bold"])
        summary.write_string(row + 3, 1, note)
    wb.close()
    return buffer.getvalue()
