"""Users & access: accounts, roles, teams and languages, temporary passwords, sign-in waits,
and the sign-in audit trail."""

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import number, when
from dashboard.services import audit, teams, users
from dashboard.ui import admin_users, auth, db, widgets

admin = auth.require_role("admin")
st.title("Users & access")
widgets.show_flash()

now = db.now()
with db.session() as s:
    accounts = users.list_users(session=s)
    team_rows = teams.list_teams(session=s)
team_options: dict[int, str] = {admin_users.NOBODY: admin_users.NO_TEAM,
                                       **{t.id: t.name for t in team_rows
                                          if t.retired_at is None}}

admin_users.temporary_password_notice()
st.caption(f"{number(sum(u.is_active for u in accounts))} active accounts of "
           f"{number(len(accounts))}. Pick a row to change it.")
panel = st.container()
admin_users.new_user_form(admin, team_options)
picked = admin_users.users_table(accounts, now)
if picked is not None:
    with panel:
        admin_users.edit_user(admin, next(u for u in accounts if u.id == picked), team_options)

admin_users.waits(admin, accounts, now, auth.UNLOCK_HINT)

with st.expander("Sign-in activity"):
    with db.session() as s:
        entries = audit.recent(session=s, limit=200, actions=(
            "login", "login_cookie", "logout", "login_failed", "login_refused_locked",
            "account_locked", "account_unlocked", "login_throttled", "login_refused_throttled",
            "user_created", "user_deactivated", "user_activated", "user_role_changed",
            "user_updated", "password_changed", "password_reset", "password_changed_by_user"))
    st.dataframe(pd.DataFrame([
        {"When": when(e.occurred_at), "User": e.username,
         "Event": labels.label("audit", e.action)}
        for e in entries
    ], columns=["When", "User", "Event"]), hide_index=True, width="stretch")
