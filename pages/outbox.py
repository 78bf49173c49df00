"""Outbox: outgoing e-mail waiting, sent or not delivered; send a failed one again or cancel it."""

import streamlit as st

from dashboard.ui import admin_content, auth

user = auth.require_role("admin")
st.title("Outbox")
admin_content.outbox_page(user)
