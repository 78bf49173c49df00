"""The queue page's pieces: filters, the queue table and the leads' bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.formatting import count, when
from dashboard.labels import CATEGORY_LABELS, label
from dashboard.services import enquiries, queue, workflow
from dashboard.services.paging import Page
from dashboard.services.queue import QueueFilter, QueueRow
from dashboard.services.users import UserInfo
from dashboard.ui import db, keys, live, state, text, widgets
from dashboard.ui.enquiry import (
    account_flags,
    enquiry_frame,
    mark_badges,
    marked_enquiries,
    open_enquiry,
)
from db.models import CATEGORIES, CHANNELS, ENQUIRY_STATUSES, LANGUAGES, PRIORITIES

PAGE_SIZE = 50


def queue_filters() -> QueueFilter:
    with st.expander("Filters"):
        cols = st.columns(3)
        channels = cols[0].multiselect("Channel", CHANNELS, key="q_channel",
                                       format_func=lambda v: label("channel", v))
        categories = cols[1].multiselect("Category", CATEGORIES, key="q_category",
                                         format_func=CATEGORY_LABELS.__getitem__)
        priorities = cols[2].multiselect("Priority", PRIORITIES, key="q_priority",
                                         format_func=lambda v: label("priority", v))
        statuses = cols[0].multiselect("Status", ENQUIRY_STATUSES, key="q_status",
                                       format_func=lambda v: label("status", v),
                                       help="Empty: every status still open")
        languages = cols[1].multiselect("Language", LANGUAGES, key="q_language",
                                        format_func=str.upper)
        older = cols[2].number_input("Older than (days)", min_value=0, max_value=365,
                                     value=0, step=1, key="q_older")
    return QueueFilter(tuple(channels), tuple(categories), tuple(priorities), tuple(statuses),
                       tuple(languages), None, int(older) or None)


@st.fragment(run_every=live.EVERY)
def live_queue(user: UserInfo, flt: QueueFilter) -> None:
    """Views with their counts, "Claim next" and the table: rebuilt every ``live.EVERY`` s."""
    now = db.now()
    with db.session() as s:
        counts = queue.view_counts(session=s, user=user, flt=flt, now=now)
    top = st.columns([4, 1], vertical_alignment="bottom")
    view = top[0].segmented_control(
        "View", queue.VIEWS, default="mine", key="queue_view",
        format_func=lambda v: f"{queue.VIEW_LABELS[v]} ({count(counts[v])})",
        on_change=widgets.reset_pager, args=("queue",)) or "mine"
    if top[1].button("Claim next", type="primary", width="stretch", key="claim_next",
                     help="Take the most urgent unassigned enquiry of your team "
                     f"({keys.hint('claim_next')})"):
        with db.session() as s:
            claimed = workflow.claim_next(session=s, user=user, now=db.now())
            reference = claimed.reference if claimed else None
        if reference:
            open_enquiry(reference)
        st.info("Nothing is waiting unassigned in your team.")
    with db.session() as s:
        page = queue.list_queue(session=s, user=user, view=view, flt=flt, now=now,
                                limit=PAGE_SIZE, offset=widgets.pager_offset("queue"))
    queue_table(user, page)
    st.caption(f"Updated {when(now)}; refreshes by itself every {live.EVERY:g} s.")


@st.fragment(run_every=live.EVERY)
def live_today(user: UserInfo) -> None:
    """My open enquiries by SLA urgency, with their counts: rebuilt every ``live.EVERY`` s."""
    now = db.now()
    with db.session() as s:
        mine = enquiries.my_open_enquiries(session=s, user_id=user.id, now=now)
        unassigned = enquiries.unassigned_count(session=s, team_id=user.team_id)
    counts = enquiries.count_by_sla(mine)
    cols = st.columns(4)
    cols[0].metric("My open enquiries", counts.open)
    cols[1].metric("At risk", counts.at_risk, help="Less than 25 % of the SLA target left")
    cols[2].metric("Breached", counts.breached)
    cols[3].metric("Unassigned in my team" if user.team_id else "Unassigned", unassigned)
    st.subheader("My open enquiries")
    if not mine:
        st.success("Nothing assigned to you is open.")
        return
    picked = widgets.picked_row(marked_enquiries(mine, account_flags(mine)), "today_enquiries")
    st.caption("Most urgent first; times in Brussels, SLA time left in business hours "
               f"(Mon–Fri 08:30–17:00). Select a row to open the enquiry. Updated {when(now)}.")
    if picked is not None:
        open_enquiry(mine[picked].reference)


def queue_frame(rows: list[QueueRow]) -> pd.DataFrame:
    enquiries_ = [r.enquiry for r in rows]
    frame = enquiry_frame(enquiries_, account_flags(enquiries_))
    if not frame.empty:
        frame.insert(5, "Assignee", [r.assignee or "—" for r in rows])
    return frame


UNDO_MINUTES = 5


@dataclass(frozen=True)
class BulkClose:
    """The enquiries a lead just closed together, with the versions the close left."""

    targets: tuple[tuple[int, int], ...]
    references: tuple[str, ...]
    at: datetime

    def undoable(self, now: datetime) -> bool:
        return now - self.at < timedelta(minutes=UNDO_MINUTES)


def queue_table(user: UserInfo, page: Page[QueueRow]) -> None:
    if not page.rows:
        st.success("Nothing here.")
        widgets.pager("queue", page.total, page.limit)
        return
    frame = queue_frame(page.rows)
    styled = mark_badges(widgets.marked(frame, "SLA", widgets.sla_mark))
    several = user.has_role("lead") and st.toggle(
        "Select several", key=state.QUEUE_SELECT_MODE,
        help="Tick rows to close or assign them together; a ticked row does not open.")
    if several:
        ids = widgets.selected_many(styled, "queue_table", [r.enquiry.id for r in page.rows])
        widgets.pager("queue", page.total, page.limit)
        chosen = [r for r in page.rows if r.enquiry.id in ids]
        if chosen:
            bulk_actions(user, chosen)
        else:
            st.caption("Tick the enquiries to act on; the selection stays with them.")
        pending_confirmation(user)
        return
    picked = widgets.picked_row(styled, "queue_pick")
    widgets.pager("queue", page.total, page.limit)
    if picked is not None:
        open_enquiry(page.rows[picked].enquiry.reference)
    st.caption("Most urgent first. Select a row to open the enquiry."
               + (" Switch on “Select several” for bulk actions." if user.has_role("lead")
                  else ""))


def _count(n: int) -> str:
    return f"{n} enquir{'y' if n == 1 else 'ies'}"


def bulk_actions(user: UserInfo, chosen: list[QueueRow]) -> None:
    """Close or assign the ticked enquiries: each button says how many, and asks first."""
    with st.container(border=True):
        st.markdown(f"**{_count(len(chosen))} selected:** "
                    + text.plain(", ".join(r.enquiry.reference for r in chosen)))
        with db.session() as s:
            people = queue.colleagues(session=s)
        cols = st.columns([3, 2, 2], vertical_alignment="bottom")
        person = cols[0].selectbox("Assign to", people, index=None, key="bulk_person",
                                   format_func=lambda p: f"{p.name} ({p.team or 'no team'}, "
                                   f"{p.open_enquiries} open)", placeholder="Choose someone")
        assign_label = (f"Assign {_count(len(chosen))} to {person.name}" if person
                        else f"Assign {_count(len(chosen))} to …")
        if cols[1].button(assign_label, key="bulk_assign", disabled=person is None,
                          width="stretch"):
            st.session_state[state.BULK_PENDING] = BulkPending("assign", tuple(chosen), person)
        if cols[2].button(f"Close {_count(len(chosen))}", key="bulk_close", width="stretch"):
            st.session_state[state.BULK_PENDING] = BulkPending("close", tuple(chosen), None)


@dataclass(frozen=True)
class BulkPending:
    """A bulk action waiting for the lead to confirm it."""

    kind: str                       # "close" or "assign"
    rows: tuple[QueueRow, ...]
    person: queue.Colleague | None


def pending_confirmation(user: UserInfo) -> None:
    """The confirmation dialog, for as long as a bulk action waits for it."""
    pending: BulkPending | None = st.session_state.get(state.BULK_PENDING)
    if pending is not None:
        confirm_bulk(user, pending.rows, pending.kind, pending.person)


def _drop_pending() -> None:
    st.session_state.pop(state.BULK_PENDING, None)


@st.dialog("Confirm", on_dismiss=_drop_pending)
def confirm_bulk(user: UserInfo, chosen: tuple[QueueRow, ...], kind: str,
                 person: queue.Colleague | None) -> None:
    what = (f"Close {_count(len(chosen))}?" if kind == "close"
            else f"Assign {_count(len(chosen))} to {person.name if person else '—'}?")
    st.markdown(f"**{text.plain(what)}**")
    st.dataframe(pd.DataFrame([{"Reference": r.enquiry.reference, "Subject": r.enquiry.subject,
                                "Customer": r.enquiry.customer_name or "—"} for r in chosen]),
                 hide_index=True, width="stretch")
    if kind == "close":
        st.caption(f"You can undo this for {UNDO_MINUTES} minutes: they are reopened.")
    targets = tuple((r.enquiry.id, r.version) for r in chosen)
    cols = st.columns(2)
    if cols[0].button("Confirm", type="primary", key="bulk_confirm", width="stretch"):
        now = db.now()
        try:
            with db.session() as s:
                if kind == "close":
                    done = workflow.change_status_of_many(
                        session=s, targets=targets, to="closed", by=user, now=now,
                        note="Closed in bulk")
                else:
                    done = workflow.assign_many(session=s, targets=targets,
                                                assignee_id=person.id if person else 0,
                                                by=user, now=now)
        except (ValueError, RuntimeError) as exc:
            widgets.show_problems(exc)
            st.caption("Nothing was changed.")
            return
        _drop_pending()
        if kind == "close":
            st.session_state[state.BULK_UNDO] = BulkClose(
                tuple((e.id, e.version) for e in done), tuple(e.reference for e in done), now)
            st.session_state[state.FLASH] = f"{_count(len(done))} closed."
        else:
            st.session_state[state.FLASH] = (f"{_count(len(done))} assigned to "
                                             f"{person.name if person else '—'}.")
        st.rerun()
    if cols[1].button("Cancel", key="bulk_cancel", width="stretch"):
        _drop_pending()
        st.rerun()


def undo_bar(user: UserInfo) -> None:
    """For a few minutes after a bulk close: say what was closed, and offer to reopen it."""
    last: BulkClose | None = st.session_state.get(state.BULK_UNDO)
    now = db.now()
    if last is None or not last.undoable(now):
        st.session_state.pop(state.BULK_UNDO, None)
        return
    cols = st.columns([5, 2], vertical_alignment="center")
    cols[0].info(f"Closed {_count(len(last.targets))} at {when(last.at)}: "
                 + text.plain(", ".join(last.references)) + ".")
    if cols[1].button("Undo: reopen them", key="bulk_undo", width="stretch"):
        try:
            with db.session() as s:
                workflow.change_status_of_many(session=s, targets=last.targets, to="open",
                                               by=user, now=db.now(),
                                               note="Reopened: bulk close undone")
        except (ValueError, RuntimeError) as exc:
            widgets.show_problems(exc)
            st.caption("Nothing was reopened.")
            return
        st.session_state.pop(state.BULK_UNDO, None)
        st.session_state[state.FLASH] = f"{_count(len(last.targets))} reopened."
        st.rerun()
