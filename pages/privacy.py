"""Privacy: what is held about a contact, its export, and an erasure two administrators agree
on."""

import streamlit as st

from dashboard.services import privacy
from dashboard.ui import admin_privacy, auth, db, widgets

admin = auth.require_role("admin")
st.title("Privacy: export and erase a contact")
widgets.show_flash()

with db.session() as s:
    waiting = privacy.requests(session=s, status="pending")
admin_privacy.pending_requests(admin, waiting)

st.subheader("A contact")
query = admin_privacy.search_box()
with db.session() as s:
    found = privacy.find_contacts(session=s, query=query) if len(query) >= 2 else []
picked = admin_privacy.contacts_table(query, found)
if picked is not None:
    now = db.now()
    with db.session() as s:
        contact = privacy.contact_row(session=s, contact_id=picked)
        history = privacy.requests(session=s, contact_id=picked)
        file_name = privacy.export_file_name(session=s, contact_id=picked, now=now)
        shared = privacy.shared_details(session=s, contact_id=picked) if contact else []
    if contact is None:
        st.warning("This contact no longer exists.")
    else:
        admin_privacy.contact_panel(admin, contact, admin_privacy.held_about(picked), history,
                                    file_name, shared)
