"""Teams: who is in each, who leads it, and which enquiries are routed to it."""

import streamlit as st

from dashboard.services import teams
from dashboard.ui import admin_users, auth, db, widgets

admin = auth.require_role("admin")
st.title("Teams")
widgets.show_flash()

with db.session() as s:
    rows = teams.list_teams(session=s)
    everyone = teams.people(session=s)
    unrouted = teams.unrouted_categories(session=s)
team_names: dict[int | None, str] = {t.id: t.name for t in rows}

admin_users.routing_gaps(unrouted)
panel = st.container()
admin_users.new_team_form(admin)
if not rows:
    st.info("No teams yet: create the first one above.")
    st.stop()
picked = admin_users.teams_table(rows)
if picked is not None:
    with panel:
        admin_users.edit_team(admin, next(t for t in rows if t.id == picked), everyone,
                              team_names)
else:
    st.caption("Pick a team to change its name, members, lead and routing. "
               + admin_users.ROUTING_NOTE)
