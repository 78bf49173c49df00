"""Chart builders: a DataFrame in, a plotly Figure out. They never render and know no database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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
                text=[f"€ {v:,.0f}".replace(",", ".") for v in frame["amount"]],
                textposition="outside", cliponaxis=False)
    fig.update_layout(title=title, yaxis_title="€", yaxis_tickformat=",.0f", showlegend=False,
                      **LAYOUT)
    return fig
