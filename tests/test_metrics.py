"""Enquiry metrics on a hand-built week, every number worked out by hand below.

The week is Monday 9 – Friday 13 November 2026; Wednesday 11 November (Armistice) is a Belgian
public holiday. "Now" is Friday 13 November, 15:00 in Brussels. The SLA policy is 240
business minutes to the first response and 1530 to resolution, but due times are set by hand
on each enquiry (as the workflow stores them), so each verdict below is visible at a glance.

    ref  who    channel  created (Brussels)  first answer   resolved       notes
    E1   alice  phone    Mon 9  09:00        Mon 09:00      Mon 11:30      FR 0, res 150
    E2   alice  email    Tue 10 16:30        Thu 09:00      Thu 10:00      over the holiday: FR 60,
                                                                           res 120; FR due Thu
                                                                           08:45 missed
    E3   bob    email    Thu 12 10:00        Thu 10:30      Fri 12:00      630 elapsed − 120
                                                                           paused = 510
    E4   alice  phone    Mon 9  10:00        Mon 10:15      (reopened)     FR 15, open again
    E5   bob    email    Fri 6  16:00        Fri 16:30      Mon 9 09:30    over the weekend:
                                                                           FR 30, res 120
    E6   —      web      Fri 13 14:00        —              —              FR due next week
    E7   alice  email    Tue 10 11:00        merged into E2: never counted
    E8   alice  email    Mon 2  09:00        Mon 2 10:00    (pending customer, due passed:
                                                           paused, not a miss)
    E9   bob    fax      Wed 11 10:00        Thu 09:00      Fri 09:00      holiday: FR 30,
         (enterprise customer, team B)                                     res 540, due Thu
                                                                           12:00 missed
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy.orm import Session

from dashboard import business_calendar
from dashboard.business_calendar import business_minutes_between
from dashboard.services import metrics
from dashboard.services.metrics import Drill, EnquiryFilter, Period
from tests import factories as f

BXL = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 13, 15, 0, tzinfo=BXL)
WEEK = Period(date(2026, 11, 9), date(2026, 11, 13))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BXL)


# --- business minutes, vectorised ------------------------------------------------------------

HAND_CASES = [
    (at(9, 9), at(9, 11, 30), 150),          # same morning
    (at(10, 16, 30), at(12, 9), 60),         # over the Armistice holiday
    (at(6, 16), at(9, 9, 30), 120),          # over the weekend
    (at(7, 12), at(8, 18), 0),               # all weekend
    (at(9, 7), at(9, 8, 45), 15),            # before opening
    (at(9, 16, 59), at(9, 18), 1),          # after closing
    (at(12, 9), at(10, 16, 30), -60),        # backwards
    (datetime(2026, 10, 23, 16, 0, tzinfo=BXL),  # the clocks go back on Sunday 25 October
     datetime(2026, 10, 26, 9, 0, tzinfo=BXL), 90),
    (datetime(2026, 12, 31, 16, 0, tzinfo=BXL),  # New Year's Day is a holiday
     datetime(2027, 1, 4, 9, 0, tzinfo=BXL), 90),
    (at(9, 9, 0).replace(second=30), at(9, 9, 1), 0),  # seconds are not whole minutes
]


@pytest.mark.parametrize(("start", "end", "minutes"), HAND_CASES)
def test_business_minutes_match_the_day_walk_on_hand_cases(start: datetime, end: datetime,
                                                           minutes: int) -> None:
    assert business_minutes_between(start, end) == minutes
    assert business_calendar.business_minutes_of([(start, end)]) == [minutes]


def test_business_minutes_match_the_day_walk_on_random_spans() -> None:
    rng = random.Random(6)
    base = datetime(2025, 12, 1, tzinfo=UTC)
    pairs = []
    for _ in range(400):
        start = base + timedelta(seconds=rng.randrange(0, 400 * 86_400),
                                 microseconds=rng.randrange(0, 1_000_000))
        pairs.append((start, start + timedelta(seconds=rng.randrange(0, 20 * 86_400))))
    assert business_calendar.business_minutes_of(pairs) == [business_minutes_between(s, e)
                                                  for s, e in pairs]


def test_business_minutes_of_nothing_is_nothing() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert business_calendar.business_minutes(empty, empty).size == 0


# --- ranges ------------------------------------------------------------------------------------

def test_presets_and_the_period_compared() -> None:
    friday = date(2026, 11, 13)
    assert metrics.preset_period("today", friday) == Period(friday, friday)
    assert metrics.preset_period("this_week", friday) == WEEK
    assert metrics.preset_period("last_7", friday) == Period(date(2026, 11, 7), friday)
    assert metrics.preset_period("last_90", friday).days == 90
    assert metrics.preset_period("this_quarter", friday) == Period(date(2026, 10, 1), friday)
    assert metrics.preset_period("custom", friday, (friday, date(2026, 11, 2))) == Period(
        date(2026, 11, 2), friday)
    # Short ranges compare with the same weekdays a week earlier; longer ones with the days
    # just before.
    assert WEEK.previous() == Period(date(2026, 11, 2), date(2026, 11, 6))
    assert Period(friday, friday).previous() == Period(date(2026, 11, 6), date(2026, 11, 6))
    last_30 = metrics.preset_period("last_30", friday)
    assert last_30.previous().last_day == last_30.first_day - timedelta(days=1)
    assert WEEK.start == datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        metrics.preset_period("fortnight", friday)


# --- the hand-built week ------------------------------------------------------------------------

@pytest.fixture
def week(session: Session) -> dict[str, int]:
    team_a, team_b = f.team(session, "Billing"), f.team(session, "Logistics")
    alice = f.user(session, "alice", team_id=team_a.id, full_name="Alice Peeters")
    bob = f.user(session, "bob", team_id=team_b.id, full_name="Bob Claes")
    small = f.customer(session, "Brasserie Dupré", customer_number="C100001")
    big = f.customer(session, "Groupe Delhaize", customer_number="C100002",
                     segment="enterprise")
    policy = f.sla_policy(session)

    def enquiry(ref: str, **kw: object) -> int:
        kw.setdefault("customer_id", small.id)
        kw.setdefault("team_id", team_a.id)
        kw.setdefault("sla_policy_id", policy.id)
        return f.enquiry(session, reference=ref, subject=f"Enquiry {ref}", **kw).id

    ids = {
        "E1": enquiry("E1", channel="phone", assignee_id=alice.id, status="resolved",
                      created_at=at(9, 9), first_response_at=at(9, 9), resolved_at=at(9, 11, 30),
                      first_response_due_at=at(9, 13), resolution_due_at=at(13, 9)),
        "E2": enquiry("E2", channel="email", assignee_id=alice.id, status="resolved",
                      created_at=at(10, 16, 30), first_response_at=at(12, 9),
                      resolved_at=at(12, 10), first_response_due_at=at(12, 8, 45),
                      resolution_due_at=at(13, 10)),
        "E3": enquiry("E3", channel="email", assignee_id=bob.id, status="resolved",
                      created_at=at(12, 10), first_response_at=at(12, 10, 30),
                      resolved_at=at(13, 12), paused_seconds=120 * 60,
                      first_response_due_at=at(12, 14), resolution_due_at=at(16, 12)),
        "E4": enquiry("E4", channel="phone", assignee_id=alice.id, status="open",
                      reopen_count=1, created_at=at(9, 10), first_response_at=at(9, 10, 15),
                      first_response_due_at=at(9, 14), resolution_due_at=at(13, 11)),
        "E5": enquiry("E5", channel="email", assignee_id=bob.id, status="closed",
                      created_at=at(6, 16), first_response_at=at(6, 16, 30),
                      resolved_at=at(9, 9, 30), first_response_due_at=at(6, 17),
                      resolution_due_at=at(10, 12)),
        "E6": enquiry("E6", channel="web", status="new", created_at=at(13, 14),
                      first_response_due_at=at(16, 9), resolution_due_at=at(18, 9)),
        "E8": enquiry("E8", channel="email", assignee_id=alice.id, status="pending_customer",
                      created_at=at(2, 9), first_response_at=at(2, 10),
                      first_response_due_at=at(2, 13), resolution_due_at=at(10, 12)),
        "E9": enquiry("E9", channel="fax", assignee_id=bob.id, status="resolved",
                      customer_id=big.id, team_id=team_b.id, created_at=at(11, 10),
                      first_response_at=at(12, 9), resolved_at=at(13, 9),
                      first_response_due_at=at(12, 12), resolution_due_at=at(12, 12)),
    }
    ids["E7"] = enquiry("E7", channel="email", assignee_id=alice.id, status="closed",
                        created_at=at(10, 11), resolved_at=at(10, 12), merged_into_id=ids["E2"],
                        first_response_due_at=at(10, 15), resolution_due_at=at(12, 9))
    session.flush()
    return {**ids, "alice": alice.id, "bob": bob.id, "team_b": team_b.id}


def test_kpis_of_the_week_and_the_week_before(session: Session, week: dict[str, int]) -> None:
    m = metrics.enquiry_metrics(session=session, period=WEEK, flt=EnquiryFilter(), now=NOW)
    now = m.current
    assert now.received == 6                    # E1 E2 E3 E4 E6 E9 (E7 is a merged duplicate)
    assert now.resolved == 5                    # E1 E2 E3 E5 E9 (E4 was reopened)
    assert now.backlog == 3                     # E4 E6 E8
    # First answers this week, written: 30 (E3), 30 (E9, fax), 60 (E2); the calls E1 (0) and
    # E4 (15) are counted apart, not as written waits.
    assert (now.first_response.count, now.first_response.median) == (3, 30)
    assert now.first_response.p90 == pytest.approx(30 + 0.8 * 30)
    assert (now.answered_live.count, now.answered_live.median) == (2, 7.5)
    # Resolutions this week: 120 (E2) 120 (E5) 150 (E1) 510 (E3, pause taken off) 540 (E9).
    assert (now.resolution.count, now.resolution.median) == (5, 150)
    assert now.resolution.p90 == pytest.approx(510 + 0.6 * 30)
    # First-response due times this week, written: E3 E9 met, E2 missed; E6 not due yet (the
    # calls E1 and E4 were answered as they were taken).
    assert (now.first_response_sla.part, now.first_response_sla.whole) == (2, 3)
    # Resolution due this week: E1 E2 E5 met; E4 (reopened) and E9 missed; E8 is paused.
    assert (now.resolution_sla.part, now.resolution_sla.whole) == (3, 5)
    # Of E1 E2 E3 E4 E9 (resolved at least once; E6 not yet), E4 was reopened.
    assert (now.reopened.part, now.reopened.whole) == (1, 5)

    before = m.earlier                          # Monday 2 – Friday 6 November
    assert (before.received, before.resolved, before.backlog) == (2, 0, 2)   # E5 E8
    assert before.first_response.median == 45   # E8 60, E5 30
    assert (before.first_response_sla.part, before.first_response_sla.whole) == (2, 2)
    assert before.reopened == metrics.Share(0, 1)   # E5 was resolved, and stayed so


def test_days_backlog_heat_map_bands_and_mix(session: Session, week: dict[str, int]) -> None:
    m = metrics.enquiry_metrics(session=session, period=WEEK, flt=EnquiryFilter(), now=NOW)
    assert list(m.daily["day"]) == WEEK.day_list()
    assert list(m.daily["received"]) == [2, 1, 1, 1, 1]
    assert list(m.daily["resolved"]) == [2, 0, 0, 1, 2]
    assert list(m.daily["backlog"]) == [2, 3, 4, 4, 3]
    heat = m.heatmap.set_index(["weekday", "hour"])["received"]
    assert heat.sum() == 6
    assert (heat[(0, 9)], heat[(0, 10)], heat[(1, 16)], heat[(2, 10)], heat[(3, 10)],
            heat[(4, 14)]) == (1, 1, 1, 1, 1, 1)
    bands = dict(zip(m.first_response_times["band"], m.first_response_times["enquiries"],
                     strict=True))
    assert (bands["< 30 min"], bands["30–60 min"], bands["1–2 h"]) == (0, 2, 1)  # written
    resolution = dict(zip(m.resolution_times["band"], m.resolution_times["enquiries"],
                          strict=True))
    assert (resolution["1–2 h"], resolution["2–4 h"], resolution["1–2 d"]) == (0, 3, 2)
    assert dict(zip(m.by_channel["channel"], m.by_channel["received"], strict=True)) == {
        "phone": 2, "fax": 1, "email": 2, "web": 1}
    assert list(m.sla_weekly["week"]) == [date(2026, 11, 9)]
    week_row = m.sla_weekly.iloc[0]
    assert (week_row.first_response_due, week_row.first_response_met,
            week_row.resolution_due, week_row.resolution_met) == (3, 2, 5, 3)


def test_workload_per_person(session: Session, week: dict[str, int]) -> None:
    m = metrics.enquiry_metrics(session=session, period=WEEK, flt=EnquiryFilter(), now=NOW)
    people = {r.person: (r.open_now, r.resolved, r.median_handling)
              for r in m.people.itertuples()}
    assert people["Alice Peeters"] == (2, 2, 135)          # open E4 E8; resolved E1 150, E2 120
    assert people["Bob Claes"] == (0, 3, 510)              # E3 510, E5 120, E9 540
    assert people[metrics.UNASSIGNED][:2] == (1, 0)        # E6


def test_filters_narrow_every_number(session: Session, week: dict[str, int]) -> None:
    def kpis(flt: EnquiryFilter) -> metrics.Kpis:
        return metrics.enquiry_metrics(session=session, period=WEEK, flt=flt, now=NOW).current

    for flt in (EnquiryFilter(segments=("enterprise",)), EnquiryFilter(channels=("fax",)),
                EnquiryFilter(team_id=week["team_b"])):
        only_e9 = kpis(flt)
        assert (only_e9.received, only_e9.resolved, only_e9.backlog) == (1, 1, 0)
        assert only_e9.resolution.median == 540
        assert (only_e9.resolution_sla.part, only_e9.resolution_sla.whole) == (0, 1)
    alice = kpis(EnquiryFilter(assignee_id=week["alice"]))
    assert (alice.received, alice.resolved, alice.backlog) == (3, 2, 2)
    assert kpis(EnquiryFilter(priorities=("urgent",))).received == 0
    assert kpis(EnquiryFilter(categories=("orders",))).received == 6


def refs(session: Session, drill: Drill, flt: EnquiryFilter | None = None) -> list[str]:
    result = metrics.drill_down(session=session, period=WEEK, flt=flt or EnquiryFilter(),
                                drill=drill, now=NOW)
    assert result.total == len(result.rows)
    return [r.reference for r in result.rows]


def test_drill_down_lists_the_enquiries_behind_each_number(session: Session,
                                                           week: dict[str, int]) -> None:
    monday = date(2026, 11, 9)
    assert refs(session, Drill("received")) == ["E6", "E3", "E9", "E2", "E4", "E1"]
    assert refs(session, Drill("received", day=monday)) == ["E4", "E1"]
    assert refs(session, Drill("resolved", day=monday)) == ["E1", "E5"]
    assert sorted(refs(session, Drill("backlog"))) == ["E4", "E6", "E8"]
    assert sorted(refs(session, Drill("backlog", day=date(2026, 11, 11)))) == [
        "E2", "E4", "E8", "E9"]
    assert refs(session, Drill("first_response_missed")) == ["E2"]
    assert sorted(refs(session, Drill("resolution_missed", week=monday))) == ["E4", "E9"]
    assert refs(session, Drill("reopened")) == ["E4"]
    assert refs(session, Drill("channel", value="email")) == ["E3", "E2"]
    assert refs(session, Drill("person_open", person_id=week["alice"])) == ["E4", "E8"]
    assert refs(session, Drill("person_open", person_id=0)) == ["E6"]
    assert refs(session, Drill("person_resolved", person_id=week["bob"])) == ["E3", "E9", "E5"]
    assert refs(session, Drill("first_response", value="30–60 min")) == ["E3", "E9"]
    # The bands are of written enquiries: the calls E1 (0) and E4 (15) are not in them.
    assert refs(session, Drill("first_response", value="< 30 min")) == []
    assert refs(session, Drill("resolution", value="1–2 d")) == ["E3", "E9"]
    assert refs(session, Drill("heat", weekday=2, hour=10)) == ["E9"]
    assert refs(session, Drill("received"), EnquiryFilter(segments=("enterprise",))) == ["E9"]


def test_drill_down_rows_carry_times_and_sla_states(session: Session,
                                                    week: dict[str, int]) -> None:
    result = metrics.drill_down(session=session, period=WEEK, flt=EnquiryFilter(),
                                drill=Drill("resolved"), now=NOW)
    rows = {r.reference: r for r in result.rows}
    assert (rows["E3"].first_response_minutes, rows["E3"].resolution_minutes) == (30, 510)
    assert (rows["E2"].first_response_sla, rows["E2"].resolution_sla) == ("Breached", "Met")
    assert rows["E9"].customer_number == "C100002" and rows["E9"].assignee == "Bob Claes"
    backlog = metrics.drill_down(session=session, period=WEEK, flt=EnquiryFilter(),
                                 drill=Drill("backlog"), now=NOW)
    states = {r.reference: r.resolution_sla for r in backlog.rows}
    assert states == {"E4": "Breached", "E6": "On track", "E8": "Paused"}
    limited = metrics.drill_down(session=session, period=WEEK, flt=EnquiryFilter(),
                                 drill=Drill("received"), now=NOW, limit=2)
    assert limited.total == 6 and [r.reference for r in limited.rows] == ["E6", "E3"]


def test_an_empty_database_gives_zeros(session: Session) -> None:
    m = metrics.enquiry_metrics(session=session, period=WEEK, flt=EnquiryFilter(), now=NOW)
    assert (m.current.received, m.current.backlog, m.current.first_response.median) == (
        0, 0, None)
    assert m.current.resolution_sla.pct is None
    assert list(m.daily["backlog"]) == [0] * 5 and m.people.empty
    assert int(m.heatmap["received"].sum()) == 0
    assert metrics.drill_down(session=session, period=WEEK, flt=EnquiryFilter(),
                              drill=Drill("first_response", value="< 30 min"),
                              now=NOW).total == 0


def test_definitions_table_names_every_kpi() -> None:
    table = metrics.definitions_markdown(metrics.ENQUIRY_DEFINITIONS, metrics.ENQUIRY_FOOTNOTE)
    for name in ("Received", "Resolved", "Backlog", "First-response time (written)",
                 "Calls answered live", "Resolution time", "SLA first response",
                 "SLA resolution", "Reopen rate"):
        assert f"| **{name}** |" in table
    assert "e-mail, fax and web" in table and "reopened enquiry" in table
    assert "to the second" in table
    assert "Belgian public holidays" in table and "Merged duplicates" in table
