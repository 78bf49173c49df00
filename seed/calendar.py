"""The support line's business calendar, precomputed for fast arithmetic on timestamps.

``dashboard.business_calendar`` walks day by day, which is right for the app and too slow for
millions of seeded timestamps. This keeps the same windows (Mon–Fri 08:30–17:00 Brussels,
no Belgian holidays) as sorted epoch seconds, so adding or subtracting business time is a
bisect. Tests check that it agrees with ``dashboard.business_calendar`` exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta

from dashboard.business_calendar import BRUSSELS, CLOSES, DEFAULT, OPENS

# The demo is generated in the default calendar, whatever a running app has in force.
is_business_day = DEFAULT.is_business_day


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


class BusinessCalendar:
    """Business windows between ``first`` and ``last`` (inclusive) as epoch seconds."""

    def __init__(self, first: date, last: date) -> None:
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.days: list[date] = []
        day = first
        while day <= last:
            if is_business_day(day):
                self.days.append(day)
                self.opens.append(epoch(datetime.combine(day, OPENS, tzinfo=BRUSSELS)))
                self.closes.append(epoch(datetime.combine(day, CLOSES, tzinfo=BRUSSELS)))
            day += timedelta(days=1)
        self._day_ordinals = [d.toordinal() for d in self.days]
        # Business seconds before each window starts / after it ends, counted from `first`.
        self._before: list[int] = []
        self._through: list[int] = []
        total = 0
        for opens, closes in zip(self.opens, self.closes, strict=True):
            self._before.append(total)
            total += closes - opens
            self._through.append(total)

    def _position(self, moment: int) -> int:
        """Business seconds from the calendar's start up to ``moment``."""
        index = bisect_right(self.opens, moment) - 1
        if index < 0:
            return 0
        return self._before[index] + min(moment, self.closes[index]) - self.opens[index]

    def _instant(self, position: int) -> int:
        """The earliest moment at business position ``position`` (closing time on a boundary)."""
        index = bisect_left(self._through, position)
        if index >= len(self.opens):
            raise ValueError("moment outside the precomputed calendar")
        return self.opens[index] + position - self._before[index]

    def add(self, start: int, seconds: int) -> int:
        """Like ``add_business_minutes``: a start outside hours counts from the next opening."""
        index = bisect_right(self.closes, start)
        if index >= len(self.opens):
            raise ValueError("moment outside the precomputed calendar")
        begin = max(start, self.opens[index])
        position = self._before[index] + begin - self.opens[index] + seconds
        if seconds == 0:
            return begin
        return self._instant(position)

    def subtract(self, end: int, seconds: int) -> int:
        """A start such that adding ``seconds`` of business time to it gives ``end``
        (``end`` itself taken as its business position)."""
        position = self._position(end) - seconds
        if position < 0:
            raise ValueError("moment outside the precomputed calendar")
        return self._instant(position) if seconds else end

    def between(self, start: int, end: int) -> int:
        """Business seconds from ``start`` to ``end``; negative when ``end`` is earlier."""
        return self._position(end) - self._position(start)

    def is_open(self, moment: int) -> bool:
        index = bisect_right(self.opens, moment) - 1
        return index >= 0 and moment < self.closes[index]

    # Banking days are the business days: Monday to Friday, no Belgian public holiday.

    def banking_day_on_or_after(self, day: date) -> date:
        index = bisect_left(self._day_ordinals, day.toordinal())
        if index >= len(self.days):
            raise ValueError("day outside the precomputed calendar")
        return self.days[index]

    def banking_day_on_or_before(self, day: date) -> date:
        index = bisect_right(self._day_ordinals, day.toordinal()) - 1
        if index < 0:
            raise ValueError("day outside the precomputed calendar")
        return self.days[index]

    def window_range(self, start: int, end: int) -> tuple[int, int]:
        """Indexes [first, last) of the business days that open within [start, end)."""
        return bisect_left(self.opens, start), bisect_left(self.opens, end)
