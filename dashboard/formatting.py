"""How money, dates and times are shown: babel for the formats, Brussels for the clock."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_decimal, format_currency, format_decimal

from dashboard import business_calendar
from dashboard.business_calendar import BRUSSELS

UI_LOCALE = "en_BE"
# The customer's document language mapped to a Belgian/Luxembourg locale for babel.
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_BE"}


def money(cents: int, locale: str = UI_LOCALE) -> str:
    return format_currency(Decimal(cents).scaleb(-2), "EUR", locale=locale)


def whole_euros(amount: float, locale: str = UI_LOCALE) -> str:
    """Euros without cents, for chart labels: ``1.234 €``."""
    return format_currency(round(amount), "EUR", format="#,##0\u00a0¤", locale=locale,
                           currency_digits=False)


def count(n: int, locale: str = UI_LOCALE) -> str:
    """A whole number with Belgian grouping: ``12.345``."""
    return number(n, 0, locale)


def number(value: float, digits: int = 0, locale: str = UI_LOCALE) -> str:
    """1234.5 -> '1.234,5' (digits after the comma, always shown)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=locale)


def signed(value: float, digits: int = 0, locale: str = UI_LOCALE) -> str:
    """A change: '+1.234', '-3,3' (a minus for losses, a plus for gains)."""
    return ("+" if value > 0 else "") + number(value, digits, locale)


def percent(value: float | None, digits: int = 1, locale: str = UI_LOCALE) -> str:
    """A share already in percent: 92.63 -> '92,6 %'; None -> '—'."""
    if value is None:
        return "—"
    return f"{number(value, digits, locale)}\u00a0%"


def compact_money(cents: int, locale: str = UI_LOCALE) -> str:
    """Portfolio-sized money, short enough for a KPI: '1,35M €', '698,4K €'."""
    euros = cents / 100
    digits = 2 if abs(euros) >= 1_000_000 else 1
    return f"{format_compact_decimal(euros, locale=locale, fraction_digits=digits)}\u00a0€"


def local(moment: datetime) -> datetime:
    return moment.astimezone(BRUSSELS)


def when(moment: datetime | None, locale: str = UI_LOCALE) -> str:
    if moment is None:
        return ""
    return format_datetime(local(moment), "dd/MM/yyyy HH:mm", tzinfo=BRUSSELS, locale=locale)


def when_short(moment: datetime | None, locale: str = UI_LOCALE) -> str:
    """Day, month and time without the year, for narrow columns of near dates."""
    if moment is None:
        return ""
    return format_datetime(local(moment), "dd/MM HH:mm", tzinfo=BRUSSELS, locale=locale)


def day(value: date | None, locale: str = UI_LOCALE) -> str:
    if value is None:
        return ""
    return format_date(value, "dd/MM/yyyy", locale=locale)


def duration_minutes(minutes: int) -> str:
    """Business minutes as people say them: '45 min', '3 h 10 min', '2 d 1 h' (a day being
    the usual open day of the calendar in force, 8.5 h by default)."""
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, business_calendar.active().minutes_per_day)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def format_vat(vat: str | None) -> str | None:
    """BE0403019261 -> 'BE 0403.019.261'; LU numbers as 'LU 15027442'."""
    if not vat:
        return None
    if vat.startswith("BE") and len(vat) == 12:
        digits = vat[2:]
        return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return f"{vat[:2]} {vat[2:]}"


def time_left(minutes: int | None) -> str:
    """Business minutes left on a clock, or how far past it is: '2 h 10 min left'."""
    if minutes is None:
        return ""
    if minutes < 0:
        return f"{duration_minutes(-minutes)} overdue"
    return f"{duration_minutes(minutes)} left"
