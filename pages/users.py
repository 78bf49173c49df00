"""Users & access: accounts, roles, lockouts, and the sign-in audit trail."""

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import when
from dashboard.services import audit, users
from dashboard.ui import auth, db, text

admin = auth.require_role("admin")
st.title("Users & access")

now = db.now()
with db.session() as s:
    accounts = users.list_users(session=s)
st.dataframe(pd.DataFrame([
    {"Username": u.username, "Name": u.full_name, "Role": labels.label("role", u.role),
     "Team": u.team or "—",
     "E-mail": u.email, "Active": u.is_active, "Last sign-in": when(u.last_login_at),
     "Locked until": when(u.locked_until) if u.locked_until and u.locked_until > now else "",
     "Failed attempts": u.failed_login_count}
    for u in accounts
]), hide_index=True, width="stretch")

locked = [u for u in accounts if u.locked_until and u.locked_until > now]
if locked:
    st.subheader("Locked accounts")
    for u in locked:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"**{text.plain(u.full_name)}** ({text.plain(u.username)}) — locked "
                         f"until {when(u.locked_until)}")
        if cols[1].button("Unlock", key=f"unlock_{u.id}"):
            with db.session() as s:
                users.unlock(session=s, user_id=u.id, by=admin)
            st.toast(f"{text.plain(u.username)} unlocked")
            st.rerun()

st.subheader("Sign-in activity")
with db.session() as s:
    entries = audit.recent(session=s, limit=200, actions=(
        "login", "login_cookie", "logout", "login_failed", "login_refused_locked",
        "account_locked", "account_unlocked"))
st.dataframe(pd.DataFrame([
    {"When": when(e.occurred_at), "User": e.username, "Event": labels.label("audit", e.action)}
    for e in entries
]), hide_index=True, width="stretch")
