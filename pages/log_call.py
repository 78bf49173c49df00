"""Log a call: who rang (found from their number), what they asked, and how it ended."""

import streamlit as st

from dashboard import labels
from dashboard.services import customers, enquiries
from dashboard.ui import auth, db, state, widgets
from dashboard.ui import enquiry as enquiry_ui

user = auth.require_role("rep")
st.title("Log a call")

prefill = st.session_state.get(state.CALL_PREFILL) or {}
phone = st.text_input("Caller's number", key="call_phone", placeholder="+32 2 225 23 45",
                      help="Any spelling; the contact or company is looked up as you type.")
with db.session() as s:
    matches = enquiries.callers_for_phone(session=s, phone=phone) if phone else []
    if prefill and not matches:
        matches = enquiries.callers_for_customer(session=s,
                                                 customer_id=int(prefill["customer_id"]))
if phone and not matches:
    st.info("No contact or company has this number: the call is logged without a customer, "
            "to be matched later from the enquiry (link an order, invoice, contract or item).")
preferred = next((i for i, m in enumerate(matches)
                  if m.contact_id and m.contact_id == prefill.get("contact_id")), 0)
# Keyed by the matches, so a new number starts from its own best match.
caller = st.selectbox("Caller", matches, format_func=lambda m: m.label,
                      key="call_caller_" + "_".join(f"{m.customer_id}.{m.contact_id}"
                                                    for m in matches),
                      index=preferred if matches else None, placeholder="No match")

with st.form("log_call", clear_on_submit=False):
    subject = st.text_input("Subject", max_chars=200)
    cols = st.columns(3)
    category = cols[0].selectbox("Category", labels.CATEGORY_LABELS,
                                 format_func=labels.CATEGORY_LABELS.__getitem__)
    priority = cols[1].selectbox("Priority", tuple(labels.PRIORITY_LABELS), index=1,
                                 format_func=labels.PRIORITY_LABELS.__getitem__)
    verification = cols[2].selectbox("Verified by", labels.VERIFICATION_LABELS,
                                     format_func=labels.VERIFICATION_LABELS.__getitem__)
    notes = st.text_area("Notes", height=140)
    outcome = st.radio("Outcome", ("resolved", "follow_up"), horizontal=True,
                       format_func=lambda o: "Resolved on the call" if o == "resolved"
                       else "Needs a follow-up")
    saved = st.form_submit_button("Save call", type="primary")

if saved:
    new = enquiries.NewEnquiry(
        customer_id=caller.customer_id if caller else None,
        contact_id=caller.contact_id if caller else None, subject=subject, body=notes,
        category=category, priority=priority, channel="phone", verification=verification,
        resolved_on_first_contact=outcome == "resolved",
        caller_number=enquiries.caller_number(phone) if caller is None else None)
    try:
        with db.session() as s:
            reference = enquiries.open_enquiry(session=s, new=new, by=user,
                                               now=db.now()).reference
            if caller is not None:
                customers.record_caller(session=s, customer_id=caller.customer_id,
                                        contact_id=caller.contact_id, verification=verification,
                                        by_user_id=user.id, by_username=user.username)
    except ValueError as exc:
        widgets.show_problems(exc)
    else:
        st.session_state.pop(state.CALL_PREFILL, None)
        st.session_state[state.FLASH] = (f"Call saved as {reference}." if caller else
                                         f"Call saved as {reference}, without a customer yet.")
        enquiry_ui.open_enquiry(reference)
