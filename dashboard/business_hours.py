"""The support line's business calendar: Mon–Fri 08:30–17:00 Europe/Brussels, no Belgian
public holidays. SLA targets and measured durations are counted in its minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BRUSSELS = ZoneInfo("Europe/Brussels")
OPENS = time(8, 30)
CLOSES = time(17, 0)
MINUTES_PER_DAY = (CLOSES.hour * 60 + CLOSES.minute) - (OPENS.hour * 60 + OPENS.minute)


@lru_cache(maxsize=64)
def _belgian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _belgian_holidays(day.year)


def _window(day: date) -> tuple[datetime, datetime]:
    """Opening and closing instants of ``day`` in UTC (DST handled by zoneinfo)."""
    opens = datetime.combine(day, OPENS, tzinfo=BRUSSELS).astimezone(UTC)
    closes = datetime.combine(day, CLOSES, tzinfo=BRUSSELS).astimezone(UTC)
    return opens, closes


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business-hours arithmetic needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def add_business_minutes(start: datetime, minutes: int) -> datetime:
    """The instant ``minutes`` business minutes after ``start`` (UTC).

    A start outside business hours counts from the next opening; a result that lands exactly
    on closing time stays there rather than moving to the next morning.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    moment = _require_aware(start)
    day = moment.astimezone(BRUSSELS).date()
    remaining = timedelta(minutes=minutes)
    while True:
        if is_business_day(day):
            opens, closes = _window(day)
            begin = max(moment, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = _window(day)[0]


def business_minutes_between(start: datetime, end: datetime) -> int:
    """Whole business minutes from ``start`` to ``end``; negative when ``end`` is earlier."""
    start, end = _require_aware(start), _require_aware(end)
    if end < start:
        return -business_minutes_between(end, start)
    total = timedelta()
    day = start.astimezone(BRUSSELS).date()
    last = end.astimezone(BRUSSELS).date()
    # Whole weeks contribute the same amount but for holidays; walking days keeps it exact
    # and is cheap for the spans an SLA covers.
    while day <= last:
        if is_business_day(day):
            opens, closes = _window(day)
            begin, finish = max(start, opens), min(end, closes)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


def is_open(moment: datetime) -> bool:
    moment = _require_aware(moment)
    day = moment.astimezone(BRUSSELS).date()
    if not is_business_day(day):
        return False
    opens, closes = _window(day)
    return opens <= moment < closes


def start_of_day(day: date) -> datetime:
    """Midnight in Brussels, as a UTC instant: where a calendar day begins for this office."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)
