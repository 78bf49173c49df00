"""The business calendar as the admin keeps it: opening hours per weekday and the time zone
(the ``calendar`` setting), public holidays of a country (``holidays``), and the company's own
closures (``business_closures``).

It takes effect without a restart: ``refresh`` reads it (two small queries) and puts it in
force in this process; the app does so at the start of every run and ``sla.policy_for`` before
every due time it works out, so intake listeners and command-line jobs follow too. The
expensive parts (holiday sets, the per-day tables of the vectorised path) are cached per
calendar value, so an unchanged calendar costs nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import holidays
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.business_calendar import DEFAULT, WEEKDAY_NAMES, BusinessCalendar, Hours
from dashboard.services import audit
from dashboard.services import settings as settings_service
from dashboard.services.errors import ValidationError
from dashboard.services.users import UserInfo
from db.models import BusinessClosure

CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Closure:
    id: int
    day: date
    name: str


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def holiday_countries() -> tuple[str, ...]:
    return tuple(sorted(holidays.list_supported_countries()))


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def to_value(calendar: BusinessCalendar) -> dict[str, Any]:
    """The ``calendar`` setting as stored (closures live in their own table)."""
    return {"time_zone": calendar.time_zone, "holiday_country": calendar.holiday_country,
            "hours": [None if h is None else [_hhmm(h[0]), _hhmm(h[1])]
                      for h in calendar.hours]}


def _from_value(value: Any, closures: frozenset[date]) -> BusinessCalendar:
    if not isinstance(value, dict):
        return BusinessCalendar(closures=closures)
    hours: list[Hours] = []
    for each in value.get("hours") or to_value(DEFAULT)["hours"]:
        hours.append(None if not each else (time.fromisoformat(each[0]),
                                            time.fromisoformat(each[1])))
    return BusinessCalendar(hours=tuple(hours),
                            time_zone=str(value.get("time_zone") or DEFAULT.time_zone),
                            holiday_country=str(value.get("holiday_country") or ""),
                            closures=closures)


def closures(*, session: Session) -> list[Closure]:
    return [Closure(c.id, c.day, c.name) for c in session.scalars(
        select(BusinessClosure).order_by(BusinessClosure.day))]


def load(*, session: Session, saved: settings_service.Stored | None = None
         ) -> BusinessCalendar:
    days = frozenset(session.scalars(select(BusinessClosure.day)))
    if saved is None:
        saved = settings_service.stored(session=session, key=settings_service.CALENDAR)
    return _from_value(saved.value, days)


def refresh(*, session: Session, saved: settings_service.Stored | None = None
            ) -> BusinessCalendar:
    """Read the calendar and put it in force in this process."""
    calendar = load(session=session, saved=saved)
    business_calendar.use(calendar)
    return calendar


def version(*, session: Session) -> int:
    return settings_service.stored(session=session, key=settings_service.CALENDAR).version


def parse(*, hours: list[tuple[str, str] | None], time_zone: str,
          holiday_country: str, closures: frozenset[date] = frozenset()) -> BusinessCalendar:
    """A calendar from what the form holds (per weekday "HH:MM" pairs, None when closed);
    every problem in plain words."""
    problems: list[str] = []
    if len(hours) != 7:
        raise ValidationError(["Give the hours of all seven weekdays."])
    parsed: list[Hours] = []
    for name, each in zip(WEEKDAY_NAMES, hours, strict=True):
        if each is None:
            parsed.append(None)
            continue
        opens, closes = (str(part).strip() for part in each)
        if not CLOCK.fullmatch(opens) or not CLOCK.fullmatch(closes):
            problems.append(f"{name}: write the times as HH:MM, e.g. 08:30 and 17:00.")
            parsed.append(None)
            continue
        window = (time.fromisoformat(opens), time.fromisoformat(closes))
        if window[1] <= window[0]:
            problems.append(f"{name}: the line must close after it opens "
                            f"({opens} to {closes}).")
        parsed.append(window)
    if not problems and all(h is None for h in parsed):
        problems.append("Open the line on at least one weekday: with no opening hours no "
                        "SLA clock could ever run out.")
    if time_zone not in time_zones():
        problems.append(f"{time_zone or 'An empty name'} is not a time zone; pick one such "
                        "as Europe/Brussels.")
    if holiday_country and holiday_country not in holiday_countries():
        problems.append(f"No public holidays are known for {holiday_country}.")
    if problems:
        raise ValidationError(problems)
    return BusinessCalendar(hours=tuple(parsed), time_zone=time_zone,
                            holiday_country=holiday_country, closures=closures)


def save(*, session: Session, calendar: BusinessCalendar, version: int,
         by: UserInfo) -> BusinessCalendar:
    """Save the hours, zone and holiday country over the version the admin saw."""
    settings_service.save(session=session, key=settings_service.CALENDAR,
                          value=to_value(calendar), version=version, by=by,
                          what="business calendar")
    # Put in force by the next run's ``refresh``, once this transaction is committed.
    return calendar


def add_closure(*, session: Session, day: date, name: str, by: UserInfo) -> Closure:
    name = name.strip()
    problems = []
    if not 1 <= len(name) <= 80:
        problems.append("Say why the company is closed (1 to 80 characters), e.g. "
                        "\"Bridge day\".")
    if session.scalar(select(BusinessClosure.id).where(BusinessClosure.day == day)):
        problems.append(f"{day.strftime('%d/%m/%Y')} is already a closure.")
    if problems:
        raise ValidationError(problems)
    row = BusinessClosure(day=day, name=name)
    session.add(row)
    session.flush()
    audit.record(session=session, action="closure_added", user_id=by.id,
                 username=by.username, entity_type="business_closure", entity_id=row.id,
                 before=None, after={"day": day.isoformat(), "name": name})
    return Closure(row.id, row.day, row.name)


def remove_closure(*, session: Session, closure_id: int, by: UserInfo) -> None:
    row = session.get(BusinessClosure, closure_id)
    if row is None:
        raise ValidationError(["That closure was already removed — reload."])
    before = {"day": row.day.isoformat(), "name": row.name}
    session.execute(delete(BusinessClosure).where(BusinessClosure.id == closure_id))
    audit.record(session=session, action="closure_removed", user_id=by.id,
                 username=by.username, entity_type="business_closure", entity_id=closure_id,
                 before=before, after=None)


def describe(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    """(weekday, "08:30–17:00" or "Closed") for the page."""
    return [(name, "Closed" if h is None else f"{_hhmm(h[0])}–{_hhmm(h[1])}")
            for name, h in zip(WEEKDAY_NAMES, calendar.hours, strict=True)]


def days_off(calendar: BusinessCalendar, start: date, days: int,
             closure_names: dict[date, str] | None = None) -> list[tuple[date, str]]:
    """Weekdays the line would open but does not, from ``start`` on: (day, why)."""
    found = []
    names: dict[int, holidays.HolidayBase] = {}
    for offset in range(days):
        day = date.fromordinal(start.toordinal() + offset)
        if calendar.hours[day.weekday()] is None:
            continue
        if day in calendar.closures:
            name = (closure_names or {}).get(day, "").strip()
            found.append((day, f"Company closure: {name}" if name else "Company closure"))
        elif calendar.is_holiday(day):
            if day.year not in names:
                names[day.year] = holidays.country_holidays(calendar.holiday_country,
                                                            years=day.year)
            found.append((day, f"Public holiday: {names[day.year].get(day)}"))
    return found
