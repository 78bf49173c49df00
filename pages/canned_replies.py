"""Canned replies: the texts representatives start from, in EN/FR/NL/DE, with placeholders."""

import streamlit as st

from dashboard.ui import admin_content, auth

user = auth.require_role("lead")
st.title("Canned replies")
admin_content.canned_replies_page(user)
