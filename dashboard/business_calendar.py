"""The support line's business calendar: Mon–Fri 08:30–17:00 Europe/Brussels, no Belgian
public holidays. SLA targets and measured durations are counted in its minutes; paused time,
which moves due times on, in its seconds.

Two paths give the same answer: ``add_business_seconds`` and ``business_seconds_between`` (and
their minute forms) walk the days, for one clock at a time (SLA due times);
``business_seconds`` and ``business_minutes`` count many pairs at once with numpy, for the
metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt

BRUSSELS = ZoneInfo("Europe/Brussels")
OPENS = time(8, 30)
CLOSES = time(17, 0)
MINUTES_PER_DAY = (CLOSES.hour * 60 + CLOSES.minute) - (OPENS.hour * 60 + OPENS.minute)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_MINUTE = 60_000_000
US_PER_SECOND = 1_000_000

Ints = npt.NDArray[np.int64]


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
    return add_business_seconds(start, minutes * 60)


def add_business_seconds(start: datetime, seconds: int) -> datetime:
    """The instant ``seconds`` business seconds after ``start`` (UTC), as
    ``add_business_minutes`` counts them."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    moment = _require_aware(start)
    day = moment.astimezone(BRUSSELS).date()
    remaining = timedelta(seconds=seconds)
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
    seconds = business_seconds_between(start, end)
    return seconds // 60 if seconds >= 0 else -(-seconds // 60)


def business_seconds_between(start: datetime, end: datetime) -> int:
    """Whole business seconds from ``start`` to ``end``; negative when ``end`` is earlier."""
    start, end = _require_aware(start), _require_aware(end)
    if end < start:
        return -business_seconds_between(end, start)
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
    return total // timedelta(seconds=1)


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


# --- business minutes, vectorised ----------------------------------------------------------

def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly."""
    return (moment - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class _Calendar:
    """Per Brussels day: where it starts, when the line opens, how long, and the sum before."""

    midnights: Ints
    opens: Ints
    lengths: Ints
    before: Ints

    def elapsed(self, moments: Ints) -> Ints:
        """Business microseconds from the calendar's first day to each moment."""
        day = np.clip(np.searchsorted(self.midnights, moments, side="right") - 1,
                      0, len(self.opens) - 1)
        inside = np.clip(moments - self.opens[day], 0, self.lengths[day])
        return np.asarray(self.before[day] + inside, dtype=np.int64)


@lru_cache(maxsize=8)
def _calendar(first_year: int, last_year: int) -> _Calendar:
    days = [date(first_year, 1, 1) + timedelta(days=i)
            for i in range((date(last_year + 1, 1, 1) - date(first_year, 1, 1)).days)]
    midnights, opens, lengths = [], [], []
    for day in days:
        opening = to_us(datetime.combine(day, OPENS, tzinfo=BRUSSELS))
        midnights.append(to_us(start_of_day(day)))
        opens.append(opening)
        closing = to_us(datetime.combine(day, CLOSES, tzinfo=BRUSSELS))
        lengths.append(closing - opening if is_business_day(day) else 0)
    length_array = np.array(lengths, dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(length_array)[:-1])).astype(np.int64)
    return _Calendar(np.array(midnights, dtype=np.int64), np.array(opens, dtype=np.int64),
                     length_array, before)


def _year_of(moment_us: int) -> int:
    return (EPOCH + timedelta(microseconds=int(moment_us))).year


def _business_us(starts_us: Ints, ends_us: Ints) -> Ints:
    starts, ends = np.asarray(starts_us, dtype=np.int64), np.asarray(ends_us, dtype=np.int64)
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    both = np.concatenate((starts, ends))
    # A year either side: a UTC instant near New Year is in the other year in Brussels.
    calendar = _calendar(_year_of(int(both.min())) - 1, _year_of(int(both.max())) + 1)
    return np.asarray(calendar.elapsed(ends) - calendar.elapsed(starts), dtype=np.int64)


def _whole(diff: Ints, unit: int) -> Ints:
    return np.asarray(np.sign(diff) * (np.abs(diff) // unit), dtype=np.int64)


def business_minutes(starts_us: Ints, ends_us: Ints) -> Ints:
    """Whole business minutes between pairs of instants (µs since the epoch), as
    ``business_calendar.business_minutes_between`` counts them, for many pairs at once."""
    return _whole(_business_us(starts_us, ends_us), US_PER_MINUTE)


def business_seconds(starts_us: Ints, ends_us: Ints) -> Ints:
    """Whole business seconds between pairs of instants, as ``business_seconds_between``."""
    return _whole(_business_us(starts_us, ends_us), US_PER_SECOND)


def business_minutes_of(pairs: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """The same for datetimes (small lists: drill-down rows, tests)."""
    starts = np.array([to_us(s) for s, _ in pairs], dtype=np.int64)
    ends = np.array([to_us(e) for _, e in pairs], dtype=np.int64)
    return [int(m) for m in business_minutes(starts, ends)]
