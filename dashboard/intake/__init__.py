"""Intake: e-mail (SMTP listener, .eml/mbox/maildir import), fax-to-e-mail gateways and the
public web form, into enquiries (DESIGN §2.5). Plain Python; no Streamlit.

Service functions for pages (the "Intake problems" view among them)::

    store_raw(session, raw, source) -> (InboundMessage, created)
    process(session, inbound_id, now) -> Outcome
    reprocess(session, inbound_id, by, now) -> Outcome
    quarantine_list(session, limit) -> list[InboundSummary]
    raw_message(session, inbound_id) -> bytes
    make_enquiry_by_hand(session, inbound_id, customer_id, subject, category, by, now) -> Outcome
    submit_web_form(session, name, email, phone, customer_number, subject, message, now) -> str
"""

from dashboard.intake.pipeline import (
    CREATED,
    IGNORED,
    PENDING,
    QUARANTINED,
    THREADED,
    InboundSummary,
    Outcome,
    ignored_list,
    make_enquiry_by_hand,
    outcome_of,
    pending_ids,
    process,
    process_one,
    quarantine_list,
    raw_message,
    receive,
    reprocess,
    store_raw,
)
from dashboard.intake.webform import SubmissionDeferred, submit_web_form

__all__ = [
    "CREATED",
    "IGNORED",
    "PENDING",
    "QUARANTINED",
    "THREADED",
    "InboundSummary",
    "Outcome",
    "SubmissionDeferred",
    "ignored_list",
    "make_enquiry_by_hand",
    "outcome_of",
    "pending_ids",
    "process",
    "process_one",
    "quarantine_list",
    "raw_message",
    "receive",
    "reprocess",
    "store_raw",
    "submit_web_form",
]
