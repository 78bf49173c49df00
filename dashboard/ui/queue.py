"""The queue page's pieces: filters, the queue table and the leads' bulk actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.labels import CATEGORY_LABELS, STATUS_LABELS
from dashboard.services import queue, workflow
from dashboard.services.paging import Page
from dashboard.services.queue import QueueFilter, QueueRow
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, widgets
from dashboard.ui.enquiry import enquiry_frame, open_enquiry
from db.models import CATEGORIES, CHANNELS, ENQUIRY_STATUSES, LANGUAGES, PRIORITIES

PAGE_SIZE = 50


def _status(value: str) -> str:
    return STATUS_LABELS.get(value, value.replace("_", " ").capitalize())


def queue_filters() -> QueueFilter:
    with st.expander("Filters"):
        cols = st.columns(3)
        channels = cols[0].multiselect("Channel", CHANNELS, key="q_channel")
        categories = cols[1].multiselect("Category", CATEGORIES, key="q_category",
                                         format_func=CATEGORY_LABELS.__getitem__)
        priorities = cols[2].multiselect("Priority", PRIORITIES, key="q_priority",
                                         format_func=str.capitalize)
        statuses = cols[0].multiselect("Status", ENQUIRY_STATUSES, key="q_status",
                                       format_func=_status,
                                       help="Empty: every status still open")
        languages = cols[1].multiselect("Language", LANGUAGES, key="q_language",
                                        format_func=str.upper)
        older = cols[2].number_input("Older than (days)", min_value=0, max_value=365,
                                     value=0, step=1, key="q_older")
    return QueueFilter(tuple(channels), tuple(categories), tuple(priorities), tuple(statuses),
                       tuple(languages), None, int(older) or None)


def queue_frame(rows: list[QueueRow]) -> pd.DataFrame:
    frame = enquiry_frame([r.enquiry for r in rows])
    if not frame.empty:
        frame.insert(3, "Assignee", [r.assignee or "—" for r in rows])
    return frame


def queue_table(user: UserInfo, page: Page[QueueRow]) -> None:
    if not page.rows:
        st.success("Nothing here.")
        widgets.pager("queue", page.total, page.limit)
        return
    frame = queue_frame(page.rows)
    styled = widgets.highlight(frame, "SLA", lambda v: widgets.SLA_STYLES.get(str(v), ""))
    if user.has_role("lead"):
        event = st.dataframe(styled, hide_index=True, width="stretch", key="queue_table",
                             on_select="rerun", selection_mode="multi-row",
                             height=widgets.table_height(len(frame)))
        chosen = [page.rows[i] for i in event.selection.rows]
        widgets.pager("queue", page.total, page.limit)
        if len(chosen) == 1:
            open_enquiry(chosen[0].enquiry.reference)
        if chosen:
            bulk_actions(user, chosen)
        st.caption("Select one row to open it, or several for bulk actions.")
    else:
        picked = widgets.picked_row(styled, "queue_pick")
        widgets.pager("queue", page.total, page.limit)
        if picked is not None:
            open_enquiry(page.rows[picked].enquiry.reference)
        st.caption("Most urgent first. Select a row to open the enquiry.")


def bulk_actions(user: UserInfo, chosen: list[QueueRow]) -> None:
    with st.container(border=True):
        st.markdown(f"**{len(chosen)} selected**")
        with db.session() as s:
            people = queue.colleagues(session=s)
        cols = st.columns([3, 1, 1], vertical_alignment="bottom")
        person = cols[0].selectbox("Assign to", people, index=None, key="bulk_person",
                                   format_func=lambda p: f"{p.name} ({p.team or 'no team'}, "
                                   f"{p.open_enquiries} open)", placeholder="Choose someone")
        if cols[1].button("Assign", key="bulk_assign", disabled=person is None):
            _bulk(chosen, lambda s, r: workflow.assign(
                session=s, enquiry_id=r.enquiry.id, assignee_id=person.id if person else None,
                by=user, expected_version=r.version, now=db.now()), "assigned")
        if cols[2].button("Close", key="bulk_close"):
            _bulk(chosen, lambda s, r: workflow.change_status(
                session=s, enquiry_id=r.enquiry.id, to="closed", by=user,
                expected_version=r.version, now=db.now(), note="Closed in bulk"), "closed")


def _bulk(rows: list[QueueRow], change: Callable[[Any, QueueRow], object], done: str) -> None:
    failed = []
    for row in rows:
        try:
            with db.session() as s:
                change(s, row)
        except (ValueError, RuntimeError) as exc:
            failed.append(f"{row.enquiry.reference}: {exc}")
    if failed:
        st.error("Not changed:\n" + "\n".join(f"- {f}" for f in failed))
    else:
        st.session_state[state.FLASH] = f"{len(rows)} enquiries {done}."
        st.session_state.pop("queue_table", None)
        st.rerun()
