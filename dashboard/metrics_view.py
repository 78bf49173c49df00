"""The metrics and balances pages' pieces: filters, KPI rows, charts with drill-down, tables.

Results are cached for a minute (``TTL_SECONDS``) per database, range and filter, so a
change to an enquiry or invoice shows within that minute; ``clear_cache`` drops them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

import pandas as pd
import streamlit as st
from babel.numbers import format_compact_currency
from pandas.io.formats.style import Styler

from dashboard import charts, components, ui, widgets
from dashboard.formatting import UI_LOCALE, day, duration_minutes, money, when
from dashboard.services import metrics, portfolio
from dashboard.services.balances import Customers
from dashboard.services.metrics import Drill, EnquiryFilter, EnquiryMetrics, Period
from dashboard.services.statement import BUCKET_LABELS, BUCKETS
from dashboard.services.users import UserInfo
from db.models import CATEGORIES, CHANNELS, COUNTRIES, PRIORITIES, SEGMENTS

TTL_SECONDS = 60
# Session-state keys of these pages (widget keys included), named in one place.
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
BALANCE_SEGMENT = "balances_segment"
BALANCE_COUNTRY = "balances_country"
BALANCE_MANAGER = "balances_manager"
BALANCE_TAB = "balances_tab"
BALANCE_BUCKET = "balances_bucket"        # the ageing bucket whose open items are listed
OPEN_CUSTOMER = "balances_open_customer"  # picked on the top-overdue chart

KPI_DRILLS = ("received", "resolved", "backlog", "first_response", "resolution",
              "first_response_missed", "resolution_missed", "reopened")
SEGMENT_LABELS = {"enterprise": "Enterprise", "mid_market": "Mid-market",
                  "small_business": "Small business", "public_sector": "Public sector"}
CHANNEL_LABELS = {"phone": "Phone", "fax": "Fax", "email": "E-mail", "web": "Web form"}
CATEGORY_LABELS = {"orders": "Orders & delivery", "invoices": "Invoices & payments",
                   "contracts": "Contracts", "inventory": "Inventory & maintenance",
                   "other": "Other"}
COUNTRY_LABELS = {"BE": "Belgium", "LU": "Luxembourg"}
MONEY = st.column_config.NumberColumn(format="euro")


def chart_config(filename: str) -> dict[str, Any]:
    """Plotly toolbar: a PNG download named after the chart, no plotly logo."""
    return {"toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "displaylogo": False}


def clear_cache() -> None:
    """Call after a write that changes enquiries or balances, to show it at once."""
    for cached in (_enquiry_metrics, _drill_down, _filter_options, _portfolio, _top_overdue,
                   _disputed, _bucket_items, _managers):
        cached.clear()


class Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def one_or_all(column: Any, label: str, options: Sequence[N], everyone: str, *, key: str,
               start: N | None = None) -> N | None:
    """A selectbox of ``options`` led by ``everyone`` (None, no filter). A selectbox that
    starts on a value cannot be cleared in the browser, so "all" is an option of its own."""
    choices: list[N | None] = [None, *options]
    picked: N | None = column.selectbox(label, choices, index=choices.index(start), key=key,
                                        format_func=lambda o: everyone if o is None else o.name)
    return picked


def _minutes(value: float | None) -> str:
    return duration_minutes(round(value)) if value is not None else "—"


def _pct(value: float | None) -> str:
    return f"{value:.1f} %" if value is not None else "—"


# --- cached service calls ------------------------------------------------------------------
# The database URL is an argument so that two databases in one process never share results.

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=64)
def _enquiry_metrics(url: str, period: Period, flt: EnquiryFilter) -> EnquiryMetrics:
    with ui.session() as s:
        return metrics.enquiry_metrics(session=s, period=period, flt=flt, now=ui.now())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=64)
def _drill_down(url: str, period: Period, flt: EnquiryFilter, drill: Drill,
                limit: int) -> metrics.DrillResult:
    with ui.session() as s:
        return metrics.drill_down(session=s, period=period, flt=flt, drill=drill,
                                  now=ui.now(), limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=8)
def _filter_options(url: str) -> metrics.FilterOptions:
    with ui.session() as s:
        return metrics.filter_options(session=s)


def _url() -> str:
    return ui.settings().database_url


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
    options = _filter_options(_url())
    mine = next((t for t in options.teams if t.id == user.team_id), None)
    cols = st.columns(6)
    team = one_or_all(cols[0], "Team", options.teams, "All teams", key=TEAM, start=mine)
    person = one_or_all(cols[1], "Person", options.people, "Everyone", key=PERSON)
    channels = cols[2].multiselect("Channel", CHANNELS, key=CHANNEL, placeholder="All",
                                   format_func=CHANNEL_LABELS.__getitem__)
    categories = cols[3].multiselect("Category", CATEGORIES, key=CATEGORY, placeholder="All",
                                     format_func=CATEGORY_LABELS.__getitem__)
    priorities = cols[4].multiselect("Priority", PRIORITIES, key=PRIORITY, placeholder="All",
                                     format_func=str.capitalize)
    segments = cols[5].multiselect("Customer segment", SEGMENTS, key=SEGMENT,
                                   placeholder="All", format_func=SEGMENT_LABELS.__getitem__)
    return EnquiryFilter(team_id=team.id if team else None,
                         assignee_id=person.id if person else None,
                         channels=tuple(channels), categories=tuple(categories),
                         priorities=tuple(priorities), segments=tuple(segments))


def load_metrics(period: Period, flt: EnquiryFilter) -> EnquiryMetrics:
    return _enquiry_metrics(_url(), period, flt)


def period_caption(m: EnquiryMetrics) -> None:
    def span(p: Period) -> str:
        if p.first_day == p.last_day:
            return day(p.first_day)
        return f"{day(p.first_day)} – {day(p.last_day)}"

    st.caption(f"{span(m.period)} ({m.period.days} days); changes are against "
               f"{span(m.previous)}. Times are business time (Mon–Fri 08:30–17:00).")


# --- enquiry metrics: KPI row ------------------------------------------------------------------

def _delta(now: float | None, before: float | None, fmt: Callable[[float], str]
           ) -> str | None:
    if now is None or before is None:
        return None
    change = now - before
    return fmt(change) if change else None


def _count_delta(now: int, before: int) -> str | None:
    return _delta(now, before, lambda c: f"{c:+,.0f}")


def _minutes_delta(now: float | None, before: float | None) -> str | None:
    return _delta(now, before, lambda c: ("+" if c > 0 else "-") + duration_minutes(
        abs(round(c))))


def _points_delta(now: float | None, before: float | None) -> str | None:
    return _delta(now, before, lambda c: f"{c:+.1f} pts")


def kpi_row(m: EnquiryMetrics) -> None:
    """Ten numbers, each with its change; times and backlog going up are bad news."""
    now, before = m.current, m.earlier
    daily = m.daily if m.period.days > 1 else None
    first = st.columns(5)
    first[0].metric("Received", f"{now.received:,}", _count_delta(now.received, before.received),
                    delta_color="off", help="Enquiries that arrived in the range.",
                    **_sparkline(daily, "received"))
    first[1].metric("Resolved", f"{now.resolved:,}", _count_delta(now.resolved, before.resolved),
                    help="Resolved or closed in the range, not reopened since.",
                    **_sparkline(daily, "resolved"))
    first[2].metric(_backlog_label(m), f"{now.backlog:,}",
                    _count_delta(now.backlog, before.backlog), delta_color="inverse",
                    help="Not resolved at the end of the range; the change is against the "
                         "end of the period before.", **_sparkline(daily, "backlog"))
    first[3].metric("SLA met, first response", _pct(now.first_response_sla.pct),
                    _points_delta(now.first_response_sla.pct, before.first_response_sla.pct),
                    help=_share_help(now.first_response_sla, "first-response"))
    first[4].metric("SLA met, resolution", _pct(now.resolution_sla.pct),
                    _points_delta(now.resolution_sla.pct, before.resolution_sla.pct),
                    help=_share_help(now.resolution_sla, "resolution"))
    second = st.columns(5)
    _time_metrics(second[:2], "First response", now.first_response, before.first_response)
    _time_metrics(second[2:4], "Resolution", now.resolution, before.resolution)
    second[4].metric("Reopen rate", _pct(now.reopened.pct),
                     _points_delta(now.reopened.pct, before.reopened.pct),
                     delta_color="inverse",
                     help=f"{now.reopened.part:,} of {now.reopened.whole:,} enquiries received "
                          "in the range and resolved at least once were reopened.")


def _sparkline(daily: pd.DataFrame | None, column: str) -> dict[str, Any]:
    if daily is None:
        return {}
    return {"chart_data": [int(v) for v in daily[column]], "chart_type": "bar"}


def _backlog_label(m: EnquiryMetrics) -> str:
    return "Backlog now" if m.period.end >= ui.now() else f"Backlog on {day(m.period.last_day)}"


def _share_help(share: metrics.Share, clock: str) -> str:
    return (f"{share.part:,} of {share.whole:,} {clock} due times that passed in the range "
            "were met.")


def _time_metrics(cols: list[Any], name: str, now: metrics.Spread,
                  before: metrics.Spread) -> None:
    cols[0].metric(f"{name}, median", _minutes(now.median),
                   _minutes_delta(now.median, before.median), delta_color="inverse",
                   help=f"Over {now.count:,} enquiries, business time.")
    cols[1].metric(f"{name}, p90", _minutes(now.p90),
                   _minutes_delta(now.p90, before.p90), delta_color="inverse",
                   help="Nine in ten were quicker than this (business time).")


# --- enquiry metrics: charts with drill-down -----------------------------------------------

def _picked(key: str) -> dict[str, Any] | None:
    """The point just clicked on chart ``key`` (its selection state), if any."""
    state = st.session_state.get(key)
    points = state.selection.points if state is not None else []
    return points[0] if points else None


def _drill_to(drill: Drill) -> None:
    st.session_state[DRILL] = drill
    st.session_state[DRILL_KIND] = drill.kind if drill.kind in KPI_DRILLS else None


def _on_daily(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = _picked(key)
        if point and point.get("customdata"):
            when_, kind = point["customdata"][:2]
            _drill_to(Drill(kind, day=date.fromisoformat(when_)))
    return picked


def _on_value(key: str, kind: str) -> Callable[[], None]:
    def picked() -> None:
        point = _picked(key)
        if point and point.get("customdata"):
            _drill_to(Drill(kind, value=str(point["customdata"][0])))
    return picked


def _on_week(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = _picked(key)
        if point and point.get("customdata"):
            week, clock = point["customdata"][:2]
            _drill_to(Drill(f"{clock}_missed", week=date.fromisoformat(week)))
    return picked


def _on_person(key: str) -> Callable[[], None]:
    def picked() -> None:
        point = _picked(key)
        if point and point.get("customdata"):
            person, column = point["customdata"][:2]
            kind = "person_open" if column == "open_now" else "person_resolved"
            _drill_to(Drill(kind, person_id=int(person)))
    return picked


Picker = Callable[[str], Callable[[], None]]


def _chart(fig: Any, key: str, picker: Picker | None = None) -> None:
    """A chart with the PNG button; clicking a point drills down when there is a picker."""
    if picker is None:
        st.plotly_chart(fig, width="stretch", key=key, config=chart_config(key))
    else:
        st.plotly_chart(fig, width="stretch", key=key, config=chart_config(key),
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
        _chart(charts.duration_bands(m.first_response_times, "Time to first response"),
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
        _chart(charts.workload(frame), "metrics_chart_workload", _on_person)
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
                   "here; each row opens the customer.")
        return
    drill = _within(drill, period)
    result = _drill_down(_url(), period, flt, drill, metrics.DRILL_LIMIT)
    shown = len(result.rows)
    st.markdown(f"**{drill_title(drill)}** — {result.total:,} enquiries"
                + (f", the newest {shown} shown" if shown < result.total else ""))
    frame = drill_frame(result.rows)
    styled = widgets.highlight(frame, "SLA resolution", _sla_style)
    if isinstance(styled, Styler):
        styled = styled.map(_sla_style, subset=["SLA first response"])
    picked = widgets.picked_row(styled, "metrics_drill_table")
    if picked is not None:
        _open(result.rows[picked])
    widgets.export_buttons(
        "metrics_drill_export", "enquiries",
        lambda: drill_frame(_drill_down(_url(), period, flt, drill, widgets.EXPORT_LIMIT).rows))


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
        options = {p.id: p.name for p in _filter_options(_url()).people}
        title += f" {options.get(drill.person_id or 0, metrics.UNASSIGNED)}"
    if drill.kind == "heat" and drill.weekday is not None and drill.hour is not None:
        title += f" {metrics.WEEKDAYS[drill.weekday]} {drill.hour:02d}:00–{drill.hour + 1:02d}:00"
    return title


def _sla_style(value: object) -> str:
    return widgets.SLA_STYLES.get(str(value), "")


def drill_frame(rows: tuple[metrics.DrillRow, ...]) -> pd.DataFrame:
    """What a lead reads first on the left; the enquiry's kind at the end."""
    columns = ["Reference", "Received", "Customer", "Subject", "Status", "Assignee",
               "First response", "Resolution", "SLA first response", "SLA resolution",
               "Channel", "Category", "Priority"]
    return pd.DataFrame([{
        "Reference": r.reference, "Received": when(r.received_at),
        "Customer": r.customer_name or "—", "Subject": r.subject,
        "Status": components.STATUS_LABELS.get(r.status, r.status),
        "Assignee": r.assignee or metrics.UNASSIGNED,
        "First response": _minutes(r.first_response_minutes),
        "Resolution": _minutes(r.resolution_minutes),
        "SLA first response": r.first_response_sla, "SLA resolution": r.resolution_sla,
        "Channel": CHANNEL_LABELS.get(r.channel, r.channel),
        "Category": CATEGORY_LABELS.get(r.category, r.category),
        "Priority": r.priority.capitalize(),
    } for r in rows], columns=columns)


def _open(row: metrics.DrillRow) -> None:
    if row.customer_number is None:
        st.info(f"{row.reference} is not linked to a customer yet.")
        return
    components.open_customer(row.customer_number, ("enquiry", row.id))


def definitions(rows: tuple[tuple[str, str, str, str], ...], footnote: str) -> None:
    with st.expander("How these are measured"):
        st.markdown(metrics.definitions_markdown(rows, footnote))


# --- account balances ------------------------------------------------------------------------

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=32)
def _portfolio(url: str, customers: Customers, today: date) -> portfolio.Portfolio:
    with ui.session() as s:
        return portfolio.portfolio(session=s, customers=customers, today=today)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=32)
def _top_overdue(url: str, customers: Customers, today: date, limit: int
                 ) -> list[portfolio.OverdueCustomer]:
    with ui.session() as s:
        return portfolio.top_overdue(session=s, customers=customers, today=today, limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=32)
def _disputed(url: str, customers: Customers, limit: int
              ) -> tuple[list[portfolio.DisputedInvoice], int]:
    with ui.session() as s:
        return portfolio.disputed_invoices(session=s, customers=customers, limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=32)
def _bucket_items(url: str, customers: Customers, today: date, bucket: str, limit: int
                  ) -> portfolio.BucketItems:
    with ui.session() as s:
        return portfolio.bucket_items(session=s, customers=customers, today=today,
                                      bucket=bucket, limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=8)
def _managers(url: str) -> list[portfolio.ManagerOption]:
    with ui.session() as s:
        return portfolio.account_managers(session=s)


def balance_filters(user: UserInfo) -> Customers:
    """Segment, country and account manager; a representative starts on their own accounts."""
    managers = _managers(_url())
    cols = st.columns(3)
    segments = cols[0].multiselect("Segment", SEGMENTS, key=BALANCE_SEGMENT, placeholder="All",
                                   format_func=SEGMENT_LABELS.__getitem__)
    countries = cols[1].multiselect("Country", COUNTRIES, key=BALANCE_COUNTRY,
                                    placeholder="Both", format_func=COUNTRY_LABELS.__getitem__)
    mine = next((m for m in managers if m.id == user.id and user.role == "rep"), None)
    manager = one_or_all(cols[2], "Account manager", managers, "All", key=BALANCE_MANAGER,
                         start=mine)
    return Customers(segments=tuple(segments), countries=tuple(countries),
                     account_manager_id=manager.id if manager else None)


def load_portfolio(customers: Customers, today: date) -> portfolio.Portfolio:
    # Only the first load after a month end is slow: it closes that month.
    with st.spinner("Reading the receivables… (the first load after a month end also closes "
                    "that month: a few seconds, once)"):
        return _portfolio(_url(), customers, today)


def compact(cents: int) -> str:
    """Portfolio-sized money, short enough for a KPI: €1,35M, €698K (exact in the help)."""
    euros = cents / 100
    digits = 2 if abs(euros) >= 1_000_000 else 1
    return format_compact_currency(euros, "EUR", locale=UI_LOCALE, fraction_digits=digits)


def _money_delta(now: int, before: int) -> str | None:
    change = now - before
    return ("+" if change > 0 else "-") + compact(abs(change)) if change else None


def balance_kpis(p: portfolio.Portfolio) -> None:
    """Today against the last month end."""
    now, before = p.now, p.ageing[-2]
    dso_now, dso_before = p.dso[-1].dso, p.dso[-2].dso
    over_90 = now.buckets["90+"]
    cols = st.columns(6)
    cols[0].metric("Receivables", compact(now.total_cents),
                   _money_delta(now.total_cents, before.total_cents), delta_color="off",
                   help=f"{money(now.total_cents)} open today, net of credit notes and money "
                        f"on account; the change is since {day(before.as_of)}.")
    cols[1].metric("Past due", compact(now.overdue_cents),
                   _money_delta(now.overdue_cents, before.overdue_cents), delta_color="inverse",
                   help=f"{money(now.overdue_cents)}: every ageing bucket after 'current'.")
    cols[2].metric("More than 90 days", compact(over_90),
                   _money_delta(over_90, before.buckets["90+"]), delta_color="inverse",
                   help=money(over_90))
    cols[3].metric("DSO", f"{dso_now:.0f} days" if dso_now is not None else "—",
                   _delta(dso_now, dso_before, lambda c: f"{c:+.1f} days"),
                   delta_color="inverse",
                   help="Receivables ÷ sales of the last three months × their days.")
    cols[4].metric("Disputed", compact(p.disputed_cents),
                   help=f"{money(p.disputed_cents)} open on invoices marked disputed.")
    cols[5].metric("On account", compact(p.on_account_cents),
                   help=f"{money(p.on_account_cents)} received and not yet allocated.")


def _euros(cents: int) -> float:
    return cents / 100


def ageing_frame(p: portfolio.Portfolio) -> pd.DataFrame:
    return pd.DataFrame([{"as_of": a.as_of, **{name: _euros(a.buckets[b]) for b, name in
                                               zip(BUCKETS, charts.BUCKET_NAMES, strict=True)}}
                         for a in p.ageing])


def balance_charts(p: portfolio.Portfolio) -> None:
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.ageing_over_time(ageing_frame(p)), width="stretch",
                      key="balances_ageing", config=chart_config("receivables-by-age"))
    right.plotly_chart(charts.dso_trend(pd.DataFrame(
        {"as_of": [d.month_end for d in p.dso], "dso": [d.dso for d in p.dso]})),
        width="stretch", key="balances_dso", config=chart_config("dso"))
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.invoiced_vs_paid(pd.DataFrame([{
        "month": m.month, "invoiced": _euros(m.invoiced_cents),
        "credited": _euros(m.credited_cents), "paid": _euros(m.paid_cents)}
        for m in p.months])), width="stretch", key="balances_flows",
        config=chart_config("invoiced-and-received"))
    right.plotly_chart(charts.ageing_bars(pd.DataFrame({
        "bucket": list(charts.BUCKET_NAMES),
        "amount": [_euros(p.now.buckets[b]) for b in BUCKETS]}),
        title=f"Ageing today ({day(p.today)})"), width="stretch", key="balances_ageing_now",
        config=chart_config("ageing-today"), on_select=_on_ageing_bar, selection_mode="points")


BALANCE_TABS = ("Most overdue customers", "Disputed invoices", "Open items by age")
TOP_CHART = 10


def _on_ageing_bar() -> None:
    """A bar of today's ageing lists what is in that bucket."""
    point = _picked("balances_ageing_now")
    if point is not None and point.get("point_index") is not None:
        st.session_state[BALANCE_BUCKET] = BUCKETS[int(point["point_index"])]
        st.session_state[BALANCE_TAB] = BALANCE_TABS[2]


def balance_lists(customers: Customers, today: date) -> None:
    tabs = st.tabs(BALANCE_TABS, key=BALANCE_TAB, on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            _overdue_list(customers, today)
    if tabs[1].open:
        with tabs[1]:
            _disputed_list(customers)
    if tabs[2].open:
        with tabs[2]:
            _bucket_list(customers, today)


def overdue_frame(rows: list[portfolio.OverdueCustomer]) -> pd.DataFrame:
    columns = ["Customer", "Number", "Segment", "Country", "Account manager", "Overdue",
               "Of which > 90 days", "Oldest due", "Balance", "Disputed"]
    return pd.DataFrame([{
        "Customer": r.name, "Number": r.customer_number,
        "Segment": SEGMENT_LABELS.get(r.segment, r.segment), "Country": r.country,
        "Account manager": r.account_manager or "—", "Overdue": _euros(r.overdue_cents),
        "Of which > 90 days": _euros(r.over_90_cents), "Oldest due": day(r.oldest_due),
        "Balance": _euros(r.balance_cents), "Disputed": _euros(r.disputed_cents),
    } for r in rows], columns=columns)


def _on_overdue_bar() -> None:
    # Switching pages is for the script run, not a callback: note the customer to open.
    point = _picked("balances_top_chart")
    if point and point.get("customdata"):
        st.session_state[OPEN_CUSTOMER] = str(point["customdata"][0])


def _overdue_list(customers: Customers, today: date) -> None:
    rows = _top_overdue(_url(), customers, today, portfolio.TOP_LIMIT)
    if not rows:
        st.success("No customer has an invoice past due.")
        return
    top = rows[:TOP_CHART]
    chart = pd.DataFrame({"customer": [r.name for r in top],
                          "customer_number": [r.customer_number for r in top],
                          "overdue": [_euros(r.overdue_cents) for r in top],
                          "over_90": [_euros(r.over_90_cents) for r in top]})
    st.plotly_chart(charts.top_overdue(chart, f"The {len(top)} most overdue customers"),
                    width="stretch", key="balances_top_chart",
                    config=chart_config("most-overdue"), on_select=_on_overdue_bar,
                    selection_mode="points")
    if number := st.session_state.pop(OPEN_CUSTOMER, None):
        components.open_customer(number)
    st.caption("Click a bar or a row to open the customer.")
    frame = overdue_frame(rows)
    picked = widgets.picked_row(frame, "balances_top_table", Overdue=MONEY, Balance=MONEY,
                                Disputed=MONEY, **{"Of which > 90 days": MONEY})
    if picked is not None:
        components.open_customer(rows[picked].customer_number)
    widgets.export_buttons(
        "balances_top_export", "overdue-customers",
        lambda: overdue_frame(_top_overdue(_url(), customers, today, 1000)),
        money_columns=("Overdue", "Of which > 90 days", "Balance", "Disputed"))


def disputed_frame(rows: list[portfolio.DisputedInvoice]) -> pd.DataFrame:
    columns = ["Invoice", "Customer", "Number", "Issued", "Due", "Open", "Reason"]
    return pd.DataFrame([{
        "Invoice": r.number, "Customer": r.customer_name, "Number": r.customer_number,
        "Issued": day(r.issue_date), "Due": day(r.due_date), "Open": _euros(r.open_cents),
        "Reason": r.reason or "—",
    } for r in rows], columns=columns)


def _disputed_list(customers: Customers) -> None:
    rows, total = _disputed(_url(), customers, portfolio.TOP_LIMIT)
    if not rows:
        st.success("No open invoice is disputed.")
        return
    st.caption(f"{total:,} open disputed invoices"
               + (f", the {len(rows)} largest shown" if len(rows) < total else "")
               + ". Click a row to open the customer on that invoice.")
    picked = widgets.picked_row(disputed_frame(rows), "balances_disputed_table", Open=MONEY)
    if picked is not None:
        components.open_customer(rows[picked].customer_number,
                                 ("invoice", rows[picked].invoice_id))
    widgets.export_buttons(
        "balances_disputed_export", "disputed-invoices",
        lambda: disputed_frame(_disputed(_url(), customers, widgets.EXPORT_LIMIT)[0]),
        money_columns=("Open",))


def bucket_frame(rows: tuple[portfolio.OpenItem, ...]) -> pd.DataFrame:
    columns = ["Document", "Kind", "Customer", "Number", "Issued", "Due", "Days past due",
               "Open", "Disputed"]
    return pd.DataFrame([{
        "Document": r.number, "Kind": "Credit note" if r.kind == "credit_note" else "Invoice",
        "Customer": r.customer_name, "Number": r.customer_number, "Issued": day(r.issue_date),
        "Due": day(r.due_date), "Days past due": max(r.days_past_due, 0),
        "Open": _euros(r.open_cents), "Disputed": "yes" if r.is_disputed else "",
    } for r in rows], columns=columns)


def _bucket_list(customers: Customers, today: date) -> None:
    bucket = st.segmented_control("Ageing bucket", BUCKETS, default="90+", required=True,
                                  key=BALANCE_BUCKET, format_func=BUCKET_LABELS.__getitem__)
    items = _bucket_items(_url(), customers, today, bucket or "90+", portfolio.TOP_LIMIT)
    name = BUCKET_LABELS[items.bucket]
    on_account = money(items.on_account_cents)
    if not items.count:
        if items.on_account_cents:
            st.info(f"No open document in “{name}”; {on_account} received and not yet "
                    "allocated is counted here, as money the customers have on account.")
        else:
            st.success(f"Nothing open in “{name}”.")
        return
    documents = "1 open document" if items.count == 1 else f"{items.count:,} open documents"
    less = (f"; less {on_account} received and not yet allocated = "
            f"{money(items.total_cents)}" if items.on_account_cents else "")
    shown = (f"; the {len(items.rows)} largest shown" if len(items.rows) < items.count
             else "")
    st.caption(f"{documents}, {money(items.documents_cents)}{less}{shown}. "
               "Click a row to open the customer on that document.")
    picked = widgets.picked_row(bucket_frame(items.rows), "balances_bucket_table", Open=MONEY)
    if picked is not None:
        components.open_customer(items.rows[picked].customer_number,
                                 ("invoice", items.rows[picked].invoice_id))
    widgets.export_buttons(
        "balances_bucket_export", f"open-items-{items.bucket}",
        lambda: bucket_frame(_bucket_items(_url(), customers, today, items.bucket,
                                           widgets.EXPORT_LIMIT).rows),
        money_columns=("Open",))
