"""The support line's business calendar: opening hours per weekday in one time zone, no public
holidays (``holidays``, Belgium by default) and no company closures (bridge days and the like).
The default is Mon–Fri 08:30–17:00 Europe/Brussels; the admin settings replace it
(``dashboard.services.calendar``), and ``use`` makes that the calendar in force in this process.
SLA targets and measured durations are counted in its minutes; paused time, which moves due
times on, in its seconds.

Two paths give the same answer: ``add_business_seconds`` and ``business_seconds_between`` (and
their minute forms) walk the days, for one clock at a time (SLA due times);
``business_seconds`` and ``business_minutes`` count many pairs at once with numpy, for the
metrics. Both take a calendar, or use the one in force."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt

# Where timestamps are shown and office days begin for display; the calendar's own zone may
# differ (it decides the opening hours only).
BRUSSELS = ZoneInfo("Europe/Brussels")
OPENS = time(8, 30)
CLOSES = time(17, 0)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_MINUTE = 60_000_000
US_PER_SECOND = 1_000_000
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Ints = npt.NDArray[np.int64]
Hours = tuple[time, time] | None  # one weekday's opening and closing time, or closed


@lru_cache(maxsize=128)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (Monday first), in ``time_zone``, less public holidays of
    ``holiday_country`` (none when empty) and the company's own ``closures``. Hashable: the
    per-year tables are cached per calendar value, so a changed calendar is simply another key."""

    hours: tuple[Hours, ...] = ((OPENS, CLOSES),) * 5 + (None, None)
    time_zone: str = "Europe/Brussels"
    holiday_country: str = "BE"
    closures: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    @property
    def minutes_per_day(self) -> int:
        """The usual length of an open day, in minutes: what "1 d" means in durations."""
        lengths = [_minutes(h) for h in self.hours if h is not None and _minutes(h) > 0]
        if not lengths:
            return 24 * 60
        counts = Counter(lengths)
        return max(counts, key=lambda n: (counts[n], n))

    def is_holiday(self, day: date) -> bool:
        return bool(self.holiday_country) and day in _public_holidays(self.holiday_country,
                                                                       day.year)

    def is_business_day(self, day: date) -> bool:
        return (self.hours[day.weekday()] is not None and not self.is_holiday(day)
                and day not in self.closures)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing instants of ``day`` in UTC (DST handled by zoneinfo); an empty
        window at midnight on a closed weekday."""
        hours = self.hours[day.weekday()] or (time(0), time(0))
        opens = datetime.combine(day, hours[0], tzinfo=self.zone).astimezone(UTC)
        closes = datetime.combine(day, hours[1], tzinfo=self.zone).astimezone(UTC)
        return opens, max(opens, closes)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    # --- one clock at a time ---------------------------------------------------------------

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime:
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if not any(h is not None and _minutes(h) > 0 for h in self.hours):
            raise ValueError("the business calendar has no opening hours")
        moment = _require_aware(start)
        day = self.local_day(moment)
        remaining = timedelta(seconds=seconds)
        while True:
            if self.is_business_day(day):
                opens, closes = self.window(day)
                begin = max(moment, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
            moment = self.window(day)[0]

    def business_seconds_between(self, start: datetime, end: datetime) -> int:
        start, end = _require_aware(start), _require_aware(end)
        if end < start:
            return -self.business_seconds_between(end, start)
        total = timedelta()
        day, last = self.local_day(start), self.local_day(end)
        while day <= last:
            if self.is_business_day(day):
                opens, closes = self.window(day)
                begin, finish = max(start, opens), min(end, closes)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total // timedelta(seconds=1)

    def is_open(self, moment: datetime) -> bool:
        moment = _require_aware(moment)
        day = self.local_day(moment)
        if not self.is_business_day(day):
            return False
        opens, closes = self.window(day)
        return opens <= moment < closes

    # --- many pairs at once --------------------------------------------------------------

    def business_us(self, starts_us: Ints, ends_us: Ints) -> Ints:
        starts = np.asarray(starts_us, dtype=np.int64)
        ends = np.asarray(ends_us, dtype=np.int64)
        if starts.size == 0:
            return np.zeros(0, dtype=np.int64)
        both = np.concatenate((starts, ends))
        # A year either side: a UTC instant near New Year is in the other year locally.
        grid = _grid(self, _year_of(int(both.min())) - 1, _year_of(int(both.max())) + 1)
        return np.asarray(grid.elapsed(ends) - grid.elapsed(starts), dtype=np.int64)


def _minutes(hours: tuple[time, time]) -> int:
    return (hours[1].hour * 60 + hours[1].minute) - (hours[0].hour * 60 + hours[0].minute)


DEFAULT = BusinessCalendar()
_in_force: BusinessCalendar = DEFAULT


def use(calendar: BusinessCalendar) -> None:
    """Make ``calendar`` the one in force in this process (one rebinding: threads see the old
    or the new calendar, never a mix)."""
    global _in_force
    _in_force = calendar


def active() -> BusinessCalendar:
    return _in_force


def _pick(calendar: BusinessCalendar | None) -> BusinessCalendar:
    return calendar if calendar is not None else _in_force


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business-hours arithmetic needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def is_business_day(day: date, calendar: BusinessCalendar | None = None) -> bool:
    return _pick(calendar).is_business_day(day)


def add_business_minutes(start: datetime, minutes: int,
                         calendar: BusinessCalendar | None = None) -> datetime:
    """The instant ``minutes`` business minutes after ``start`` (UTC).

    A start outside business hours counts from the next opening; a result that lands exactly
    on closing time stays there rather than moving to the next morning.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return _pick(calendar).add_business_seconds(start, minutes * 60)


def add_business_seconds(start: datetime, seconds: int,
                         calendar: BusinessCalendar | None = None) -> datetime:
    """The instant ``seconds`` business seconds after ``start`` (UTC), as
    ``add_business_minutes`` counts them."""
    return _pick(calendar).add_business_seconds(start, seconds)


def business_minutes_between(start: datetime, end: datetime,
                             calendar: BusinessCalendar | None = None) -> int:
    """Whole business minutes from ``start`` to ``end``; negative when ``end`` is earlier."""
    seconds = _pick(calendar).business_seconds_between(start, end)
    return seconds // 60 if seconds >= 0 else -(-seconds // 60)


def business_seconds_between(start: datetime, end: datetime,
                             calendar: BusinessCalendar | None = None) -> int:
    """Whole business seconds from ``start`` to ``end``; negative when ``end`` is earlier."""
    return _pick(calendar).business_seconds_between(start, end)


def is_open(moment: datetime, calendar: BusinessCalendar | None = None) -> bool:
    return _pick(calendar).is_open(moment)


def start_of_day(day: date) -> datetime:
    """Midnight in Brussels, as a UTC instant: where a calendar day begins for this office."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)


# --- business minutes, vectorised ----------------------------------------------------------

def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly."""
    return (moment - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class _Grid:
    """Per local day: where it starts, when the line opens, how long, and the sum before."""

    midnights: Ints
    opens: Ints
    lengths: Ints
    before: Ints

    def elapsed(self, moments: Ints) -> Ints:
        """Business microseconds from the grid's first day to each moment."""
        day = np.clip(np.searchsorted(self.midnights, moments, side="right") - 1,
                      0, len(self.opens) - 1)
        inside = np.clip(moments - self.opens[day], 0, self.lengths[day])
        return np.asarray(self.before[day] + inside, dtype=np.int64)


@lru_cache(maxsize=16)
def _grid(calendar: BusinessCalendar, first_year: int, last_year: int) -> _Grid:
    days = [date(first_year, 1, 1) + timedelta(days=i)
            for i in range((date(last_year + 1, 1, 1) - date(first_year, 1, 1)).days)]
    midnights, opens, lengths = [], [], []
    for day in days:
        opening, closing = calendar.window(day)
        midnights.append(to_us(datetime.combine(day, time(0), tzinfo=calendar.zone)))
        opens.append(to_us(opening))
        lengths.append(to_us(closing) - to_us(opening) if calendar.is_business_day(day) else 0)
    length_array = np.array(lengths, dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(length_array)[:-1])).astype(np.int64)
    return _Grid(np.array(midnights, dtype=np.int64), np.array(opens, dtype=np.int64),
                 length_array, before)


def _year_of(moment_us: int) -> int:
    return (EPOCH + timedelta(microseconds=int(moment_us))).year


def _whole(diff: Ints, unit: int) -> Ints:
    return np.asarray(np.sign(diff) * (np.abs(diff) // unit), dtype=np.int64)


def business_minutes(starts_us: Ints, ends_us: Ints,
                     calendar: BusinessCalendar | None = None) -> Ints:
    """Whole business minutes between pairs of instants (µs since the epoch), as
    ``business_minutes_between`` counts them, for many pairs at once."""
    return _whole(_pick(calendar).business_us(starts_us, ends_us), US_PER_MINUTE)


def business_seconds(starts_us: Ints, ends_us: Ints,
                     calendar: BusinessCalendar | None = None) -> Ints:
    """Whole business seconds between pairs of instants, as ``business_seconds_between``."""
    return _whole(_pick(calendar).business_us(starts_us, ends_us), US_PER_SECOND)


def business_minutes_of(pairs: Sequence[tuple[datetime, datetime]],
                        calendar: BusinessCalendar | None = None) -> list[int]:
    """The same for datetimes (small lists: drill-down rows, tests)."""
    starts = np.array([to_us(s) for s, _ in pairs], dtype=np.int64)
    ends = np.array([to_us(e) for _, e in pairs], dtype=np.int64)
    return [int(m) for m in business_minutes(starts, ends, calendar)]
