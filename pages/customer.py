"""Customer: the whole account for the caller on the line, one tab per kind of question."""

import streamlit as st

from dashboard import auth, components, customer_view, inventory_view, state, ui
from dashboard.services import customers

user = auth.require_role("rep")

number = st.query_params.get("c", "")
if not number:
    st.title("Customer")
    st.info("Find a customer with the search in the sidebar: " + components.SEARCH_HELP)
    st.stop()

today = ui.today()
with ui.session() as s:
    customer_id = customers.find_by_number(session=s, customer_number=number)
    header = (customers.get_header(session=s, customer_id=customer_id, today=today)
              if customer_id else None)
    contacts = customers.list_contacts(session=s, customer_id=customer_id) if header else []
if header is None:
    st.title("Customer")
    st.error(f"No customer with number “{number}”.")
    st.stop()

if flash := st.session_state.pop(state.FLASH, None):
    st.toast(flash)
if st.session_state.get(state.CUSTOMER_ID) != header.id:
    st.session_state[state.CUSTOMER_ID] = header.id
    focus = st.session_state.get(state.CUSTOMER_FOCUS)
    # Opened from a search hit on a document: start on that document's tab.
    st.session_state["customer_tab"] = customer_view.TAB_FOR_DOCUMENT.get(
        focus[0] if focus else "", customer_view.TABS[0])

beside_name = components.customer_header(header)
with beside_name:
    who = customer_view.caller_panel(user, header, contacts)
    buttons = st.columns(2)
    with buttons[0]:
        customer_view.enquiry_button(header.id, "", {}, "other", "enquire_customer")
    if buttons[1].button("Log a call", key="log_call_here"):
        st.session_state[state.CALL_PREFILL] = {"customer_id": header.id,
                                                "contact_id": who.contact_id}
        st.switch_page(components.PAGES / "log_call.py")
components.other_matches(header.id)

tabs = st.tabs(customer_view.TABS, key="customer_tab", on_change="rerun")
views = {
    "Orders & delivery": lambda: customer_view.orders_tab(user, header.id, today, who),
    "Invoices & credit notes": lambda: customer_view.invoices_tab(user, header, today, who),
    "Statement": lambda: customer_view.statement_tab(user, header, today, who),
    "Contracts": lambda: customer_view.contracts_tab(user, header.id, today, who),
    "Installed base": lambda: inventory_view.inventory_tab(user, header.id, today, who),
    "Contacts": lambda: customer_view.contacts_tab(user, contacts),
    "Enquiries": lambda: customer_view.enquiries_tab(header.id),
    "Timeline": lambda: customer_view.timeline_tab(header.id),
}
for label, tab in zip(customer_view.TABS, tabs, strict=True):
    if tab.open:  # only the tab on screen runs its queries
        with tab:
            views[label]()
customer_view.open_pending_enquiry(user)
