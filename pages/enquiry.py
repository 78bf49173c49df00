"""One enquiry: who, what, how its clocks stand, everything said so far, and what to do next."""

import streamlit as st

from dashboard.services import enquiry_detail
from dashboard.ui import auth, db, widgets
from dashboard.ui import enquiry as enquiry_ui

user = auth.require_role("rep")
reference = st.query_params.get("e", "")
now = db.now()
with db.session() as s:
    enquiry_id = enquiry_detail.find_id(session=s, reference=reference)
    detail = (enquiry_detail.detail(session=s, enquiry_id=enquiry_id, now=now)
              if enquiry_id else None)
    if detail is not None:
        enquiry_detail.note_viewing(session=s, enquiry_id=detail.row.id, user=user, now=now)
        others = enquiry_detail.others_viewing(session=s, enquiry_id=detail.row.id, user=user,
                                             now=now)
if detail is None:
    st.title("Enquiry")
    st.error(f"No enquiry “{reference}”." if reference else "Open an enquiry from the queue.")
    st.stop()

widgets.show_flash()
# Edits are checked against the version shown when the page was opened, not a fresh read,
# so a change someone else saved meanwhile is refused instead of overwritten.
detail = enquiry_ui.as_seen(detail)
enquiry_ui.header(detail)
enquiry_ui.presence(others)
enquiry_ui.links(detail)
enquiry_ui.actions(user, detail)
enquiry_ui.timeline(detail)
enquiry_ui.attachments(detail)
