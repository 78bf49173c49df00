"""Today: find the caller's account fast, and see my open enquiries by SLA urgency."""

import streamlit as st

from dashboard.ui import auth, keys, widgets
from dashboard.ui import queue as queue_ui
from dashboard.ui import search as search_ui

user = auth.require_role("rep")
st.title("Today")
widgets.show_flash()

query = search_ui.search_box("today_search")
if query:
    search_ui.run_search(query)
search_ui.matches("today")
keys.focus(keys.FIND)  # the caller is on the line: type at once

queue_ui.live_today(user)
