"""Enquiry queue: what is waiting, most urgent first; claim the next one."""

import streamlit as st

from dashboard.formatting import number
from dashboard.services import queue, workflow
from dashboard.services.queue import VIEW_LABELS, VIEWS
from dashboard.ui import auth, db, widgets
from dashboard.ui import enquiry as enquiry_ui
from dashboard.ui import queue as queue_ui

user = auth.require_role("rep")
st.title("Enquiry queue")
widgets.show_flash()
if user.has_role("lead"):
    queue_ui.undo_bar(user)

flt = queue_ui.queue_filters()
now = db.now()
with db.session() as s:
    counts = queue.view_counts(session=s, user=user, flt=flt, now=now)

top = st.columns([4, 1], vertical_alignment="bottom")
view = top[0].segmented_control(
    "View", VIEWS, default="mine", key="queue_view",
    format_func=lambda v: f"{VIEW_LABELS[v]} ({number(counts[v])})",
    on_change=widgets.reset_pager, args=("queue",)) or "mine"
if top[1].button("Claim next", type="primary", width="stretch", key="claim_next",
                 help="Take the most urgent unassigned enquiry of your team"):
    with db.session() as s:
        claimed = workflow.claim_next(session=s, user=user, now=db.now())
        reference = claimed.reference if claimed else None
    if reference:
        enquiry_ui.open_enquiry(reference)
    st.info("Nothing is waiting unassigned in your team.")

with db.session() as s:
    page = queue.list_queue(session=s, user=user, view=view, flt=flt, now=now,
                            limit=queue_ui.PAGE_SIZE, offset=widgets.pager_offset("queue"))
queue_ui.queue_table(user, page)
