"""Intake problems: messages that could not become enquiries by themselves — nothing is lost."""

import streamlit as st

from dashboard.intake import pipeline
from dashboard.ui import auth, db, widgets
from dashboard.ui import intake as intake_ui

user = auth.require_role("rep")
st.title("Intake problems")
st.caption("Every message received is kept exactly as it arrived. Those below could not be "
           "read or matched automatically (quarantine), or were set aside as automatic "
           "replies, bounces or read receipts.")

widgets.show_flash()
kind = st.segmented_control("Show", tuple(intake_ui.KINDS), default="quarantined",
                            key="intake_kind", format_func=intake_ui.KINDS.__getitem__)
with db.session() as s:
    rows = (pipeline.ignored_list(s) if kind == "ignored" else pipeline.quarantine_list(s))
if not rows:
    st.success("Nothing here: every message became an enquiry or joined one.")
    st.stop()

detail = st.container()  # above the table, where the eye is
picked = widgets.selectable(intake_ui.list_frame(rows), f"intake_table_{kind}",
                            ids=[r.id for r in rows])
with detail:
    if picked is None:
        st.caption("Select a message to read it, download it, process it again or make an "
                   "enquiry of it.")
    else:
        intake_ui.message_panel(user, next(r for r in rows if r.id == picked), str(kind))
