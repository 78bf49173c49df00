"""The privacy page: find a contact, see what is held about them, download it all, and erase
it when one administrator asks and another confirms."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import number, when
from dashboard.services import privacy
from dashboard.services.errors import StaleEditError
from dashboard.services.privacy import ContactRow, Held, RequestRow
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets

WHAT_ERASURE_DOES = (
    "Their name, e-mail address and phone, mobile and fax numbers are removed everywhere, "
    "so no search and no incoming mail finds them again. Messages received from them are "
    "emptied, their attachments deleted, and e-mails to them not sent yet are cancelled. "
    "Their enquiries stay (the company's record) with their text replaced by "
    f"{privacy.ERASED} and a note of when and by whom. Invoices stay as they are, ten years "
    "under Belgian accounting law, with the customer's name as the legal counterparty.")


def held_about(contact_id: int) -> list[Held]:
    """What is held about the contact. Counting reads the whole audit log for their address,
    numbers and name (half a second at 300,000 rows on SQLite), so it is kept a minute and
    forgotten at each write of this page."""
    return _held(db.settings().database_url, contact_id)


@st.cache_data(ttl=60, show_spinner=False)
def _held(database: str, contact_id: int) -> list[Held]:
    with db.session() as s:
        return privacy.holdings(session=s, contact_id=contact_id)


def _written() -> None:
    _held.clear()  # type: ignore[attr-defined]


def _status(contact: ContactRow) -> str:
    if contact.erased:
        return "Erased"
    return "Active" if contact.is_active else "No longer active"


# --- waiting erasures ----------------------------------------------------------------------

def pending_requests(admin: UserInfo, rows: list[RequestRow]) -> None:
    st.subheader(f"Erasures waiting for a second administrator ({number(len(rows))})")
    if not rows:
        st.caption("None waiting. An erasure asked for below appears here until another "
                   "administrator confirms or withdraws it.")
    for row in rows:
        own = row.requested_by_id == admin.id
        with st.container(border=True):
            cols = st.columns([4, 1, 1], vertical_alignment="center")
            cols[0].markdown(
                f"**{text.plain(row.contact_name)}** of {text.plain(row.customer_name)} "
                f"({text.plain(row.customer_number)})  \n"
                f"Asked by {text.plain(row.requested_by or 'an administrator')} on "
                f"{when(row.requested_at)}: {text.plain(row.reason)}")
            if cols[1].button("Confirm erasure…", key=f"privacy_confirm_{row.id}",
                              type="primary", disabled=own, width="stretch",
                              help="You asked for this erasure: another administrator must "
                                   "confirm it." if own else "Opens a last check first."):
                st.session_state[state.PRIVACY_CONFIRM] = (row.id, row.version)
            if cols[2].button("Withdraw", key=f"privacy_withdraw_{row.id}", width="stretch",
                              help="Call the erasure off: nothing has been erased yet."):
                _withdraw(admin, row)
    chosen = st.session_state.get(state.PRIVACY_CONFIRM)
    if chosen:
        match = next((r for r in rows if r.id == chosen[0]), None)
        if match is None:
            st.session_state.pop(state.PRIVACY_CONFIRM, None)
            st.warning("That erasure is no longer waiting: someone else confirmed or "
                       "withdrew it.")
        else:
            confirm_dialog(admin, match, chosen[1])


def _withdraw(admin: UserInfo, row: RequestRow) -> None:
    try:
        with db.session() as s:
            privacy.withdraw_erasure(session=s, request_id=row.id, expected_version=row.version,
                                     by=admin, now=db.now())
    except (StaleEditError, ValueError, LookupError) as exc:
        widgets.show_problems(exc)
        return
    _written()
    st.session_state[state.FLASH] = f"Erasure of {row.contact_name} withdrawn: nothing erased."
    st.rerun()


def _close_dialog() -> None:
    st.session_state.pop(state.PRIVACY_CONFIRM, None)


@st.dialog("Erase for good?", on_dismiss=_close_dialog)
def confirm_dialog(admin: UserInfo, row: RequestRow, version: int) -> None:
    st.markdown(f"Erase the personal data of **{text.plain(row.contact_name)}** of "
                f"{text.plain(row.customer_name)} ({text.plain(row.customer_number)})?")
    st.caption(text.plain(f"Asked by {row.requested_by or 'an administrator'} on "
                          f"{when(row.requested_at)}: {row.reason}"))
    st.warning("This cannot be undone. " + text.plain(WHAT_ERASURE_DOES))
    checked = st.checkbox("I have checked that this is the right person and that the law "
                          "asks us to erase their data.", key="privacy_confirm_checked")
    cols = st.columns(2)
    if cols[0].button("Erase for good", type="primary", key="privacy_erase_now",
                      disabled=not checked, width="stretch"):
        try:
            with db.session() as s:
                erased = privacy.confirm_erasure(session=s, request_id=row.id,
                                                 expected_version=version, by=admin,
                                                 now=db.now())
        except (StaleEditError, ValueError, LookupError) as exc:
            widgets.show_problems(exc)
            st.caption("Nothing was erased.")
            return
        _close_dialog()
        _written()
        kept = erased.get("enquiries", 0)
        kept_words = ("No enquiry to keep" if not kept else "1 enquiry kept" if kept == 1
                      else f"{number(kept)} enquiries kept")
        st.session_state[state.FLASH] = (
            f"Personal data erased for good. {kept_words} with the text erased; the audit "
            "log lists what changed, table by table.")
        st.rerun()
    if cols[1].button("Cancel", key="privacy_erase_cancel", width="stretch"):
        _close_dialog()
        st.rerun()


# --- finding a contact ---------------------------------------------------------------------

def search_box() -> str:
    typed: str = st.text_input(
        "Find a contact", key=state.PRIVACY_QUERY, max_chars=120,
        placeholder="Name, e-mail address, phone or fax number, or customer number",
        help="Erased contacts are found by their customer number only: nothing else of "
             "them is left.")
    return typed.strip()


def contacts_table(query: str, found: list[ContactRow]) -> int | None:
    if not query:
        return None
    if len(query) < 2:
        st.caption("Type at least two characters.")
        return None
    if not found:
        st.info(f"No contact matches {text.plain(query)}.")
        return None
    frame = pd.DataFrame([
        {"Name": c.name, "Customer": c.customer_name, "Customer number": c.customer_number,
         "E-mail": c.email or labels.NONE, "Phone": c.phone or labels.NONE,
         "Status": _status(c)}
        for c in found
    ], columns=["Name", "Customer", "Customer number", "E-mail", "Phone", "Status"])
    st.caption(f"{number(len(found))} found"
               + (f" (the first {number(privacy.FIND_LIMIT)})"
                  if len(found) >= privacy.FIND_LIMIT else "") + ". Pick one.")
    return widgets.selectable(frame, "privacy_contacts", [c.id for c in found])


# --- one contact ---------------------------------------------------------------------------

def _export(admin: UserInfo, contact_id: int) -> bytes:
    with db.session() as s:
        return privacy.export_contact(session=s, contact_id=contact_id, by=admin, now=db.now())


def contact_panel(admin: UserInfo, contact: ContactRow, held: list[Held],
                  history: list[RequestRow], file_name: str, shared: list[str]) -> None:
    with st.container(border=True):
        st.subheader(text.plain(contact.name or privacy.ERASED))
        st.caption(text.plain(
            f"{contact.customer_name} ({contact.customer_number}) · "
            f"{contact.email or 'no e-mail'} · {contact.phone or 'no phone'} · "
            f"{_status(contact)}"))
        if shared:
            st.info(text.plain(
                f"Other contacts have {', '.join(shared)} too: an erasure clears it on this "
                "contact only, and leaves what came from it for the others."))
        cols = st.columns([3, 2])
        with cols[0]:
            st.markdown("**What is held about them**")
            st.dataframe(pd.DataFrame([{"What": h.title, "Rows": number(h.count)}
                                       for h in held], columns=["What", "Rows"]),
                         hide_index=True, width="stretch",
                         column_config={"Rows": st.column_config.TextColumn(
                             alignment="right", width="small")})
        with cols[1]:
            st.markdown("**Export (right of access)**")
            st.download_button(
                "Download everything about this contact (ZIP)",
                data=lambda: _export(admin, contact.id), file_name=file_name,
                mime="application/zip", key="privacy_export", on_click="ignore",
                width="stretch", type="primary")
            st.caption("contact.json with one section per table, the messages as received "
                       "(.eml) and their attachments. The download is recorded in the audit "
                       "log.")
            st.markdown("**Erasure (right to be forgotten)**")
            _erasure_state(admin, contact, history)
        if history:
            with st.expander(f"Erasure requests ({number(len(history))})"):
                st.dataframe(pd.DataFrame([
                    {"Asked": when(r.requested_at), "By": r.requested_by or labels.NONE,
                     "Reason": r.reason, "Status": labels.label("erasure_status", r.status),
                     "Decided": when(r.decided_at), "Decided by": r.decided_by or labels.NONE}
                    for r in history], columns=["Asked", "By", "Reason", "Status", "Decided",
                                                "Decided by"]),
                    hide_index=True, width="stretch")


def _erasure_state(admin: UserInfo, contact: ContactRow, history: list[RequestRow]) -> None:
    done = next((r for r in history if r.status == "erased"), None)
    if done is not None:
        st.success(text.plain(f"Erased on {when(done.decided_at)} by "
                              f"{done.decided_by or 'an administrator'}, asked by "
                              f"{done.requested_by or 'an administrator'}."))
        return
    waiting = next((r for r in history if r.status == "pending"), None)
    if waiting is not None:
        st.info(text.plain(f"Asked by {waiting.requested_by or 'an administrator'} on "
                           f"{when(waiting.requested_at)}: waiting for a second "
                           "administrator (above)."))
        return
    st.caption(text.plain(WHAT_ERASURE_DOES))
    with st.form("privacy_request", border=False):
        reason = st.text_area(
            "Why", key=f"privacy_reason_{contact.id}", max_chars=400, height=80,
            placeholder="The person's request: its date and how it came, e.g. "
                        "“letter of 28/11/2026”.")
        asked = st.form_submit_button("Request erasure")
    if asked:
        try:
            with db.session() as s:
                privacy.request_erasure(session=s, contact_id=contact.id, reason=reason,
                                        by=admin, now=db.now())
        except (ValueError, LookupError) as exc:
            widgets.show_problems(exc)
            return
        _written()
        st.session_state[state.FLASH] = ("Erasure requested: another administrator must "
                                         "now confirm it.")
        st.rerun()
