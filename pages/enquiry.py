"""One enquiry: who, what, how its clocks stand, everything said so far, and what to do next."""

import streamlit as st

from dashboard.services import customers, enquiries, enquiry_detail
from dashboard.ui import auth, db, keys, text, widgets
from dashboard.ui import enquiry as enquiry_ui

user = auth.require_role("rep")
reference = st.query_params.get("e", "")
now = db.now()
with db.session() as s:
    enquiry_id = enquiry_detail.find_id(session=s, reference=reference)
    detail = (enquiry_detail.detail(session=s, enquiry_id=enquiry_id, now=now)
              if enquiry_id else None)
    if detail is not None:
        customer_id = detail.row.customer_id
        customer = (customers.get_header(session=s, customer_id=customer_id, today=db.today())
                    if customer_id else None)
        open_others = (enquiries.other_open_enquiries(session=s, customer_id=customer_id,
                                                      enquiry_id=detail.row.id, now=now)
                       if customer_id else [])
if detail is None:
    st.title("Enquiry")
    st.error(f"No enquiry “{text.plain(reference)}”." if reference
             else "Open an enquiry from the queue.")
    st.stop()

widgets.show_flash()
# Edits are checked against the version shown when the page was opened, not a fresh read,
# so a change someone else saved meanwhile is refused instead of overwritten.
enquiry_ui.navigation(user, detail)
keys.bind("back_to_queue", "next_in_queue")
detail = enquiry_ui.as_seen(detail)
enquiry_ui.header(detail, customer)
enquiry_ui.presence(user, detail.row.id)
conversation, beside = st.columns([5, 2], gap="medium")
with conversation:
    # The customer's words first, then the thread, then the answer.
    enquiry_ui.latest_message(detail)
    enquiry_ui.timeline(detail)
    if detail.merged_into is None:
        enquiry_ui.actions(user, detail)
    enquiry_ui.attachments(detail)
with beside:
    enquiry_ui.context(detail, customer, open_others)
