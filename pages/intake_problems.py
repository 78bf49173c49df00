"""Intake problems: messages that could not become enquiries by themselves — nothing is lost."""

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import when
from dashboard.intake import pipeline
from dashboard.services import customers
from dashboard.ui import auth, db, state, text, widgets
from dashboard.ui import enquiry as enquiry_ui

user = auth.require_role("rep")
st.title("Intake problems")
st.caption("Every message received is kept exactly as it arrived. Those below could not be "
           "read or matched automatically (quarantine), or were set aside as automatic "
           "replies, bounces or read receipts.")

widgets.show_flash()
kind = st.segmented_control("Show", ("quarantined", "ignored"), default="quarantined",
                            key="intake_kind",
                            format_func=lambda k: {"quarantined": "Quarantine",
                                                   "ignored": "Set aside (automatic mail)"}[k])
with db.session() as s:
    rows = (pipeline.ignored_list(s) if kind == "ignored" else pipeline.quarantine_list(s))
if not rows:
    st.success("Nothing here: every message became an enquiry or joined one.")
    st.stop()

frame = pd.DataFrame([{
    "Received": when(r.received_at), "Source": labels.label("inbound_source", r.source),
    "From": r.from_address or "",
    "Subject": r.subject or "", "Problem": r.error or "", "Size (KB)": round(r.size_bytes / 1024)}
    for r in rows])
picked = widgets.selectable(frame, f"intake_table_{kind}", ids=[r.id for r in rows])
if picked is None:
    st.caption("Select a message to download it, process it again or make an enquiry of it.")
    st.stop()

message = next(r for r in rows if r.id == picked)
with st.container(border=True):
    st.subheader(text.plain(message.subject or "(no subject)"))
    st.caption(text.plain(f"From {message.from_address or 'unknown'} · received "
                          f"{when(message.received_at)} · "
                          f"{labels.label('inbound_source', message.source)}"))
    if message.error:
        st.error(text.plain(message.error))
    with db.session() as s:
        raw = pipeline.raw_message(s, message.id)
    cols = st.columns(2)
    cols[0].download_button("Download the raw message (.eml)", data=raw,
                            file_name=f"inbound-{message.id}.eml", mime="message/rfc822",
                            on_click="ignore", width="stretch")
    if kind == "quarantined" and cols[1].button("Process again", width="stretch",
                                                key=f"reprocess_{message.id}"):
        with db.session() as s:
            outcome = pipeline.reprocess(s, message.id, user, db.now())
        st.session_state[state.FLASH] = (f"Processed: "
                                         f"{labels.label('intake_result', outcome.result)}"
                                         + (f" ({outcome.reference})" if outcome.reference
                                            else f" — {outcome.detail}" if outcome.detail
                                            else ""))
        st.rerun()
    st.markdown("**Make an enquiry of it by hand**")
    with st.form(f"by_hand_{message.id}"):
        number = st.text_input("Customer number (optional)", placeholder="C100042")
        subject = st.text_input("Subject", value=(message.subject or "")[:200])
        category = st.selectbox("Category", tuple(labels.CATEGORY_LABELS),
                                format_func=labels.CATEGORY_LABELS.__getitem__)
        if st.form_submit_button("Create enquiry", type="primary"):
            try:
                with db.session() as s:
                    customer_id = (customers.find_by_number(session=s, customer_number=number)
                                   if number.strip() else None)
                    if number.strip() and customer_id is None:
                        raise ValueError(f"No customer with number {number.strip()}.")
                    outcome = pipeline.make_enquiry_by_hand(s, message.id, customer_id,
                                                            subject, category, user, db.now())
            except ValueError as exc:
                widgets.show_problems(exc)
            else:
                st.session_state[state.FLASH] = f"Enquiry {outcome.reference} created."
                enquiry_ui.open_enquiry(str(outcome.reference))
