"""The enquiry metrics page's pieces: period and filters, KPI rows, charts with drill-down
to the enquiries behind them, and the workload and heat-map sections.

Results are cached for a minute (``db.RESULT_TTL_SECONDS``) per database, range and filter,
so a change to an enquiry shows within that minute; ``clear_cache`` drops them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.formatting import day, duration_minutes, number, percent, signed, when
from dashboard.labels import CATEGORY_LABELS, CHANNEL_LABELS, SEGMENT_LABELS, STATUS_LABELS, label
from dashboard.services import metrics
from dashboard.services.metrics import Drill, EnquiryFilter, EnquiryMetrics, Period
from dashboard.services.users import UserInfo
from dashboard.ui import db, text, widgets
from dashboard.ui import enquiry as enquiry_ui
from db.models import CATEGORIES, CHANNELS, PRIORITIES, SEGMENTS

# Session-state keys of this page (widget keys included).
PRESET = "metrics_preset"
CUSTOM_RANGE = "metrics_custom_range"
TEAM = "metrics_team"
PERSON = "metrics_person"
CHANNEL = "metrics_channel"
CATEGORY = "metrics_category"
PRIORITY = "metrics_priority"
SEGMENT = "metrics_segment"
DRILL = "metrics_drill"              # the Drill whose enquiries are listed
DRILL_KIND = "metrics_drill_kind"    # the "show the enquiries behind" selectbox

KPI_DRILLS = ("received", "resolved", "backlog", "first_response", "resolution",
              "first_response_missed", "resolution_missed", "reopened")


def clear_cache() -> None:
    """On this server only (every other one reads anew within ``db.RESULT_TTL_SECONDS``):
    call after a write that changes enquiries, to show it at once."""
    for cached in (_enquiry_metrics, _drill_down, _filter_options):
        cached.clear()


def _minutes(value: float | None) -> str:
    return duration_minutes(round(value)) if value is not None else "—"


def _pct(value: float | None) -> str:
    return percent(value)


# --- cached service calls ------------------------------------------------------------------
# The database URL is an argument so that two databases in one process never share results.

@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=64)
def _enquiry_metrics(url: str, period: Period, flt: EnquiryFilter) -> EnquiryMetrics:
    with db.session() as s:
        return metrics.enquiry_metrics(session=s, period=period, flt=flt, now=db.now())


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=64)
def _drill_down(url: str, period: Period, flt: EnquiryFilter, drill: Drill,
                limit: int) -> metrics.DrillResult:
    with db.session() as s:
        return metrics.drill_down(session=s, period=period, flt=flt, drill=drill,
                                  now=db.now(), limit=limit)


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=8)
def _filter_options(url: str) -> metrics.FilterOptions:
    with db.session() as s:
        return metrics.filter_options(session=s)


# --- enquiry metrics: filters ----------------------------------------------------------------

def period_picker(today: date) -> Period:
    """Presets, or two dates; returns the range chosen."""
    cols = st.columns([3, 1], vertical_alignment="bottom")
    preset = cols[0].segmented_control("Range", metrics.PRESETS, default="last_30",
                                       required=True, key=PRESET,
                                       format_func=metrics.PRESET_LABELS.__getitem__)
    custom = None
    if preset == "custom":
        picked = cols[1].date_input("From – to", value=(today - timedelta(days=13), today),
                                    max_value=today, format="DD/MM/YYYY", key=CUSTOM_RANGE)
        if isinstance(picked, tuple) and len(picked) == 2:
            custom = (picked[0], picked[1])
        else:  # the second date is not picked yet
            custom = (picked[0] if isinstance(picked, tuple) and picked else today, today)
    return metrics.preset_period(preset or "last_30", today, custom)


def enquiry_filters(user: UserInfo) -> EnquiryFilter:
    """The filters; a lead starts on their own team."""
    options = _filter_options(db.database_url())
    mine = next((t for t in options.teams if t.id == user.team_id), None)
    cols = st.columns(6)
    team = widgets.one_or_all(cols[0], "Team", options.teams, "All teams", key=TEAM, start=mine)
    person = widgets.one_or_all(cols[1], "Person", options.people, "Everyone", key=PERSON)
    channels = cols[2].multiselect("Channel", CHANNELS, key=CHANNEL, placeholder="All",
                                   format_func=CHANNEL_LABELS.__getitem__)
    categories = cols[3].multiselect("Category", CATEGORIES, key=CATEGORY, placeholder="All",
                                     format_func=CATEGORY_LABELS.__getitem__)
    priorities = cols[4].multiselect("Priority", PRIORITIES, key=PRIORITY, placeholder="All",
                                     format_func=lambda p: label("priority", p))
    segments = cols[5].multiselect("Customer segment", SEGMENTS, key=SEGMENT,
                                   placeholder="All", format_func=SEGMENT_LABELS.__getitem__)
    return EnquiryFilter(team_id=team.id if team else None,
                         assignee_id=person.id if person else None,
                         channels=tuple(channels), categories=tuple(categories),
                         priorities=tuple(priorities), segments=tuple(segments))


def load_metrics(period: Period, flt: EnquiryFilter) -> EnquiryMetrics:
    return _enquiry_metrics(db.database_url(), period, flt)


def period_caption(m: EnquiryMetrics) -> None:
    def span(p: Period) -> str:
        if p.first_day == p.last_day:
            return day(p.first_day)
        return f"{day(p.first_day)} – {day(p.last_day)}"

    st.caption(f"{span(m.period)} ({m.period.days} days); changes are against "
               f"{span(m.previous)}. Times are business time (Mon–Fri 08:30–17:00).")


# --- enquiry metrics: KPI row ------------------------------------------------------------------

def _count_delta(now: int, before: int) -> str | None:
    return widgets.delta(now, before, signed)


def _minutes_delta(now: float | None, before: float | None) -> str | None:
    return widgets.delta(now, before, lambda c: ("+" if c > 0 else "-") + duration_minutes(
        abs(round(c))))


def _points_delta(now: float | None, before: float | None) -> str | None:
    return widgets.delta(now, before, lambda c: f"{signed(c, 1)} pts")


def kpi_row(m: EnquiryMetrics) -> None:
    """Ten numbers, each with its change; times and backlog going up are bad news."""
    now, before = m.current, m.earlier
    daily = m.daily if m.period.days > 1 else None
    first = st.columns(5)
    first[0].metric("Received", number(now.received), _count_delta(now.received, before.received),
                    delta_color="off", help="Enquiries that arrived in the range.",
                    **_sparkline(daily, "received"))
    first[1].metric("Resolved", number(now.resolved), _count_delta(now.resolved, before.resolved),
                    help="Resolved or closed in the range, not reopened since.",
                    **_sparkline(daily, "resolved"))
    first[2].metric(_backlog_label(m), number(now.backlog),
                    _count_delta(now.backlog, before.backlog), delta_color="inverse",
                    help="Not resolved at the end of the range; the change is against the "
                         "end of the period before.", **_sparkline(daily, "backlog"))
    first[3].metric("SLA met, first response", _pct(now.first_response_sla.pct),
                    _points_delta(now.first_response_sla.pct, before.first_response_sla.pct),
                    help=_share_help(now.first_response_sla, "written first-response"))
    first[4].metric("SLA met, resolution", _pct(now.resolution_sla.pct),
                    _points_delta(now.resolution_sla.pct, before.resolution_sla.pct),
                    help=_share_help(now.resolution_sla, "resolution"))
    second = st.columns(5)
    _time_metrics(second[:2], "First response", now.first_response, before.first_response,
                  "written enquiries (e-mail, fax, web)")
    _time_metrics(second[2:4], "Resolution", now.resolution, before.resolution)
    second[4].metric("Reopen rate", _pct(now.reopened.pct),
                     _points_delta(now.reopened.pct, before.reopened.pct),
                     delta_color="inverse",
                     help=f"{number(now.reopened.part)} of {number(now.reopened.whole)} "
                          "enquiries received in the range and resolved at least once were "
                          "reopened.")
    live = now.answered_live
    st.caption("First response is measured on written enquiries (e-mail, fax, web). Calls "
               f"answered live, counted apart: {number(live.count)}"
               + (f" (median {_minutes(live.median)})" if live.count else "") + ".")


def _sparkline(daily: pd.DataFrame | None, column: str) -> dict[str, Any]:
    if daily is None:
        return {}
    return {"chart_data": [int(v) for v in daily[column]], "chart_type": "bar"}


def _backlog_label(m: EnquiryMetrics) -> str:
    return "Backlog now" if m.period.end >= db.now() else f"Backlog on {day(m.period.last_day)}"


def _share_help(share: metrics.Share, clock: str) -> str:
    return (f"{number(share.part)} of {number(share.whole)} {clock} due times that passed in "
            "the range were met.")


def _time_metrics(cols: list[Any], name: str, now: metrics.Spread,
                  before: metrics.Spread, over: str = "enquiries") -> None:
    cols[0].metric(f"{name}, median", _minutes(now.median),
                   _minutes_delta(now.median, before.median), delta_color="inverse",
                   help=f"Over {number(now.count)} {over}, business time.")
    cols[1].metric(f"{name}, p90", _minutes(now.p90),
                   _minutes_delta(now.p90, before.p90), delta_color="inverse",
                   help="Nine in ten were quicker than this (business time).")


# --- enquiry metrics: charts with drill-down -----------------------------------------------

def _drill_to(drill: Drill) -> None:
    st.session_state[DRILL] = drill
    st.session_state[DRILL_KIND] = drill.kind if drill.kind in KPI_DRILLS else None


def _on_daily(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = widgets.picked_point(key)
        if point and point.get("customdata"):
            when_, kind = point["customdata"][:2]
            _drill_to(Drill(kind, day=date.fromisoformat(when_)))
    return picked


def _on_value(key: str, kind: str) -> Callable[[], None]:
    def picked() -> None:
        point = widgets.picked_point(key)
        if point and point.get("customdata"):
            _drill_to(Drill(kind, value=str(point["customdata"][0])))
    return picked


def _on_week(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = widgets.picked_point(key)
        if point and point.get("customdata"):
            week, clock = point["customdata"][:2]
            _drill_to(Drill(f"{clock}_missed", week=date.fromisoformat(week)))
    return picked


def _on_person(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = widgets.picked_point(key)
        if point and point.get("customdata"):
            person, column = point["customdata"][:2]
            kind = "person_open" if column == "open_now" else "person_resolved"
            _drill_to(Drill(kind, person_id=int(person)))
    return picked


Picker = Callable[[str], Callable[[], None]]


def _chart(fig: Any, key: str, picker: Picker | None = None) -> None:
    """A chart with the PNG button; clicking a point drills down when there is a picker."""
    if picker is None:
        st.plotly_chart(fig, width="stretch", key=key, config=widgets.chart_config(key))
    else:
        st.plotly_chart(fig, width="stretch", key=key, config=widgets.chart_config(key),
                        on_select=picker(key), selection_mode="points")


def _values(kind: str) -> Picker:
    return lambda key: _on_value(key, kind)


def flow_charts(m: EnquiryMetrics) -> None:
    left, right = st.columns(2)
    with left:
        _chart(charts.inflow_outflow(m.daily), "metrics_chart_flow", _on_daily)
    with right:
        _chart(charts.backlog_trend(m.daily), "metrics_chart_backlog", _on_daily)


def time_charts(m: EnquiryMetrics) -> None:
    left, right = st.columns(2)
    with left:
        _chart(charts.duration_bands(m.first_response_times,
                                     "Time to first response (written)"),
               "metrics_chart_first_response", _values("first_response"))
    with right:
        _chart(charts.duration_bands(m.resolution_times, "Time to resolution"),
               "metrics_chart_resolution", _values("resolution"))


def mix_charts(m: EnquiryMetrics) -> None:
    cols = st.columns([2, 1, 1])
    with cols[0]:
        _chart(charts.sla_by_week(m.sla_weekly), "metrics_chart_sla", _on_week)
    with cols[1]:
        _chart(charts.volume_bars(m.by_channel, "channel", "Received by channel"),
               "metrics_chart_channel", _values("channel"))
    with cols[2]:
        _chart(charts.volume_bars(m.by_category, "category", "Received by category"),
               "metrics_chart_category", _values("category"))


def people_frame(m: EnquiryMetrics) -> pd.DataFrame:
    frame = m.people.copy()
    frame["handling"] = [_minutes(v) if pd.notna(v) else "—" for v in frame["median_handling"]]
    return frame


def workload_section(m: EnquiryMetrics) -> None:
    frame = people_frame(m)
    left, right = st.columns(2)
    with left:
        named = frame.assign(person=[text.plotly_text(p) for p in frame["person"]])
        _chart(charts.workload(named), "metrics_chart_workload", _on_person)
    with right:
        table = frame.rename(columns={"person": "Person", "open_now": "Open now",
                                      "resolved": "Resolved in range",
                                      "handling": "Median handling"})[
            ["Person", "Open now", "Resolved in range", "Median handling"]]
        st.dataframe(table, hide_index=True, width="stretch",
                     height=widgets.table_height(len(table)), key="metrics_people_table")
        widgets.export_buttons("metrics_people", "workload", lambda: table)


def heatmap_section(m: EnquiryMetrics) -> None:
    _chart(charts.inflow_heatmap(m.heatmap), "metrics_chart_heatmap")
    cols = st.columns([1, 1, 2], vertical_alignment="bottom")
    weekday = cols[0].selectbox("Weekday", range(7), key="metrics_heat_weekday",
                                format_func=metrics.WEEKDAYS.__getitem__)
    hour = cols[1].selectbox("Hour", range(24), index=9, key="metrics_heat_hour",
                             format_func=lambda h: f"{h:02d}:00–{h + 1:02d}:00")
    if cols[2].button("List the enquiries received then", key="metrics_heat_list"):
        _drill_to(Drill("heat", weekday=int(weekday), hour=int(hour)))


# --- enquiry metrics: the list behind a number ---------------------------------------------

def _kind_changed() -> None:
    kind = st.session_state.get(DRILL_KIND)
    st.session_state[DRILL] = Drill(kind) if kind else None


def drill_section(period: Period, flt: EnquiryFilter) -> None:
    st.subheader("The enquiries behind the numbers")
    st.selectbox("Show the enquiries", KPI_DRILLS, index=None, key=DRILL_KIND,
                 on_change=_kind_changed, format_func=metrics.DRILL_LABELS.__getitem__,
                 placeholder="Pick a number — or click a bar, a point or a person above")
    drill: Drill | None = st.session_state.get(DRILL)
    if drill is None:
        st.caption("Clicking a bar or point in the charts (or a person) lists its enquiries "
                   "here; each row opens that enquiry.")
        return
    drill = _within(drill, period)
    result = _drill_down(db.database_url(), period, flt, drill, metrics.DRILL_LIMIT)
    shown = len(result.rows)
    st.markdown(f"**{drill_title(drill)}** — {number(result.total)} enquiries"
                + (f", the newest {shown} shown" if shown < result.total else ""))
    frame = drill_frame(result.rows)
    shown = widgets.marked(widgets.marked(frame, "SLA resolution", widgets.sla_mark),
                           "SLA first response", widgets.sla_mark)
    picked = widgets.picked_row(shown, "metrics_drill_table")
    if picked is not None:
        _open(result.rows[picked])
    widgets.export_buttons(
        "metrics_drill_export", "enquiries",
        lambda: drill_frame(_drill_down(db.database_url(), period, flt, drill,
                                        widgets.EXPORT_LIMIT).rows))


def _within(drill: Drill, period: Period) -> Drill:
    """A day picked before the range changed may no longer be in it: then the whole range."""
    if drill.day is not None and not period.first_day <= drill.day <= period.last_day:
        return Drill(drill.kind, value=drill.value, person_id=drill.person_id)
    return drill


def drill_title(drill: Drill) -> str:
    title = metrics.DRILL_LABELS[drill.kind]
    if drill.kind == "channel" and drill.value:
        title += f": {CHANNEL_LABELS.get(drill.value, drill.value)}"
    elif drill.kind == "category" and drill.value:
        title += f": {CATEGORY_LABELS.get(drill.value, drill.value)}"
    elif drill.value:
        title += f", {drill.value}"
    if drill.day is not None:
        title += f" on {metrics.WEEKDAYS[drill.day.weekday()]} {day(drill.day)}"
    if drill.week is not None:
        title += f", week of {day(drill.week)}"
    if drill.kind.startswith("person_"):
        options = {p.id: p.name for p in _filter_options(db.database_url()).people}
        title += f" {options.get(drill.person_id or 0, metrics.UNASSIGNED)}"
    if drill.kind == "heat" and drill.weekday is not None and drill.hour is not None:
        title += f" {metrics.WEEKDAYS[drill.weekday]} {drill.hour:02d}:00–{drill.hour + 1:02d}:00"
    return title


def drill_frame(rows: tuple[metrics.DrillRow, ...]) -> pd.DataFrame:
    """What a lead reads first on the left; the enquiry's kind at the end."""
    columns = ["Reference", "Received", "Customer", "Subject", "Status", "Assignee",
               "First response", "Resolution", "SLA first response", "SLA resolution",
               "Channel", "Category", "Priority"]
    return pd.DataFrame([{
        "Reference": r.reference, "Received": when(r.received_at),
        "Customer": r.customer_name or "—", "Subject": r.subject,
        "Status": STATUS_LABELS.get(r.status, r.status),
        "Assignee": r.assignee or metrics.UNASSIGNED,
        "First response": _minutes(r.first_response_minutes),
        "Resolution": _minutes(r.resolution_minutes),
        "SLA first response": r.first_response_sla, "SLA resolution": r.resolution_sla,
        "Channel": CHANNEL_LABELS.get(r.channel, r.channel),
        "Category": CATEGORY_LABELS.get(r.category, r.category),
        "Priority": label("priority", r.priority),
    } for r in rows], columns=columns)


def _open(row: metrics.DrillRow) -> None:
    enquiry_ui.open_enquiry(row.reference)
