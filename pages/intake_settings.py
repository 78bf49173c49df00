"""Intake settings: the intake address, assignment, fax gateways and automatic mail."""

import streamlit as st

from dashboard.ui import admin_content, auth

user = auth.require_role("admin")
st.title("Intake settings")
admin_content.intake_settings_page(user)
