"""Intake problems: the list of kept messages, what went wrong in words, and a preview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import when
from dashboard.intake import mime, pipeline
from dashboard.intake.pipeline import InboundSummary
from dashboard.services import customers, enquiry_detail
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets
from dashboard.ui import enquiry as enquiry_ui

KINDS = {"quarantined": "Quarantine", "ignored": "Set aside (automatic mail)"}
PREVIEW_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "Content-Type")
PREVIEW_CHARS = 6000

# The first line of a stored error is "ExceptionType: message"; say what it means for the desk.
PROBLEMS_IN_WORDS = {
    "UnreadableMessage": "This is not a readable e-mail message",
    "UnicodeDecodeError": "Part of the text is in a character set that could not be decoded",
    "LookupError": "The message refers to something that no longer exists",
    "IntegrityError": "Saving it clashed with data already stored",
    "OperationalError": "The database was busy or unavailable when it arrived",
    "MessageError": "The message's MIME structure is broken",
    "HeaderParseError": "A header of the message could not be read",
}


def problem_in_words(error: str | None, status: str) -> tuple[str, str]:
    """(a sentence for people, the technical detail) of a stored error."""
    if not error:
        return "No error was recorded.", ""
    if status == "ignored":
        return f"Set aside as automatic mail: {error.splitlines()[0]}.", ""
    first = error.splitlines()[0]
    kind, _, message = first.partition(": ")
    words = PROBLEMS_IN_WORDS.get(kind.strip())
    if words is None:
        return (f"Processing stopped on an error ({message.strip() or kind.strip()}); the "
                "message is kept and can be processed again once that is fixed.", error)
    return (f"{words}: {message.strip()}." if message.strip() else f"{words}.", error)


def list_frame(rows: list[InboundSummary]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Received": when(r.received_at), "Source": labels.label("inbound_source", r.source),
        "From": r.from_address or "—", "Subject": r.subject or "(no subject)",
        "Problem": problem_in_words(r.error, r.status)[0],
        "Size (KB)": round(r.size_bytes / 1024)} for r in rows],
        columns=["Received", "Source", "From", "Subject", "Problem", "Size (KB)"])


def preview(raw: bytes) -> None:
    """Headers and text as a person would read them; the raw bytes when it is not mail."""
    try:
        parsed = mime.parse(raw)
    except Exception:  # a preview of what could not be parsed is its start, as text
        st.markdown("**The message as received (start)**")
        st.code(raw[:PREVIEW_CHARS].decode("utf-8", errors="replace"), language=None,
                wrap_lines=True)
        return
    shown = {name: parsed.header(name) for name in PREVIEW_HEADERS if parsed.header(name)}
    st.markdown("**Headers**")
    st.table(pd.DataFrame({"Header": list(shown), "Value": list(shown.values())}))
    body = parsed.body.strip()
    st.markdown("**Text**")
    st.code((body[:PREVIEW_CHARS] + (" …" if len(body) > PREVIEW_CHARS else ""))
            if body else "(no text part)", language=None, wrap_lines=True)
    if parsed.attachments:
        st.caption("Attachments: " + text.plain(", ".join(
            f"{a.filename or 'unnamed'} ({round(len(a.content) / 1024)} KB)"
            for a in parsed.attachments)))


def message_panel(user: UserInfo, message: InboundSummary, kind: str) -> None:
    with st.container(border=True):
        st.subheader(text.plain(message.subject or "(no subject)"))
        st.caption(text.plain(f"From {message.from_address or 'unknown'} · received "
                              f"{when(message.received_at)} · "
                              f"{labels.label('inbound_source', message.source)}"))
        words, detail = problem_in_words(message.error, message.status)
        (st.info if kind == "ignored" else st.error)(text.plain(words))
        if detail:
            with st.expander("Technical detail"):
                st.code(detail, language=None, wrap_lines=True)
        with db.session() as s:
            raw = pipeline.raw_message(s, message.id)
            reference = (enquiry_detail.reference_of(session=s,
                                                     enquiry_id=message.enquiry_id)
                         if message.enquiry_id else None)
        cols = st.columns(3)
        cols[0].download_button("Download the raw message (.eml)", data=raw,
                                file_name=f"inbound-{message.id}.eml", mime="message/rfc822",
                                on_click="ignore", width="stretch")
        if reference and cols[1].button(f"Open {reference}", key=f"intake_open_{message.id}",
                                        width="stretch"):
            enquiry_ui.open_enquiry(reference)
        if kind == "quarantined" and cols[2].button("Process again", width="stretch",
                                                    key=f"reprocess_{message.id}"):
            reprocess(user, message.id)
        with st.expander("Preview", expanded=True):
            preview(raw)
        if kind == "quarantined" or reference is None:
            by_hand_form(user, message)


def reprocess(user: UserInfo, inbound_id: int) -> None:
    try:
        with db.session() as s:
            outcome = pipeline.reprocess(s, inbound_id, user, db.now())
    except ValueError as exc:
        widgets.show_problems(exc)
        return
    st.session_state[state.FLASH] = (
        f"Processed: {labels.label('intake_result', outcome.result)}"
        + (f" ({outcome.reference})" if outcome.reference
           else f" — {outcome.detail}" if outcome.detail else ""))
    st.rerun()


def by_hand_form(user: UserInfo, message: InboundSummary) -> None:
    st.markdown("**Make an enquiry of it by hand**")
    with st.form(f"by_hand_{message.id}"):
        number = st.text_input("Customer number (optional)", placeholder="C100042")
        subject = st.text_input("Subject", value=(message.subject or "")[:200])
        category = st.selectbox("Category", tuple(labels.CATEGORY_LABELS),
                                format_func=labels.CATEGORY_LABELS.__getitem__)
        if not st.form_submit_button("Create enquiry", type="primary"):
            return
    try:
        with db.session() as s:
            customer_id = (customers.find_by_number(session=s, customer_number=number)
                           if number.strip() else None)
            if number.strip() and customer_id is None:
                raise ValueError(f"No customer with number {number.strip()}.")
            outcome = pipeline.make_enquiry_by_hand(s, message.id, customer_id, subject,
                                                    category, user, db.now())
    except ValueError as exc:
        widgets.show_problems(exc)
    else:
        st.session_state[state.FLASH] = f"Enquiry {outcome.reference} created."
        enquiry_ui.open_enquiry(str(outcome.reference))
