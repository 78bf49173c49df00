"""Team overview: who holds what, and which promises are at risk or broken."""

import pandas as pd
import streamlit as st

from dashboard.formatting import number, when
from dashboard.services import sla, team
from dashboard.ui import auth, db, widgets
from dashboard.ui import enquiry as enquiry_ui

user = auth.require_role("lead")
st.title("Team overview")

with db.session() as s:
    options = team.teams(session=s)
if not options:
    st.info("No teams are set up yet.")
    st.stop()
default = next((i for i, t in enumerate(options) if t.id == user.team_id), 0)
chosen = st.selectbox("Team", options, index=default, format_func=lambda t: t.name,
                      key="team_overview_team")

with db.session() as s:
    rows = team.open_enquiries(session=s, team_id=chosen.id, now=db.now())
load = team.workload(rows)

cols = st.columns(4)
cols[0].metric("Open", number(len(rows)))
cols[1].metric("Unassigned", number(sum(w.open for w in load
                                           if w.person == team.UNASSIGNED)))
cols[2].metric("At risk", number(sum(w.at_risk for w in load)))
cols[3].metric("Breached", number(sum(w.breached for w in load)))

st.subheader("Workload by person")
st.dataframe(pd.DataFrame([
    {"Person": w.person, "Open": w.open, "At risk": w.at_risk, "Breached": w.breached,
     "Paused": w.paused, "Oldest open since": when(w.oldest)}
    for w in load
]), hide_index=True, width="stretch")

urgent = [(owner, r) for owner, r in rows if r.sla.state in (sla.BREACHED, sla.AT_RISK)]
st.subheader(f"Breached and at risk ({len(urgent)})")
if urgent:
    urgent.sort(key=lambda pair: (pair[1].sla.state != sla.BREACHED, pair[1].sla.due_at))
    listed = [r for _, r in urgent]
    frame = enquiry_ui.enquiry_frame(listed, enquiry_ui.account_flags(listed))
    frame.insert(1, "Assignee", [owner for owner, _ in urgent])
    picked = widgets.picked_row(
        enquiry_ui.mark_badges(widgets.marked(frame, "SLA", widgets.sla_mark)),
        "team_urgent")
    if picked is not None:
        enquiry_ui.open_enquiry(urgent[picked][1].reference)
    st.caption("Select an enquiry to open it.")
else:
    st.success("Every open enquiry of this team is on track.")
