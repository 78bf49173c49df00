"""Enquiry queue: what is waiting, most urgent first; claim the next one."""

import streamlit as st

from dashboard.ui import auth, keys, widgets
from dashboard.ui import queue as queue_ui

user = auth.require_role("rep")
st.title("Enquiry queue")
widgets.show_flash()
if user.has_role("lead"):
    queue_ui.undo_bar(user)

keys.bind("claim_next")
flt = queue_ui.queue_filters()
queue_ui.live_queue(user, flt)
