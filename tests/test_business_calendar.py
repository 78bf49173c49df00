"""The business calendar: Mon–Fri 08:30–17:00 Brussels, Belgian holidays excluded, by
default; other calendars (hours per weekday, zone, holidays, closures) on both paths."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import business_calendar as bc
from dashboard.business_calendar import (
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
    is_open,
)

BXL = ZoneInfo("Europe/Brussels")


def bxl(*args: int) -> datetime:
    return datetime(*args, tzinfo=BXL)


def test_adds_within_the_same_day() -> None:
    assert add_business_minutes(bxl(2026, 11, 24, 9, 0), 60) == bxl(2026, 11, 24, 10, 0)


def test_rolls_over_the_evening_to_next_morning() -> None:
    # Tuesday 16:30 + 60 min: 30 today, 30 from Wednesday 08:30.
    assert add_business_minutes(bxl(2026, 11, 24, 16, 30), 60) == bxl(2026, 11, 25, 9, 0)


def test_skips_the_weekend() -> None:
    assert add_business_minutes(bxl(2026, 11, 27, 16, 0), 120) == bxl(2026, 11, 30, 9, 30)


def test_start_outside_hours_counts_from_next_opening() -> None:
    assert add_business_minutes(bxl(2026, 11, 28, 11, 0), 30) == bxl(2026, 11, 30, 9, 0)
    assert add_business_minutes(bxl(2026, 11, 24, 7, 0), 30) == bxl(2026, 11, 24, 9, 0)


def test_skips_belgian_public_holidays() -> None:
    # 11 November (Armistice) 2026 is a Wednesday.
    assert add_business_minutes(bxl(2026, 11, 10, 16, 0), 120) == bxl(2026, 11, 12, 9, 30)
    # Christmas Friday, then the weekend.
    assert add_business_minutes(bxl(2026, 12, 24, 16, 30), 60) == bxl(2026, 12, 28, 9, 0)


def test_a_full_day_is_510_minutes_and_between_is_the_inverse() -> None:
    start = bxl(2026, 11, 23, 8, 30)
    assert business_minutes_between(start, bxl(2026, 11, 23, 17, 0)) == 510
    end = add_business_minutes(start, 2000)
    assert business_minutes_between(start, end) == 2000
    assert business_minutes_between(end, start) == -2000


def test_between_ignores_nights_weekends_and_holidays() -> None:
    assert business_minutes_between(bxl(2026, 11, 10, 16, 0), bxl(2026, 11, 12, 9, 0)) == 90


def test_daylight_saving_change_keeps_local_opening_hours() -> None:
    # Clocks go back on Sunday 25 October 2026: Monday still opens at 08:30 local.
    result = add_business_minutes(bxl(2026, 10, 23, 16, 59), 2)
    assert result == bxl(2026, 10, 26, 8, 31)
    assert result.astimezone(UTC).hour == 7


def test_is_open() -> None:
    assert is_open(bxl(2026, 11, 24, 8, 30))
    assert not is_open(bxl(2026, 11, 24, 17, 0))
    assert not is_open(bxl(2026, 11, 11, 10, 0))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        add_business_minutes(datetime(2026, 11, 24, 9), 10)


def test_seconds_count_to_the_second_on_both_paths() -> None:
    """Paused time is kept in business seconds: one at a time and vectorised agree."""
    from dashboard.business_calendar import (
        add_business_seconds,
        business_seconds,
        business_seconds_between,
        to_us,
    )

    friday = datetime(2026, 11, 13, 16, 59, 30, tzinfo=BXL)
    later = add_business_seconds(friday, 45)          # over the weekend: Monday 08:30:15
    assert later == datetime(2026, 11, 16, 8, 30, 15, tzinfo=BXL)
    assert business_seconds_between(friday, later) == 45
    assert business_seconds_between(later, friday) == -45
    assert business_minutes_between(friday, later) == 0
    assert list(business_seconds(np.array([to_us(friday)]), np.array([to_us(later)]))) == [45]
    assert add_business_minutes(friday, 2) == add_business_seconds(friday, 120)


# --- another calendar: both paths still agree -------------------------------------------

# Tuesday to Saturday, a short Saturday, in Luxembourg's holidays, with two closures; and one
# in New York, whose clocks change on other Sundays than Brussels'; one in Auckland.
LUX = BusinessCalendar(
    hours=(None, (time(7, 0), time(15, 30)), (time(7, 0), time(15, 30)),
           (time(9, 15), time(18, 45)), (time(7, 0), time(15, 30)), (time(8, 0), time(12, 0)),
           None),
    time_zone="Europe/Luxembourg", holiday_country="LU",
    closures=frozenset({date(2026, 11, 10), date(2026, 12, 31)}))
NEW_YORK = BusinessCalendar(hours=((time(9, 0), time(17, 30)),) * 5 + (None, None),
                            time_zone="America/New_York", holiday_country="US")
# Auckland's open hours straddle midnight in Brussels and in UTC.
AUCKLAND = BusinessCalendar(hours=((time(8, 0), time(17, 0)),) * 5 + (None, None),
                            time_zone="Pacific/Auckland", holiday_country="NZ")
CALENDARS = (LUX, NEW_YORK, AUCKLAND, bc.DEFAULT)
BASE = datetime(2025, 12, 20, tzinfo=UTC)


def test_a_non_default_calendar_keeps_its_own_hours_holidays_and_closures() -> None:
    lux = ZoneInfo("Europe/Luxembourg")
    # Monday is closed: Sunday evening + 60 min is Tuesday 08:00.
    assert bc.add_business_minutes(datetime(2026, 11, 22, 20, tzinfo=lux), 60, LUX) == \
        datetime(2026, 11, 24, 8, 0, tzinfo=lux)
    # Saturday 11:30 + 60 min: 30 min on Saturday, then Monday is closed, Tuesday 10 November
    # a closure, and 11 November no holiday in Luxembourg: Wednesday 07:30.
    assert bc.add_business_minutes(datetime(2026, 11, 7, 11, 30, tzinfo=lux), 60, LUX) == \
        datetime(2026, 11, 11, 7, 30, tzinfo=lux)
    # Thursday's long day: 9.5 h; the usual day is the 8.5 h of Tue, Wed and Fri.
    assert bc.business_minutes_between(datetime(2026, 11, 26, 0, tzinfo=lux),
                                       datetime(2026, 11, 27, 0, tzinfo=lux), LUX) == 570
    assert LUX.minutes_per_day == 510 and NEW_YORK.minutes_per_day == 510
    # 9 May (Europe Day) is a Luxembourg public holiday, on a Saturday in 2026.
    assert not LUX.is_business_day(date(2026, 5, 9))
    assert LUX.is_business_day(date(2026, 5, 16))


@settings(max_examples=300, deadline=None)
@given(which=st.sampled_from(range(len(CALENDARS))),
       starts=st.lists(st.integers(0, 400 * 24 * 3600), min_size=1, max_size=20),
       spans=st.lists(st.integers(-30 * 24 * 3600, 60 * 24 * 3600), min_size=20, max_size=20))
def test_the_vectorised_path_agrees_with_the_scalar_path(which: int, starts: list[int],
                                                         spans: list[int]) -> None:
    calendar = CALENDARS[which]
    pairs = [(BASE + timedelta(seconds=s), BASE + timedelta(seconds=s + d))
             for s, d in zip(starts, spans, strict=False)]
    a = np.array([bc.to_us(p[0]) for p in pairs], dtype=np.int64)
    b = np.array([bc.to_us(p[1]) for p in pairs], dtype=np.int64)
    assert list(bc.business_seconds(a, b, calendar)) == [
        calendar.business_seconds_between(s, e) for s, e in pairs]
    assert list(bc.business_minutes(a, b, calendar)) == [
        bc.business_minutes_between(s, e, calendar) for s, e in pairs]


@settings(max_examples=200, deadline=None)
@given(which=st.sampled_from(range(len(CALENDARS))), start=st.integers(0, 400 * 24 * 3600),
       seconds=st.integers(0, 20 * 510 * 60))
def test_adding_then_measuring_gives_back_the_seconds(which: int, start: int,
                                                      seconds: int) -> None:
    calendar = CALENDARS[which]
    begin = BASE + timedelta(seconds=start)
    end = calendar.add_business_seconds(begin, seconds)
    assert calendar.business_seconds_between(begin, end) == seconds
    assert list(bc.business_seconds(np.array([bc.to_us(begin)]), np.array([bc.to_us(end)]),
                                    calendar)) == [seconds]


def test_the_calendar_in_force_is_what_the_module_functions_use() -> None:
    monday = datetime(2026, 11, 23, 10, tzinfo=BXL)
    assert is_open(monday)
    bc.use(LUX)  # Monday is closed there; the autouse fixture puts the default back
    assert not is_open(monday)
    assert bc.active() is LUX
