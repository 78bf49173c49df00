"""Chart builders: a DataFrame in, a plotly Figure out. They never render and know no database."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.formatting import number

INVOICED = "#1f5f99"
CREDITED = "#8fb3d9"
PAID = "#2e8b57"
BALANCE = "#c0392b"
AGEING_COLOURS = ["#2e8b57", "#f1c40f", "#e67e22", "#d35400", "#c0392b"]
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 340,
          "legend": {"orientation": "h", "y": -0.15}, "plot_bgcolor": "white",
          "separators": ",."}


def balance_over_time(frame: pd.DataFrame, title: str = "Balance over time") -> go.Figure:
    """Bars for invoiced, credited and paid per month; a line for the balance after it.

    Expects columns month (date), invoiced, credited, paid, balance — in euros.
    """
    fig = go.Figure()
    if frame.empty:
        fig.update_layout(title=title, **LAYOUT)
        return fig
    fig.add_bar(x=frame["month"], y=frame["invoiced"], name="Invoiced", marker_color=INVOICED)
    fig.add_bar(x=frame["month"], y=frame["credited"], name="Credit notes",
                marker_color=CREDITED)
    fig.add_bar(x=frame["month"], y=-frame["paid"], name="Payments", marker_color=PAID)
    fig.add_scatter(x=frame["month"], y=frame["balance"], name="Balance", mode="lines+markers",
                    line={"color": BALANCE, "width": 3})
    fig.update_layout(title=title, barmode="relative", yaxis_title="€",
                      yaxis_tickformat=",.0f", hovermode="x unified", **LAYOUT)
    fig.update_xaxes(dtick="M3", tickformat="%b %Y")
    return fig


def ageing_bars(frame: pd.DataFrame, title: str = "Ageing") -> go.Figure:
    """One bar per ageing bucket. Expects columns bucket (label) and amount (euros)."""
    fig = go.Figure()
    fig.add_bar(x=frame["bucket"], y=frame["amount"], marker_color=AGEING_COLOURS[: len(frame)],
                text=[f"{number(v)} €" for v in frame["amount"]],
                textposition="outside", cliponaxis=False)
    fig.update_layout(title=title, yaxis_title="€", yaxis_tickformat=",.0f", showlegend=False,
                      **LAYOUT)
    return fig


# --- team metrics --------------------------------------------------------------------------

RECEIVED = "#1f5f99"
RESOLVED = "#2e8b57"
BACKLOG = "#c0392b"
NEUTRAL = "#5b7fa6"
MISSED = "#e67e22"
HEAT_SCALE = [[0.0, "#f4f7fb"], [0.5, "#7fa7d1"], [1.0, "#1f3f66"]]
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _figure(title: str, traces: list[dict[str, Any]], layout: dict[str, Any] | None = None
            ) -> go.Figure:
    """A figure in one go: traces and the whole layout handed to the constructor, which
    validates each once (adding traces, then update_layout/update_axes, walked the figure's
    property tree again at every call: half of the metrics page's chart time)."""
    return go.Figure({"data": traces,
                      "layout": {"title": {"text": title}, **LAYOUT, **(layout or {})}})


def _empty(title: str) -> go.Figure:
    return _figure(title, [], {
        "annotations": [{"text": "Nothing in this range", "showarrow": False, "x": 0.5,
                         "y": 0.5, "xref": "paper", "yref": "paper",
                         "font": {"color": "#6b7785"}}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}})


def inflow_outflow(frame: pd.DataFrame, title: str = "Received and resolved per day"
                   ) -> go.Figure:
    """Bars per day. Expects day, received, resolved; customdata is (day ISO, kind)."""
    if frame.empty:
        return _empty(title)
    days = [d.isoformat() for d in frame["day"]]
    return _figure(title, [
        {"type": "bar", "x": list(frame["day"]), "y": frame[column].to_numpy(), "name": name,
         "marker": {"color": colour}, "customdata": [[d, column] for d in days],
         "hovertemplate": f"%{{x|%a %d/%m}}: %{{y}} {name.lower()}<extra></extra>"}
        for column, name, colour in (("received", "Received", RECEIVED),
                                     ("resolved", "Resolved", RESOLVED))],
        {"barmode": "group", "hovermode": "closest", "xaxis": {"tickformat": "%d/%m"}})


def backlog_trend(frame: pd.DataFrame, title: str = "Backlog at the end of each day"
                  ) -> go.Figure:
    """A line with a point per day. Expects day and backlog."""
    if frame.empty:
        return _empty(title)
    return _figure(title, [
        {"type": "scatter", "x": list(frame["day"]), "y": frame["backlog"].to_numpy(),
         "mode": "lines+markers", "name": "Backlog", "line": {"color": BACKLOG, "width": 3},
         "customdata": [[d.isoformat(), "backlog"] for d in frame["day"]],
         "hovertemplate": "%{x|%a %d/%m}: %{y} not resolved<extra></extra>"}],
        {"showlegend": False, "hovermode": "closest", "xaxis": {"tickformat": "%d/%m"},
         "yaxis": {"rangemode": "tozero"}})


def duration_bands(frame: pd.DataFrame, title: str) -> go.Figure:
    """Enquiries per duration band (business time). Expects band and enquiries."""
    if frame.empty or not frame["enquiries"].any():
        return _empty(title)
    return _figure(title, [
        {"type": "bar", "x": list(frame["band"]), "y": frame["enquiries"].to_numpy(),
         "marker": {"color": NEUTRAL}, "customdata": [[b] for b in frame["band"]],
         "hovertemplate": "%{x}: %{y} enquiries<extra></extra>"}],
        {"showlegend": False,
         "xaxis": {"title": {"text": "business time"}, "type": "category"}})


def sla_by_week(frame: pd.DataFrame, title: str = "SLA met, by week due") -> go.Figure:
    """Share of clocks met per week, first response and resolution side by side.

    Expects week, first_response_met, first_response_due, resolution_met, resolution_due.
    """
    if frame.empty or not (frame["first_response_due"].any() or frame["resolution_due"].any()):
        return _empty(title)
    weeks = [w.isoformat() for w in frame["week"]]
    labels = [f"w/c {w:%d/%m}" for w in frame["week"]]
    traces = []
    for prefix, name, colour in (("first_response", "First response", RECEIVED),
                                 ("resolution", "Resolution", RESOLVED)):
        due, met = frame[f"{prefix}_due"], frame[f"{prefix}_met"]
        share = (met / due.where(due > 0) * 100).round(1)
        traces.append({
            "type": "bar", "x": labels, "y": share.to_numpy(),
            "name": name, "marker": {"color": colour},
            "customdata": [[w, prefix, int(m), int(d)] for w, m, d in
                           zip(weeks, met, due, strict=True)],
            "hovertemplate": ("Week of %{customdata[0]}: %{y:.1f} % met "
                              "(%{customdata[2]} of %{customdata[3]})<extra>"
                              f"{name}</extra>")})
    return _figure(title, traces, {
        "barmode": "group", "yaxis": {"title": {"text": "% met"}, "range": [0, 105],
                                      "ticksuffix": " %"},
        "xaxis": {"type": "category"}})


def volume_bars(frame: pd.DataFrame, column: str, title: str) -> go.Figure:
    """Enquiries received per value of ``column`` (channel, category). Expects received."""
    if frame.empty or not frame["received"].any():
        return _empty(title)
    labels = [str(v).replace("_", " ").capitalize() for v in frame[column]]
    received = frame["received"].to_numpy()
    return _figure(title, [
        {"type": "bar", "x": labels, "y": received, "marker": {"color": NEUTRAL},
         "customdata": [[v] for v in frame[column]], "text": received,
         "textposition": "outside", "cliponaxis": False,
         "hovertemplate": "%{x}: %{y} received<extra></extra>"}], {"showlegend": False})


def workload(frame: pd.DataFrame, title: str = "Workload per person") -> go.Figure:
    """Open now and resolved in the range, per person (horizontal bars).

    Expects person, person_id, open_now, resolved, handling (text of the median time).
    """
    if frame.empty:
        return _empty(title)
    people = frame.iloc[::-1]  # plotly draws the first row at the bottom
    return _figure(title, [
        {"type": "bar", "y": list(people["person"]), "x": people[column].to_numpy(),
         "name": name, "orientation": "h", "marker": {"color": colour},
         "customdata": [[int(p), column, h] for p, h in
                        zip(people["person_id"], people["handling"], strict=True)],
         "hovertemplate": (f"%{{y}}: %{{x}} {name.lower()}<br>median handling "
                           "%{customdata[2]}<extra></extra>")}
        for column, name, colour in (("open_now", "Open now", NEUTRAL),
                                     ("resolved", "Resolved in range", RESOLVED))],
        {"barmode": "group", "hovermode": "closest", "height": max(240, 60 + 34 * len(frame))})


def inflow_heatmap(frame: pd.DataFrame, title: str = "Received by weekday and hour",
                   opens: float = 8.5, closes: float = 17.0) -> go.Figure:
    """Enquiries received per weekday × hour (Brussels), the phone line's hours outlined.

    Expects weekday (0 = Monday), hour, received.
    """
    if frame.empty or not frame["received"].any():
        return _empty(title)
    busy = frame.loc[frame["received"] > 0, "hour"]
    first, last = min(int(busy.min()), 7), max(int(busy.max()), 18)
    grid = (frame.pivot(index="weekday", columns="hour", values="received")
            .reindex(index=range(7), columns=range(first, last + 1), fill_value=0))
    return _figure(title, [
        {"type": "heatmap", "z": grid.to_numpy(), "x": [f"{h:02d}:00" for h in grid.columns],
         "y": list(WEEKDAY_NAMES), "colorscale": HEAT_SCALE, "xgap": 1, "ygap": 1,
         "hovertemplate": "%{y} %{x}: %{z} received<extra></extra>",
         "colorbar": {"title": {"text": "received"}}}], {
        "height": 320, "yaxis": {"autorange": "reversed"},
        # The line's opening hours, Monday to Friday: x is the position of the hour column.
        "shapes": [{"type": "rect", "x0": opens - first - 0.5, "x1": closes - first - 0.5,
                    "y0": -0.5, "y1": 4.5,
                    "line": {"color": BACKLOG, "width": 2, "dash": "dot"}}]})


# --- portfolio -----------------------------------------------------------------------------

BUCKET_NAMES = ("Current", "1–30 days", "31–60 days", "61–90 days", "> 90 days")


def _month_end_labels(days: pd.Series) -> list[str]:
    """'Nov 25' per month end; the last point, today, says so."""
    return [d.strftime("%b %y") if i < len(days) - 1 else "Today" for i, d in enumerate(days)]


def ageing_over_time(frame: pd.DataFrame, title: str = "Receivables by age, month ends"
                     ) -> go.Figure:
    """Stacked bars per month end. Expects as_of and one column per BUCKET_NAMES (euros)."""
    if frame.empty:
        return _empty(title)
    fig = go.Figure()
    labels = _month_end_labels(frame["as_of"])
    for name, colour in zip(BUCKET_NAMES, AGEING_COLOURS, strict=True):
        fig.add_bar(x=labels, y=frame[name], name=name, marker_color=colour,
                    hovertemplate=f"%{{x}}: %{{y:,.0f}} € {name.lower()}<extra></extra>")
    fig.update_layout(title=title, barmode="relative", yaxis_title="€",
                      yaxis_tickformat=",.0f", hovermode="x unified", **LAYOUT)
    fig.update_xaxes(type="category")
    return fig


def dso_trend(frame: pd.DataFrame, title: str = "Days sales outstanding") -> go.Figure:
    """DSO per month end. Expects as_of and dso (days, may be missing)."""
    if frame.empty or frame["dso"].isna().all():
        return _empty(title)
    fig = go.Figure()
    labels = _month_end_labels(frame["as_of"])
    fig.add_scatter(x=labels, y=frame["dso"], mode="lines+markers+text", name="DSO",
                    line={"color": INVOICED, "width": 3}, textposition="top center",
                    text=[f"{v:.0f}" if pd.notna(v) else "" for v in frame["dso"]],
                    hovertemplate="%{x}: %{y:.1f} days<extra></extra>")
    fig.update_layout(title=title, showlegend=False, yaxis_title="days", **LAYOUT)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return fig


def invoiced_vs_paid(frame: pd.DataFrame, title: str = "Invoiced and received per month"
                     ) -> go.Figure:
    """Bars per month: invoiced, credit notes, payments. Expects month, invoiced, credited,
    paid (euros)."""
    if frame.empty:
        return _empty(title)
    fig = go.Figure()
    for column, name, colour in (("invoiced", "Invoiced", INVOICED),
                                 ("credited", "Credit notes", CREDITED),
                                 ("paid", "Payments received", PAID)):
        fig.add_bar(x=frame["month"], y=frame[column], name=name, marker_color=colour,
                    hovertemplate=f"%{{x|%b %Y}}: %{{y:,.0f}} €<extra>{name}</extra>")
    fig.update_layout(title=title, barmode="group", yaxis_title="€",
                      yaxis_tickformat=",.0f", **LAYOUT)
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    return fig


def top_overdue(frame: pd.DataFrame, title: str = "Most overdue customers") -> go.Figure:
    """Horizontal stacked bars: overdue up to 90 days and beyond. Expects customer,
    customer_number, overdue and over_90 (euros)."""
    if frame.empty:
        return _empty(title)
    rows = frame.iloc[::-1]
    fig = go.Figure()
    recent = rows["overdue"] - rows["over_90"]
    for values, name, colour in ((recent, "Overdue up to 90 days", AGEING_COLOURS[2]),
                                 (rows["over_90"], "More than 90 days", AGEING_COLOURS[4])):
        fig.add_bar(y=rows["customer"], x=values, name=name, orientation="h",
                    marker_color=colour, customdata=[[n] for n in rows["customer_number"]],
                    hovertemplate=f"%{{y}}: %{{x:,.0f}} €<extra>{name}</extra>")
    layout = {**LAYOUT, "height": max(260, 70 + 26 * len(frame))}
    fig.update_layout(title=title, barmode="stack", xaxis_title="€",
                      xaxis_tickformat=",.0f", hovermode="closest", **layout)
    return fig
