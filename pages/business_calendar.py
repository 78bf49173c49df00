"""Business calendar: opening hours per weekday, time zone, public holidays and closures."""

from datetime import timedelta

import streamlit as st

from dashboard.formatting import day
from dashboard.services import calendar as calendar_service
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.ui import admin_config, auth, db, state, text, widgets

admin = auth.require_role("admin")
st.title("Business calendar")
widgets.show_flash()
st.caption("SLA clocks and the business-hours metrics count only the time the line is open. "
           "A saved change applies from the next page load, to every user.")

with db.session() as s:
    calendar = calendar_service.load(session=s)
    version = admin_config.seen("calendar", calendar_service.version(session=s))
    closures = calendar_service.closures(session=s)

left, right = st.columns([3, 2])
with left:
    try:
        changed = admin_config.calendar_form(calendar)
        if changed is not None:
            with db.session() as s:
                calendar_service.save(session=s, calendar=changed, version=version, by=admin)
            admin_config.forget("calendar")
            st.session_state[state.FLASH] = "Business calendar saved"
            st.rerun()
    except (StaleEditError, ValidationError) as exc:
        admin_config.refused(exc)

with right:
    st.markdown("**Company closures**")
    st.caption("Days the line is closed beyond the public holidays, such as bridge days.")
    with st.form("closure_add", clear_on_submit=True):
        cols = st.columns([2, 3])
        when_closed = cols[0].date_input("Day", value=db.today() + timedelta(days=1),
                                         format="DD/MM/YYYY")
        why = cols[1].text_input("Why", max_chars=80, placeholder="Bridge day")
        if st.form_submit_button("Add the closure"):
            try:
                with db.session() as s:
                    calendar_service.add_closure(session=s, day=when_closed, name=why,
                                                 by=admin)
            except ValidationError as exc:
                admin_config.refused(exc)
            else:
                st.session_state[state.FLASH] = f"Closed on {day(when_closed)}"
                st.rerun()
    for closure in closures:
        cols = st.columns([3, 2], vertical_alignment="center")
        cols[0].markdown(f"{day(closure.day)} — {text.plain(closure.name)}")
        if cols[1].button("Remove", key=f"closure_remove_{closure.id}"):
            try:
                with db.session() as s:
                    calendar_service.remove_closure(session=s, closure_id=closure.id, by=admin)
            except ValidationError as exc:
                admin_config.refused(exc)
            else:
                st.session_state[state.FLASH] = f"{day(closure.day)} is a working day again"
                st.rerun()
    st.markdown("**Days off ahead (next 120 days)**")
    widgets.table(admin_config.upcoming_days_off(calendar, db.today(), closures))

admin_config.recompute_panel(admin, "calendar", "the business calendar changed")
