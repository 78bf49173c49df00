"""Small widgets shared by the pages: pager, export buttons, selectable tables, error lists."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

import pandas as pd
import streamlit as st

from dashboard.formatting import money, number
from dashboard.services import metrics
from dashboard.services.errors import ValidationError
from dashboard.ui import state, text

EXPORT_LIMIT = 100_000
CSV_HELP = ("CSV for Excel in Belgium: separated by ;, decimal comma, dates dd/mm/yyyy, "
            "UTF-8. Cells that would start a formula begin with an apostrophe.")
# Signs before the words of states people must notice in a table. Plain text in the cell:
# a pandas Styler colouring the cell cost a third of a customer tab's script run.
ALERT = "🔴"
CAUTION = "🟠"
GOOD = "🟢"
PAUSED = "⏸"
SLA_MARKS = {"Breached": ALERT, "At risk": CAUTION, "On track": GOOD, "Paused": PAUSED,
             "Met": GOOD}
# Money columns hold euros (floats) for sorting and export; on screen they are written the
# Belgian way ("1.234,56 €") by ``belgian`` below, right-aligned. Pass MONEY in column_config.
MONEY = st.column_config.TextColumn(alignment="right")


def pager_offset(key: str) -> int:
    """The offset to query with; the pager drawn after the list moves it."""
    return int(st.session_state.get(f"{key}_offset", 0))


def reset_pager(key: str) -> None:
    st.session_state[f"{key}_offset"] = 0


def pager(key: str, total: int, limit: int) -> None:
    offset = min(pager_offset(key), max(0, (total - 1) // limit * limit))
    state_key = f"{key}_offset"

    def move(to: int) -> None:
        st.session_state[state_key] = to

    cols = st.columns([3, 1, 1], vertical_alignment="center")
    if total == 0:
        cols[0].caption("No rows")
    else:
        cols[0].caption(f"Rows {number(offset + 1)}–{number(min(offset + limit, total))} of "
                        f"{number(total)}")
    cols[1].button("‹ Previous", key=f"{key}_prev", disabled=offset == 0, width="stretch",
                   on_click=move, args=(max(0, offset - limit),))
    cols[2].button("Next ›", key=f"{key}_next", disabled=offset + limit >= total,
                   width="stretch", on_click=move, args=(offset + limit,))


def marked(frame: pd.DataFrame, column: str, mark: Callable[[object], str]) -> pd.DataFrame:
    """``frame`` (a copy) with each cell of ``column`` led by the sign ``mark`` gives for its
    value ('' for none): "🔴 Overdue 12 d". For the screen; exports take the plain frame."""
    if frame.empty or column not in frame.columns:
        return frame
    return frame.assign(**{column: [f"{sign} {value}" if (sign := mark(value)) else value
                                    for value in frame[column]]})


def sla_mark(value: object) -> str:
    return SLA_MARKS.get(str(value), "")


def table_height(rows: int) -> int | str:
    """Show short lists whole; long ones scroll inside a fixed height."""
    return "content" if rows <= 30 else 720


def selectable(frame: pd.DataFrame, key: str, ids: Sequence[int],
               **column_config: object) -> int | None:
    """A table of entities (``ids``, one per row); returns the id of the selected row.

    A selection belongs to the rows it was made on: the widget is keyed by the ids shown, so
    after a write, a re-sort or another page it refers to the same entity or to none — never
    to whatever moved into that position.
    """
    chosen = _entity_table(frame, key, ids, "single-row", column_config)
    return chosen[0] if chosen else None


def selected_many(frame: pd.DataFrame, key: str, ids: Sequence[int],
                  **column_config: object) -> list[int]:
    """The same with ticks: the ids of every selected row, kept by entity as above."""
    return _entity_table(frame, key, ids, "multi-row", column_config)


def table(frame: pd.DataFrame, *, key: str | None = None,
          height: int | str | None = None, **column_config: object) -> None:
    """A read-only table, money written the Belgian way."""
    st.dataframe(belgian(frame, column_config), hide_index=True, width="stretch", key=key,
                 column_config=column_config or None,
                 height=height if height is not None else table_height(len(frame.index)))


def belgian(frame: pd.DataFrame, column_config: dict[str, object]) -> pd.DataFrame:
    """``frame`` with its MONEY columns as Belgian text (a copy; the caller's stays numbers)."""
    present = [name for name, config in column_config.items()
               if config is MONEY and name in frame.columns]
    if not present:
        return frame
    return frame.assign(**{column: [money(round(v * 100)) if isinstance(v, int | float)
                                    and v == v else "—" for v in frame[column]]
                           for column in present})


def _entity_table(frame: pd.DataFrame, key: str, ids: Sequence[int], mode: str,
                  column_config: dict[str, object]) -> list[int]:
    frame = belgian(frame, column_config)
    shown = tuple(int(i) for i in ids)
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=6).hexdigest()
    event = st.dataframe(frame, hide_index=True, width="stretch", key=f"{key}_{digest}",
                         on_select="rerun", selection_mode=mode,  # type: ignore[arg-type]
                         column_config=column_config or None,
                         height=table_height(len(shown)))
    return [shown[int(r)] for r in event.selection.rows if int(r) < len(shown)]


def export_buttons(key: str, name: str, build: Callable[[], pd.DataFrame],
                   money_columns: tuple[str, ...] = (), date_columns: tuple[str, ...] = ()
                   ) -> None:
    """CSV and XLSX of the whole filtered list, built only when a button is pressed.

    Money columns arrive in euros (as the tables show them) and go to the exports in cents,
    which the exporters write as exact € amounts.
    """
    from dashboard.documents import tables

    def in_cents() -> pd.DataFrame:
        frame = build()
        return frame.assign(**{c: (frame[c] * 100).round().astype("Int64")
                               for c in money_columns})

    stamp = date.today().isoformat()
    cols = st.columns(2)
    cols[0].download_button(
        "Download CSV", data=lambda: tables.to_csv(in_cents(), money_columns=money_columns),
        file_name=f"{name}-{stamp}.csv", mime="text/csv", key=f"{key}_csv", width="stretch",
        on_click="ignore", help=CSV_HELP)
    cols[1].download_button(
        "Download Excel", key=f"{key}_xlsx", width="stretch", on_click="ignore",
        data=lambda: tables.to_xlsx(in_cents(), sheet_name=name, money_columns=money_columns,
                                    date_columns=date_columns),
        file_name=f"{name}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def show_flash() -> None:
    """The confirmation a write left for after its rerun, shown once as a toast."""
    if message := st.session_state.pop(state.FLASH, None):
        st.toast(text.plain(message))


def show_problems(exc: Exception) -> None:
    """A refused save, said plainly: each problem on its own line."""
    if isinstance(exc, ValidationError):
        st.error("Not saved:\n" + "\n".join(f"- {text.plain(p)}" for p in exc.problems))
    else:
        st.error(f"Not saved: {text.plain(exc)}")


def picked_row(table: pd.DataFrame, key: str, **column_config: object
               ) -> int | None:
    """Show a table whose rows can be selected; return the picked row's position once.

    The widget key changes after each pick, so coming back to the page does not reopen
    the same row.
    """
    table = belgian(table, column_config)
    generation_key = f"{key}_generation"
    generation = st.session_state.get(generation_key, 0)
    event = st.dataframe(table, hide_index=True, width="stretch", key=f"{key}_{generation}",
                         on_select="rerun", selection_mode="single-row",
                         column_config=column_config or None,
                         height=table_height(len(table.index)))
    if event.selection.rows:
        st.session_state[generation_key] = generation + 1
        return int(event.selection.rows[0])
    return None


# --- charts and filters of the metrics and balances pages --------------------------------------

def chart_config(filename: str) -> dict[str, Any]:
    """Plotly toolbar: a PNG download named after the chart, no plotly logo."""
    return {"toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "displaylogo": False}


def delta(now: float | None, before: float | None, fmt: Callable[[float], str]
          ) -> str | None:
    """A KPI's change as text, or None when there is none to show."""
    if now is None or before is None:
        return None
    change = now - before
    return fmt(change) if change else None



def picked_point(key: str) -> dict[str, Any] | None:
    """The point just clicked on chart ``key`` (its selection state), if any."""
    state = st.session_state.get(key)
    points = state.selection.points if state is not None else []
    return points[0] if points else None


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


def definitions(rows: tuple[tuple[str, str, str, str], ...], footnote: str) -> None:
    with st.expander("How these are measured"):
        st.markdown(metrics.definitions_markdown(rows, footnote))
