"""Team-lead metrics: the one definition of each number the metrics and balances pages show.

``ENQUIRY_DEFINITIONS`` and ``BALANCE_DEFINITIONS`` say, in words, what each metric counts,
from which timestamps and in which hours; the pages show them as they are, and the code
below (and ``portfolio``) is the only place that computes them.

Counting happens in SQL (GROUP BY per UTC hour, so a Brussels day or weekday is a sum of
whole hours). Business-hours durations need the Belgian calendar, so they are computed in
Python, vectorised, over the bounded set of clocks that stopped in the two periods compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    cast,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.business_calendar import (
    BRUSSELS,
    US_PER_MINUTE,
    business_minutes,
    business_minutes_of,
    business_seconds,
    start_of_day,
    to_us,
)
from db.models import OPEN_ENQUIRY_STATUSES, Customer, Enquiry, Team, User

Ints = npt.NDArray[np.int64]

US_PER_HOUR = 60 * US_PER_MINUTE
UNASSIGNED = "Unassigned"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# First response is measured apart for what is written (waits for an answer) and for calls,
# answered as they are taken: together, the calls' zeros would hide the written waits.
WRITTEN_CHANNELS = ("email", "fax", "web")
LIVE_CHANNELS = ("phone",)
WRITTEN = Enquiry.channel.in_(WRITTEN_CHANNELS)

_ALL_HOURS = "calendar time, every hour"
_BUSINESS = "business minutes: Mon–Fri 08:30–17:00 Brussels, not on Belgian public holidays"
ENQUIRY_DEFINITIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Received", "Enquiries that arrived in the range", "created_at", _ALL_HOURS),
    ("Resolved", "Enquiries resolved or closed in the range and not reopened since",
     "resolved_at (the latest resolution)", _ALL_HOURS),
    ("Backlog", "Enquiries not resolved at the end of the range (now, when it ends today)",
     "created_at, resolved_at", _ALL_HOURS),
    ("First-response time (written)", "Median and 90th percentile of the wait for the first "
     "answer, over e-mail, fax and web enquiries first answered in the range",
     "created_at → first_response_at", _BUSINESS),
    ("Calls answered live", "Phone enquiries first answered in the range: a call is answered "
     "as it is taken, so it is counted apart and its wait (usually 0) is not in the written "
     "figure", "created_at → first_response_at", _BUSINESS),
    ("Resolution time", "Median and 90th percentile over enquiries resolved in the range, "
     "less the time not counted: pending the customer, and, for a reopened enquiry, the time "
     "it stood resolved (one clock from arrival to the last resolution, like a pause)",
     "created_at → resolved_at, minus paused_seconds (to the second)", _BUSINESS),
    ("SLA first response", "Of the written enquiries (e-mail, fax, web) whose first-response "
     "due time passed in the range, the share answered by then; unanswered ones pending the "
     "customer (clock paused) are left out. Calls are answered as they are taken",
     "first_response_due_at, first_response_at",
     "due times are set in business minutes and moved on by pauses"),
    ("SLA resolution", "Of the enquiries whose resolution due time passed in the range, "
     "the share resolved by then; unresolved ones pending the customer are left out",
     "resolution_due_at, resolved_at", "due times are set in business minutes and moved "
     "on by pauses"),
    ("Reopen rate", "Of the enquiries received in the range that were resolved at least "
     "once, the share reopened at least once", "created_at, reopen_count", "—"),
    ("Handling time", "Per person: median resolution time of the enquiries they resolved "
     "in the range (the current assignee)", "as resolution time", _BUSINESS),
    ("Heat map", "Enquiries received per weekday and hour", "created_at",
     "Brussels clock time"),
    ("Change", "Against the same number of days just before (for ranges shorter than a "
     "week: the same days a week earlier)", "—", "—"),
)
ENQUIRY_FOOTNOTE = ("Merged duplicates are left out everywhere. Filters use the enquiry's "
                    "current team, assignee, channel, category and priority, and the "
                    "customer's segment. Days and weeks are Brussels calendar days "
                    "(weeks start on Monday). Percentiles interpolate between the nearest "
                    "values, as a spreadsheet's PERCENTILE.INC does.")

BALANCE_DEFINITIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Receivables", "Open amounts of invoices, less open credit notes and money received "
     "but not yet allocated — the sum of the customers' balances, as in their header and "
     "statement. A cancelled invoice and its credit notes are both left out",
     "issue_date, payment allocations up to the day (allocated_on), received_on",
     "as of the end of the day"),
    ("Ageing bucket", "Days past due on that day of each open invoice: current (not yet due, "
     "or due that day), 1–30, 31–60, 61–90, more than 90. Each customer's open credit notes "
     "and money on account are set against their oldest amounts due first, so no bucket is "
     "negative; a credit left over shows as a negative current — as on the statement",
     "due_date", "calendar days"),
    ("Overdue", "Every ageing bucket after current, with credits set against the oldest "
     "amounts first — as in the customer header and statement", "due_date, open amount",
     "calendar days"),
    ("DSO", "Receivables at the month end ÷ amount invoiced (less credit notes) in the "
     "three months up to it × the days in those months", "issue_date, month ends",
     "calendar days"),
    ("Disputed", "Open amounts of invoices marked disputed", "is_disputed, open amount",
     "now"),
    ("Invoiced / paid", "Invoices and credit notes by issue month; payments by the month "
     "they were received", "issue_date, received_on", "calendar months"),
)
BALANCE_FOOTNOTE = ("Month ends are the last day of each month; the current month is shown "
                    "as of today. Past months are closed: worked out once, the first time "
                    "they are shown after they end, and kept, so they are filtered by the "
                    "segment, country and account manager customers had then, and a payment "
                    "booked later into a closed month does not change them (an administrator "
                    "can work them out again). Today's figures use the customers' current "
                    "segment, country and account manager.")


def definitions_markdown(rows: Iterable[tuple[str, str, str, str]], footnote: str) -> str:
    """The definitions as a Markdown table, with the footnote under it."""
    lines = ["| Metric | What is counted | Timestamps | Hours |", "|---|---|---|---|"]
    lines += [f"| **{name}** | {what} | {stamps} | {hours} |"
              for name, what, stamps, hours in rows]
    return "\n".join(lines) + f"\n\n{footnote}"


# --- date ranges ---------------------------------------------------------------------------

PRESETS = ("today", "this_week", "last_7", "last_30", "last_90", "this_quarter", "custom")
PRESET_LABELS = {"today": "Today", "this_week": "This week", "last_7": "Last 7 days",
                 "last_30": "Last 30 days", "last_90": "Last 90 days",
                 "this_quarter": "This quarter", "custom": "Custom"}


@dataclass(frozen=True)
class Period:
    """Whole Brussels calendar days, ``first_day`` to ``last_day`` inclusive."""

    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return start_of_day(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return start_of_day(self.last_day + timedelta(days=1))

    def previous(self) -> Period:
        """Compared with: the same number of days before, a week back for short ranges."""
        shift = timedelta(days=7 if self.days < 7 else self.days)
        return Period(self.first_day - shift, self.last_day - shift)

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]


def preset_period(preset: str, today: date, custom: tuple[date, date] | None = None
                  ) -> Period:
    if preset == "today":
        return Period(today, today)
    if preset == "this_week":
        return Period(today - timedelta(days=today.weekday()), today)
    if preset in ("last_7", "last_30", "last_90"):
        return Period(today - timedelta(days=int(preset.split("_")[1]) - 1), today)
    if preset == "this_quarter":
        return Period(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if preset == "custom" and custom is not None:
        first, last = sorted(custom)
        return Period(first, min(last, today))
    raise ValueError(f"unknown preset {preset!r}")


# --- filters -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EnquiryFilter:
    team_id: int | None = None
    assignee_id: int | None = None
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()


# Nearly every enquiry: as a plain IS NULL, SQLite's statistics take it for a rare value and
# read the table through an index on it. Written so, it is checked on the covering indexes.
NOT_MERGED = func.coalesce(Enquiry.merged_into_id, 0) == 0


def _unindexed(column: Any) -> Any:
    """The column in a form no index serves. The metrics read a time range through the
    indexes that cover it and the filters; an index on the filter column would lead the
    planner (SQLite's, on rough statistics, takes a team for a few rows) to visit every
    enquiry of that team or person instead."""
    return column + 0


def conditions(flt: EnquiryFilter) -> list[ColumnElement[bool]]:
    """The filter as WHERE conditions; merged duplicates never count."""
    where: list[ColumnElement[bool]] = [NOT_MERGED]
    if flt.team_id is not None:
        where.append(_unindexed(Enquiry.team_id) == flt.team_id)
    if flt.assignee_id is not None:
        where.append(_unindexed(Enquiry.assignee_id) == flt.assignee_id)
    for column, values in ((Enquiry.channel, flt.channels), (Enquiry.category, flt.categories),
                           (Enquiry.priority, flt.priorities)):
        if values:
            where.append(column.in_(values))
    if flt.segments:
        where.append(_unindexed(Enquiry.customer_id).in_(
            select(Customer.id).where(Customer.segment.in_(flt.segments))))
    return where


@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class FilterOptions:
    teams: tuple[Option, ...]
    people: tuple[Option, ...]


def filter_options(*, session: Session) -> FilterOptions:
    """Teams, and the people who hold or held enquiries (active ones first)."""
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name))
    people = session.execute(select(User.id, User.full_name)
                             .order_by(User.is_active.desc(), User.full_name))
    return FilterOptions(tuple(Option(*t) for t in teams), tuple(Option(*p) for p in people))


# --- SQL helpers ---------------------------------------------------------------------------

class _Stamps:
    """Timestamps fetched in their cheapest exact form, and turned into numbers by numpy.

    PostgreSQL gives microseconds since the epoch; SQLite keeps the UTC text
    'YYYY-MM-DD HH:MM:SS.ffffff', which numpy parses far faster than SQLite's date
    functions would (a missing moment comes back as the epoch: 0).
    """

    _EPOCH_TEXT = "1970-01-01 00:00:00.000000"

    def __init__(self, session: Session) -> None:
        self.postgres = session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def _postgres_us(column: Any) -> Any:
        # date_part's float seconds hold whole microseconds exactly until about 2240, and
        # cost far less per row than EXTRACT's numeric.
        return cast(func.round(func.date_part("epoch", column) * 1_000_000), BigInteger)

    def moment(self, column: Any) -> Any:
        if self.postgres:
            return func.coalesce(self._postgres_us(column), 0)
        return func.coalesce(type_coerce(column, String), self._EPOCH_TEXT)

    def moments(self, values: Sequence[Any]) -> Ints:
        """Microseconds since the epoch of what ``moment`` fetched."""
        if self.postgres:
            return np.asarray(values, dtype=np.int64)
        return np.asarray(values, dtype="datetime64[us]").astype(np.int64)

    def hour(self, column: Any) -> Any:
        """A key per UTC hour. Brussels is a whole number of hours off UTC, so a Brussels
        day, or weekday and hour, is a set of these."""
        if self.postgres:
            return self._postgres_us(column) // US_PER_HOUR
        return func.substr(type_coerce(column, String), 1, 13)

    def hours(self, values: Sequence[Any]) -> Ints:
        """Hours since the epoch of what ``hour`` grouped by."""
        if self.postgres:
            return np.asarray(values, dtype=np.int64)
        return np.asarray(values, dtype="datetime64[h]").astype(np.int64)


def _local(hours: Any) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray(hours, dtype=np.int64) * 3600, unit="s",
                          utc=True).tz_convert(BRUSSELS)


def _hour(moment: datetime) -> int:
    return to_us(moment) // US_PER_HOUR


# --- the numbers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def pct(self) -> float | None:
        return 100.0 * self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of durations in business minutes."""

    count: int
    median: float | None
    p90: float | None


def spread(minutes: Ints) -> Spread:
    if minutes.size == 0:
        return Spread(0, None, None)
    median, p90 = np.percentile(minutes, [50, 90])  # linear, as PERCENTILE.INC
    return Spread(int(minutes.size), float(median), float(p90))


@dataclass(frozen=True)
class Kpis:
    received: int
    resolved: int
    backlog: int
    first_response: Spread          # written channels
    answered_live: Spread           # calls
    resolution: Spread
    first_response_sla: Share
    resolution_sla: Share
    reopened: Share


@dataclass(frozen=True)
class EnquiryMetrics:
    period: Period
    previous: Period
    current: Kpis
    earlier: Kpis
    daily: pd.DataFrame            # day, received, resolved, backlog (at the end of the day)
    heatmap: pd.DataFrame          # weekday (0 = Monday), hour, received
    first_response_times: pd.DataFrame  # band, enquiries (written channels)
    resolution_times: pd.DataFrame      # band, enquiries
    sla_weekly: pd.DataFrame       # week, first_response_met/_due, resolution_met/_due
    by_channel: pd.DataFrame       # channel, received
    by_category: pd.DataFrame      # category, received
    people: pd.DataFrame           # person_id, person, open_now, resolved, median_handling


# Duration bands for the distributions, in business minutes: under an hour, hours, then days
# (of the calendar in force: its usual open day).
def bands() -> tuple[int, ...]:
    day = business_calendar.active().minutes_per_day
    return (0, 30, 60, 120, 240, day, 2 * day, 3 * day, 5 * day, 10 * day)


BAND_LABELS = ("< 30 min", "30–60 min", "1–2 h", "2–4 h", "4 h–1 d", "1–2 d", "2–3 d",
               "3–5 d", "5–10 d", "10 d or more")


def band_of(minutes: Ints) -> Ints:
    """Index into BAND_LABELS of each duration."""
    return np.asarray(np.searchsorted(np.array(bands()[1:]), minutes, side="right"),
                      dtype=np.int64)


def _band_counts(minutes: Ints) -> pd.DataFrame:
    counts = np.bincount(band_of(minutes), minlength=len(BAND_LABELS))
    return pd.DataFrame({"band": BAND_LABELS, "enquiries": counts.astype(int)})


@dataclass(frozen=True)
class _Stops:
    """Clocks that stopped in the periods compared (µs since the epoch; 0 = not stopped)."""

    created: Ints
    first_response: Ints
    resolved: Ints
    paused_seconds: Ints
    assignee: Ints         # 0 = nobody
    live: npt.NDArray[np.bool_]   # a call (LIVE_CHANNELS), not written

    def first_response_minutes(self, start: int, end: int, *, live: bool = False
                               ) -> tuple[Ints, Ints]:
        """(row positions, minutes) of first answers given in [start, end), to written
        enquiries (or, with ``live``, to calls)."""
        rows = np.flatnonzero((self.first_response >= start) & (self.first_response < end)
                              & (self.live == live))
        return rows, business_minutes(self.created[rows], self.first_response[rows])

    def resolution_minutes(self, start: int, end: int) -> tuple[Ints, Ints]:
        """(row positions, whole minutes of the business seconds not paused) of resolutions
        in [start, end)."""
        rows = np.flatnonzero((self.resolved >= start) & (self.resolved < end))
        elapsed = business_seconds(self.created[rows], self.resolved[rows])
        return rows, np.maximum(elapsed - self.paused_seconds[rows], 0) // 60


def _stops(session: Session, flt: EnquiryFilter, start: datetime, end: datetime) -> _Stops:
    """First answers given in [start, end); resolutions since ``start`` (later ones too: the
    backlog of past days is today's, undoing what was resolved since)."""
    stamps = _Stamps(session)
    answered = and_(Enquiry.first_response_at >= start, Enquiry.first_response_at < end)
    columns = (stamps.moment(Enquiry.created_at), stamps.moment(Enquiry.first_response_at),
               stamps.moment(Enquiry.resolved_at), Enquiry.paused_seconds,
               func.coalesce(Enquiry.assignee_id, 0), Enquiry.channel)
    # Two ranges, each read from the index that covers it (an OR would visit the rows).
    rows = session.execute(union_all(
        select(*columns).where(*conditions(flt), answered),
        select(*columns).where(*conditions(flt), Enquiry.resolved_at >= start,
                               or_(Enquiry.first_response_at.is_(None), ~answered)))).all()
    created, first, resolved, paused, assignee, channel = (zip(*rows, strict=True) if rows
                                                           else [()] * 6)
    return _Stops(stamps.moments(created), stamps.moments(first), stamps.moments(resolved),
                  np.asarray(paused, dtype=np.int64), np.asarray(assignee, dtype=np.int64),
                  np.isin(np.asarray(channel, dtype=object), LIVE_CHANNELS))


def _per_hour(session: Session, stamps: _Stamps, query: Any, columns: list[str]
              ) -> pd.DataFrame:
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["hour"] = stamps.hours(list(frame["hour"]))
    return frame.astype("int64")


def _arrivals(session: Session, flt: EnquiryFilter, since: datetime) -> pd.DataFrame:
    """Per UTC hour since ``since``: received, resolved at least once, reopened."""
    stamps = _Stamps(session)
    hour = stamps.hour(Enquiry.created_at).label("hour")
    settled = or_(Enquiry.resolved_at.is_not(None), Enquiry.reopen_count > 0)
    query = (select(hour, func.count(), func.count().filter(settled),
                    func.count().filter(Enquiry.reopen_count > 0))
             .where(*conditions(flt), Enquiry.created_at >= since).group_by(hour))
    return _per_hour(session, stamps, query, ["hour", "received", "settled", "reopened"])


def _departures(stops: _Stops) -> pd.DataFrame:
    """Per UTC hour: resolutions that still stand (those the stops hold)."""
    hours, counts = np.unique(stops.resolved[stops.resolved > 0] // US_PER_HOUR,
                              return_counts=True)
    return pd.DataFrame({"hour": hours, "resolved": counts}, dtype="int64")


def _due(session: Session, flt: EnquiryFilter, due: Any, done: Any, start: datetime,
         end: datetime, *only: ColumnElement[bool]) -> pd.DataFrame:
    """Per UTC hour of the due time in [start, end): clocks due, and met in time."""
    stamps = _Stamps(session)
    hour = stamps.hour(due).label("hour")
    paused = and_(done.is_(None), Enquiry.status == "pending_customer")
    met = and_(done.is_not(None), done <= due)
    query = (select(hour, func.count(), func.count().filter(met))
             .where(*conditions(flt), due >= start, due < end, ~paused, *only)
             .group_by(hour))
    return _per_hour(session, stamps, query, ["hour", "due", "met"])


def _open_by_assignee(session: Session, flt: EnquiryFilter) -> dict[int, int]:
    # Grouped by the expression, SQLite reads the few open enquiries by status instead of
    # walking every enquiry in assignee order.
    person = func.coalesce(Enquiry.assignee_id, 0)
    rows = session.execute(
        select(person, func.count())
        .where(*conditions(flt), Enquiry.status.in_(OPEN_ENQUIRY_STATUSES))
        .group_by(person))
    return {int(person): int(n) for person, n in rows}


def _mix(session: Session, flt: EnquiryFilter, period: Period) -> pd.DataFrame:
    rows = session.execute(
        select(Enquiry.channel, Enquiry.category, func.count())
        .where(*conditions(flt), Enquiry.created_at >= period.start,
               Enquiry.created_at < period.end)
        .group_by(Enquiry.channel, Enquiry.category)).all()
    return pd.DataFrame(rows, columns=["channel", "category", "received"])


def _in(frame: pd.DataFrame, period: Period) -> Any:
    return (frame["hour"] >= _hour(period.start)) & (frame["hour"] < _hour(period.end))


def _sum_in(frame: pd.DataFrame, column: str, period: Period) -> int:
    return int(frame.loc[_in(frame, period), column].sum())


class _Backlog:
    """Open enquiries at any past hour: today's count, undoing what came and went since."""

    def __init__(self, open_now: int, arrivals: pd.DataFrame, departures: pd.DataFrame,
                 now: datetime) -> None:
        self.open_now, self.now = open_now, now
        self._arrived = self._suffix(arrivals["hour"], arrivals["received"])
        self._left = self._suffix(departures["hour"], departures["resolved"])

    @staticmethod
    def _suffix(hours: Any, counts: Any) -> tuple[Ints, Ints]:
        order = np.argsort(np.asarray(hours, dtype=np.int64))
        sorted_hours = np.asarray(hours, dtype=np.int64)[order]
        after = np.concatenate((np.cumsum(np.asarray(counts, dtype=np.int64)[order][::-1])
                                [::-1], [0]))
        return sorted_hours, after.astype(np.int64)

    @staticmethod
    def _since(series: tuple[Ints, Ints], hour: int) -> int:
        hours, after = series
        return int(after[np.searchsorted(hours, hour, side="left")])

    def at(self, moment: datetime) -> int:
        if moment >= self.now:
            return self.open_now
        hour = _hour(moment)
        return self.open_now - self._since(self._arrived, hour) + self._since(self._left, hour)


def _kpis(period: Period, arrivals: pd.DataFrame, departures: pd.DataFrame,
          backlog: _Backlog, stops: _Stops, first_due: pd.DataFrame,
          resolution_due: pd.DataFrame) -> Kpis:
    start, end = to_us(period.start), to_us(period.end)
    return Kpis(
        received=_sum_in(arrivals, "received", period),
        resolved=_sum_in(departures, "resolved", period),
        backlog=backlog.at(period.end),
        first_response=spread(stops.first_response_minutes(start, end)[1]),
        answered_live=spread(stops.first_response_minutes(start, end, live=True)[1]),
        resolution=spread(stops.resolution_minutes(start, end)[1]),
        first_response_sla=Share(_sum_in(first_due, "met", period),
                                 _sum_in(first_due, "due", period)),
        resolution_sla=Share(_sum_in(resolution_due, "met", period),
                             _sum_in(resolution_due, "due", period)),
        reopened=Share(_sum_in(arrivals, "reopened", period),
                       _sum_in(arrivals, "settled", period)),
    )


def _per_local_day(frame: pd.DataFrame, column: str, period: Period) -> pd.Series:
    inside = frame.loc[_in(frame, period)]
    days = pd.Series(_local(inside["hour"]).date, index=inside.index)
    return inside[column].groupby(days).sum()


def _daily(period: Period, arrivals: pd.DataFrame, departures: pd.DataFrame,
           backlog: _Backlog) -> pd.DataFrame:
    days = period.day_list()
    received = _per_local_day(arrivals, "received", period)
    resolved = _per_local_day(departures, "resolved", period)
    return pd.DataFrame({
        "day": days,
        "received": [int(received.get(d, 0)) for d in days],
        "resolved": [int(resolved.get(d, 0)) for d in days],
        "backlog": [backlog.at(start_of_day(d + timedelta(days=1))) for d in days],
    })


def _heatmap(period: Period, arrivals: pd.DataFrame) -> pd.DataFrame:
    inside = arrivals.loc[_in(arrivals, period)]
    local = _local(inside["hour"])
    counts = (pd.DataFrame({"weekday": local.day_of_week, "hour": local.hour,
                            "received": inside["received"].to_numpy()})
              .groupby(["weekday", "hour"])["received"].sum())
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    return counts.reindex(grid, fill_value=0).reset_index()


def _weekly(period: Period, first_due: pd.DataFrame, resolution_due: pd.DataFrame
            ) -> pd.DataFrame:
    def per_week(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        inside = frame.loc[_in(frame, period)]
        days = _local(inside["hour"]).normalize().tz_localize(None)
        weeks = (days - pd.to_timedelta(days.day_of_week, unit="D")).date
        return (inside[["due", "met"]].groupby(weeks).sum()
                .rename(columns={"due": f"{prefix}_due", "met": f"{prefix}_met"}))

    first = period.first_day - timedelta(days=period.first_day.weekday())
    weeks = [first + timedelta(days=7 * i) for i in range((period.last_day - first).days // 7 + 1)]
    frame = pd.concat([per_week(first_due, "first_response"),
                       per_week(resolution_due, "resolution")], axis=1)
    frame = frame.reindex(weeks, fill_value=0).fillna(0).astype(int)
    return frame.rename_axis("week").reset_index()


def _people(session: Session, open_now: dict[int, int], stops: _Stops, period: Period
            ) -> pd.DataFrame:
    rows, minutes = stops.resolution_minutes(to_us(period.start), to_us(period.end))
    resolved = pd.DataFrame({"person_id": stops.assignee[rows], "minutes": minutes})
    handled = resolved.groupby("person_id")["minutes"].agg(["count", "median"])
    ids = sorted(set(open_now) | {int(i) for i in handled.index})
    names = dict(session.execute(select(User.id, User.full_name)
                                 .where(User.id.in_([i for i in ids if i]))).all())
    frame = pd.DataFrame({
        "person_id": ids,
        "person": [names.get(i, UNASSIGNED) if i else UNASSIGNED for i in ids],
        "open_now": [open_now.get(i, 0) for i in ids],
        "resolved": [int(handled["count"].get(i, 0)) for i in ids],
        "median_handling": [float(handled["median"][i]) if i in handled.index else None
                            for i in ids],
    })
    return frame.sort_values(["open_now", "resolved"], ascending=False, ignore_index=True)


def _counts_by(mix: pd.DataFrame, column: str, values: Sequence[str]) -> pd.DataFrame:
    sums = mix.groupby(column)["received"].sum() if not mix.empty else pd.Series(dtype=int)
    return pd.DataFrame({column: list(values),
                         "received": [int(sums.get(v, 0)) for v in values]})


def enquiry_metrics(*, session: Session, period: Period, flt: EnquiryFilter, now: datetime
                    ) -> EnquiryMetrics:
    """Every number of the metrics page for ``period`` and the one before it."""
    from dashboard.services.balances import roomy_aggregates
    from db.models import CATEGORIES, CHANNELS

    roomy_aggregates(session)
    previous = period.previous()
    since, due_until = previous.start, min(period.end, now)
    arrivals = _arrivals(session, flt, since)
    stops = _stops(session, flt, since, period.end)
    departures = _departures(stops)
    open_now = _open_by_assignee(session, flt)
    backlog = _Backlog(sum(open_now.values()), arrivals, departures, now)
    first_due = _due(session, flt, Enquiry.first_response_due_at, Enquiry.first_response_at,
                     since, due_until, WRITTEN)
    resolution_due = _due(session, flt, Enquiry.resolution_due_at, Enquiry.resolved_at,
                          since, due_until)
    mix = _mix(session, flt, period)
    start, end = to_us(period.start), to_us(period.end)
    return EnquiryMetrics(
        period=period, previous=previous,
        current=_kpis(period, arrivals, departures, backlog, stops, first_due,
                      resolution_due),
        earlier=_kpis(previous, arrivals, departures, backlog, stops, first_due,
                      resolution_due),
        daily=_daily(period, arrivals, departures, backlog),
        heatmap=_heatmap(period, arrivals),
        first_response_times=_band_counts(stops.first_response_minutes(start, end)[1]),
        resolution_times=_band_counts(stops.resolution_minutes(start, end)[1]),
        sla_weekly=_weekly(period, first_due, resolution_due),
        by_channel=_counts_by(mix, "channel", CHANNELS),
        by_category=_counts_by(mix, "category", CATEGORIES),
        people=_people(session, open_now, stops, period),
    )


# --- drill-down: the enquiries behind a number ---------------------------------------------

DRILL_LABELS = {
    "received": "Received", "resolved": "Resolved", "backlog": "Backlog (not resolved)",
    "first_response": "First answered", "resolution": "Resolved (resolution time)",
    "first_response_missed": "First-response SLA missed",
    "resolution_missed": "Resolution SLA missed", "reopened": "Reopened",
    "channel": "Channel", "category": "Category", "person_open": "Open, held by",
    "person_resolved": "Resolved by", "heat": "Received at",
}
DRILL_LIMIT = 200
_ID_CHUNK = 5_000


@dataclass(frozen=True)
class Drill:
    """What was picked: a kind of number, narrowed to one bar or cell when one was chosen."""

    kind: str
    day: date | None = None        # a day of the range (received, resolved, backlog)
    week: date | None = None       # the Monday of a week (SLA misses)
    value: str | None = None       # a channel, a category, or a duration band label
    person_id: int | None = None   # 0: nobody
    weekday: int | None = None     # 0 = Monday (heat map)
    hour: int | None = None


@dataclass(frozen=True)
class DrillRow:
    id: int
    reference: str
    subject: str
    customer_number: str | None
    customer_name: str | None
    channel: str
    category: str
    priority: str
    status: str
    assignee: str | None
    received_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_minutes: int | None
    resolution_minutes: int | None
    first_response_sla: str        # sla.LABELS of the clock's state, "" without an SLA
    resolution_sla: str


@dataclass(frozen=True)
class DrillResult:
    rows: tuple[DrillRow, ...]
    total: int


def _span(period: Period, day: date | None) -> tuple[datetime, datetime]:
    if day is None:
        return period.start, period.end
    return start_of_day(day), start_of_day(day + timedelta(days=1))


def _week_span(period: Period, week: date | None, now: datetime) -> tuple[datetime, datetime]:
    start, end = period.start, min(period.end, now)
    if week is not None:
        start = max(start, start_of_day(week))
        end = min(end, start_of_day(week + timedelta(days=7)))
    return start, end


def _between(column: Any, span: tuple[datetime, datetime]) -> ColumnElement[bool]:
    return and_(column >= span[0], column < span[1])


def _open_at(moment: datetime, now: datetime) -> ColumnElement[bool]:
    if moment >= now:
        return Enquiry.status.in_(OPEN_ENQUIRY_STATUSES)
    return and_(Enquiry.created_at < moment,
                or_(Enquiry.resolved_at.is_(None), Enquiry.resolved_at >= moment))


def _missed(due: Any, done: Any, span: tuple[datetime, datetime]) -> ColumnElement[bool]:
    paused = and_(done.is_(None), Enquiry.status == "pending_customer")
    return and_(_between(due, span), ~paused, or_(done.is_(None), done > due))


def _person(person_id: int | None) -> ColumnElement[bool]:
    return Enquiry.assignee_id.is_(None) if not person_id else Enquiry.assignee_id == person_id


def _heat_hours(period: Period, weekday: int, hour: int) -> ColumnElement[bool]:
    from datetime import time

    starts = [datetime.combine(d, time(hour), tzinfo=BRUSSELS).astimezone(UTC)
              for d in period.day_list() if d.weekday() == weekday]
    return or_(*(_between(Enquiry.created_at, (s, s + timedelta(hours=1))) for s in starts),
               Enquiry.id.is_(None))


def _drill_where(drill: Drill, period: Period, now: datetime) -> ColumnElement[bool]:
    span = _span(period, drill.day)
    kind = drill.kind
    if kind in ("received", "first_response", "resolution"):
        column = {"received": Enquiry.created_at, "first_response": Enquiry.first_response_at,
                  "resolution": Enquiry.resolved_at}[kind]
        return _between(column, span)
    if kind == "resolved":
        return _between(Enquiry.resolved_at, span)
    if kind == "backlog":
        return _open_at(span[1], now)
    if kind == "first_response_missed":
        return and_(WRITTEN, _missed(Enquiry.first_response_due_at, Enquiry.first_response_at,
                                     _week_span(period, drill.week, now)))
    if kind == "resolution_missed":
        return _missed(Enquiry.resolution_due_at, Enquiry.resolved_at,
                       _week_span(period, drill.week, now))
    if kind == "reopened":
        return and_(_between(Enquiry.created_at, span), Enquiry.reopen_count > 0)
    if kind in ("channel", "category"):
        kind_column = Enquiry.channel if kind == "channel" else Enquiry.category
        return and_(_between(Enquiry.created_at, span), kind_column == drill.value)
    if kind == "person_open":
        return and_(Enquiry.status.in_(OPEN_ENQUIRY_STATUSES), _person(drill.person_id))
    if kind == "person_resolved":
        return and_(_between(Enquiry.resolved_at, span), _person(drill.person_id))
    if kind == "heat":
        return _heat_hours(period, drill.weekday or 0, drill.hour or 0)
    raise ValueError(f"unknown drill-down {kind!r}")


def _ids_in_band(session: Session, where: list[ColumnElement[bool]], drill: Drill
                 ) -> list[int]:
    """Enquiries whose first-response or resolution time falls in the band, newest first."""
    stamps = _Stamps(session)
    end = Enquiry.first_response_at if drill.kind == "first_response" else Enquiry.resolved_at
    rows = session.execute(
        select(Enquiry.id, stamps.moment(Enquiry.created_at), stamps.moment(end),
               Enquiry.paused_seconds).where(*where)).all()
    if not rows:
        return []
    ids, created, stopped, paused = zip(*rows, strict=True)
    starts = stamps.moments(created)
    if drill.kind == "resolution":
        minutes = np.maximum(business_seconds(starts, stamps.moments(stopped))
                             - np.asarray(paused, dtype=np.int64), 0) // 60
    else:
        minutes = business_minutes(starts, stamps.moments(stopped))
    chosen = np.flatnonzero(band_of(minutes) == BAND_LABELS.index(drill.value or ""))
    newest_first = chosen[np.argsort(-starts[chosen], kind="stable")]
    return [int(ids[i]) for i in newest_first]


def drill_down(*, session: Session, period: Period, flt: EnquiryFilter, drill: Drill,
               now: datetime, limit: int = DRILL_LIMIT) -> DrillResult:
    """The enquiries behind a number, newest first, and how many there are in all."""
    where = [*conditions(flt), _drill_where(drill, period, now)]
    if drill.kind == "first_response" and drill.value in BAND_LABELS:
        where.append(Enquiry.channel.in_(WRITTEN_CHANNELS))  # the bands are written ones
    if drill.kind in ("first_response", "resolution") and drill.value in BAND_LABELS:
        ids = _ids_in_band(session, where, drill)
        return DrillResult(_rows_by_ids(session, ids[:limit], now), len(ids))
    total = session.scalar(select(func.count()).select_from(Enquiry).where(*where)) or 0
    ids = list(session.scalars(select(Enquiry.id).where(*where)
                               .order_by(Enquiry.created_at.desc(), Enquiry.id.desc())
                               .limit(limit)))
    return DrillResult(_rows_by_ids(session, ids, now), int(total))


def _rows_by_ids(session: Session, ids: list[int], now: datetime) -> tuple[DrillRow, ...]:
    found: dict[int, DrillRow] = {}
    for chunk in range(0, len(ids), _ID_CHUNK):
        found.update(_fetch_rows(session, ids[chunk:chunk + _ID_CHUNK], now))
    return tuple(found[i] for i in ids if i in found)


def _sla_label(due: datetime | None, done: datetime | None, paused: bool,
               now: datetime) -> str:
    """The clock's state as the queue shows it (sla.clock), '' without an SLA."""
    from dashboard.services import sla

    if due is None:
        return ""
    return sla.clock(due_at=due, target_minutes=None, done_at=done, paused=paused,
                     now=now).label


def _fetch_rows(session: Session, ids: list[int], now: datetime) -> dict[int, DrillRow]:
    rows = session.execute(
        select(Enquiry.id, Enquiry.reference, Enquiry.subject, Customer.customer_number,
               Customer.name, Enquiry.channel, Enquiry.category, Enquiry.priority,
               Enquiry.status, User.full_name, Enquiry.created_at, Enquiry.first_response_at,
               Enquiry.resolved_at, Enquiry.paused_seconds, Enquiry.first_response_due_at,
               Enquiry.resolution_due_at)
        .outerjoin(Customer, Customer.id == Enquiry.customer_id)
        .outerjoin(User, User.id == Enquiry.assignee_id)
        .where(Enquiry.id.in_(ids))).all()
    # Stopped clocks only; an unanswered enquiry's pair is (created, created): 0, unused.
    first = business_minutes_of([(r.created_at, r.first_response_at or r.created_at)
                                 for r in rows])
    spent = business_seconds(np.array([to_us(r.created_at) for r in rows], dtype=np.int64),
                             np.array([to_us(r.resolved_at or r.created_at) for r in rows],
                                      dtype=np.int64))
    return {r.id: DrillRow(
        id=r.id, reference=r.reference, subject=r.subject, customer_number=r.customer_number,
        customer_name=r.name, channel=r.channel, category=r.category, priority=r.priority,
        status=r.status, assignee=r.full_name, received_at=r.created_at,
        first_response_at=r.first_response_at, resolved_at=r.resolved_at,
        first_response_minutes=first[i] if r.first_response_at else None,
        resolution_minutes=(max(int(spent[i]) - r.paused_seconds, 0) // 60 if r.resolved_at
                            else None),
        first_response_sla=_sla_label(r.first_response_due_at, r.first_response_at,
                                      r.status == "pending_customer", now),
        resolution_sla=_sla_label(r.resolution_due_at, r.resolved_at,
                                  r.status == "pending_customer", now),
    ) for i, r in enumerate(rows)}
