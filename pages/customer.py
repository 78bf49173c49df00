"""Customer: the whole account for the caller on the line, one tab per kind of question."""

import streamlit as st

from dashboard.services import customers
from dashboard.ui import auth, db, state, text, widgets
from dashboard.ui import customer as customer_ui
from dashboard.ui import inventory as inventory_ui
from dashboard.ui import search as search_ui

user = auth.require_role("rep")

number = st.query_params.get("c", "")
if not number:
    st.title("Customer")
    st.info("Find a customer with the search in the sidebar: " + search_ui.SEARCH_HELP)
    st.stop()

today = db.today()
with db.session() as s:
    customer_id = customers.find_by_number(session=s, customer_number=number)
    header = (customers.get_header(session=s, customer_id=customer_id, today=today)
              if customer_id else None)
    contacts = customers.list_contacts(session=s, customer_id=customer_id) if header else []
if header is None:
    st.title("Customer")
    st.error(f"No customer with number “{text.plain(number)}”.")
    st.stop()

widgets.show_flash()
if st.session_state.get(state.CUSTOMER_ID) != header.id:
    st.session_state[state.CUSTOMER_ID] = header.id
    focus = st.session_state.get(state.CUSTOMER_FOCUS)
    # Opened from a search hit on a document: start on that document's tab.
    st.session_state["customer_tab"] = customer_ui.TAB_FOR_DOCUMENT.get(
        focus[0] if focus else "", customer_ui.TABS[0])

beside_name = customer_ui.customer_header(header)
with beside_name:
    who = customer_ui.caller_panel(user, header, contacts)
    buttons = st.columns(2)
    with buttons[0]:
        customer_ui.enquiry_button(header.id, "", {}, "other", "enquire_customer")
    if buttons[1].button("Log a call", key="log_call_here"):
        st.session_state[state.CALL_PREFILL] = {"customer_id": header.id,
                                                "contact_id": who.contact_id}
        st.switch_page(search_ui.PAGES / "log_call.py")
search_ui.other_matches(header.id)

tabs = st.tabs(customer_ui.TABS, key="customer_tab", on_change="rerun")
views = {
    "Orders & delivery": lambda: customer_ui.orders_tab(user, header.id, today, who),
    "Invoices & credit notes": lambda: customer_ui.invoices_tab(user, header, today, who),
    "Statement": lambda: customer_ui.statement_tab(user, header, today, who),
    "Contracts": lambda: customer_ui.contracts_tab(user, header.id, today, who),
    "Installed base": lambda: inventory_ui.inventory_tab(user, header.id, today, who),
    "Contacts": lambda: customer_ui.contacts_tab(user, header.id, contacts),
    "Enquiries": lambda: customer_ui.enquiries_tab(header.id),
    "Timeline": lambda: customer_ui.timeline_tab(header.id, header.customer_number),
}
for label, tab in zip(customer_ui.TABS, tabs, strict=True):
    if tab.open:  # only the tab on screen runs its queries
        with tab:
            views[label]()
customer_ui.open_pending_enquiry(user)
