"""The business calendar: Mon–Fri 08:30–17:00 Brussels, Belgian holidays excluded."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.business_calendar import add_business_minutes, business_minutes_between, is_open

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
    import numpy as np

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
