"""Customer: the account at a glance for the caller on the line."""

import pandas as pd
import streamlit as st

from dashboard import auth, components, state, ui
from dashboard.services import customers, enquiries, search

user = auth.require_role("rep")

query = components.search_box("customer_search")
if query:
    with ui.session() as s:
        hits = search.search(session=s, query=query)
    components.search_results(hits, query)

number = st.query_params.get("c", "")
if not number:
    st.title("Customer")
    st.info("Search for a customer above: " + components.SEARCH_HELP)
    st.stop()

with ui.session() as s:
    customer_id = customers.find_by_number(session=s, customer_number=number)
    header = (customers.get_header(session=s, customer_id=customer_id, today=ui.today())
              if customer_id else None)
    if header is not None:
        contacts = customers.list_contacts(session=s, customer_id=header.id)
        history = enquiries.customer_enquiries(session=s, customer_id=header.id, now=ui.now())
if header is None:
    st.title("Customer")
    st.error(f"No customer with number “{number}”.")
    st.stop()

st.session_state[state.CUSTOMER_ID] = header.id
components.customer_header(header)

contacts_tab, enquiries_tab = st.tabs([f"Contacts ({len(contacts)})",
                                       f"Enquiries ({len(history)})"])
with contacts_tab:
    st.dataframe(pd.DataFrame([
        {"Name": c.name + (" ★" if c.is_primary else ""), "Role": c.role,
         "Language": c.language.upper(), "E-mail": c.email, "Phone": c.phone,
         "Mobile": c.mobile, "Fax": c.fax, "Portal tier": c.portal_tier,
         "Invoice e-mails": c.invoice_notifications}
        for c in contacts
    ]), hide_index=True, width="stretch")
    st.caption("★ primary contact. Portal tier decides what may be disclosed on the phone: "
               "guest — general information only; registered — order status; entitled — "
               "invoices, balances and contracts.")
with enquiries_tab:
    if history:
        st.dataframe(components.enquiry_frame(history), hide_index=True, width="stretch")
    else:
        st.info("No enquiries from this customer yet.")
