"""Today: find the caller's account fast, and see my open enquiries by SLA urgency."""

import streamlit as st

from dashboard.formatting import number
from dashboard.services import enquiries
from dashboard.ui import auth, db, widgets
from dashboard.ui import enquiry as enquiry_ui
from dashboard.ui import search as search_ui

user = auth.require_role("rep")
st.title("Today")
widgets.show_flash()

query = search_ui.search_box("today_search")
if query:
    search_ui.run_search(query)
search_ui.matches("today")

now = db.now()
with db.session() as s:
    mine = enquiries.my_open_enquiries(session=s, user_id=user.id, now=now)
    unassigned = enquiries.unassigned_count(session=s, team_id=user.team_id)
counts = enquiries.count_by_sla(mine)

cols = st.columns(4)
cols[0].metric("My open enquiries", number(counts.open))
cols[1].metric("At risk", number(counts.at_risk), help="Less than 25 % of the SLA target left")
cols[2].metric("Breached", number(counts.breached))
cols[3].metric("Unassigned in my team" if user.team_id else "Unassigned", number(unassigned))

st.subheader("My open enquiries")
if not mine:
    st.success("Nothing assigned to you is open.")
else:
    picked = widgets.picked_row(enquiry_ui.styled_enquiries(mine), "today_enquiries")
    st.caption("Most urgent first; times in Brussels, SLA time left in business hours "
               "(Mon–Fri 08:30–17:00). Select a row to open the enquiry.")
    if picked is not None:
        enquiry_ui.open_enquiry(mine[picked].reference)
