"""Audit log: who changed what, when, with before and after."""

import streamlit as st

from dashboard.ui import admin_content, auth

user = auth.require_role("admin")
st.title("Audit log")
admin_content.audit_page(user)
