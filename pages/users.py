"""Users & access: accounts, roles, sign-in waits, and the sign-in audit trail."""

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import when
from dashboard.services import audit, users
from dashboard.services.users import ROLES
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
     "Waits until": when(u.locked_until) if u.locked_until and u.locked_until > now else "",
     "Failed attempts": u.failed_login_count}
    for u in accounts
]), hide_index=True, width="stretch")

locked = [u for u in accounts if u.locked_until and u.locked_until > now]
if locked:
    st.subheader("Accounts made to wait")
    st.caption("Failed sign-ins from browsers the account has not used make the next ones "
               "wait. The person's own browser is not held back. " + auth.UNLOCK_HINT)
    for u in locked:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"**{text.plain(u.full_name)}** ({text.plain(u.username)}) — waits "
                         f"until {when(u.locked_until)}")
        if cols[1].button("Lift the wait", key=f"unlock_{u.id}"):
            with db.session() as s:
                users.unlock(session=s, user_id=u.id, by=admin)
            st.toast(f"{text.plain(u.username)} can sign in again")
            st.rerun()

with st.expander("Change an account"):
    st.caption("A new role, a new password or a deactivation signs the person out everywhere.")
    chosen = st.selectbox("Account", accounts, format_func=lambda u: f"{u.full_name} "
                          f"(signs in as {u.username})", index=None, key="users_change_account")
    if chosen is not None:
        with st.form("users_change"):
            role = st.selectbox("Role", ROLES, index=ROLES.index(chosen.role),
                                format_func=lambda r: labels.label("role", r))
            active = st.checkbox("Active", value=chosen.is_active)
            password = st.text_input("New password (leave empty to keep it)", type="password",
                                     autocomplete="new-password")
            if st.form_submit_button("Save", type="primary"):
                try:
                    with db.session() as s:
                        users.set_role(session=s, user_id=chosen.id, role=role, by=admin)
                        users.set_active(session=s, user_id=chosen.id, active=active, by=admin)
                        if password:
                            users.set_password(session=s, user_id=chosen.id,
                                               password=password, by=admin)
                except (ValueError, LookupError) as exc:
                    st.error(f"Not saved: {text.plain(str(exc))}")
                else:
                    st.toast(f"{text.plain(chosen.username)} saved")
                    st.rerun()

st.subheader("Sign-in activity")
with db.session() as s:
    entries = audit.recent(session=s, limit=200, actions=(
        "login", "login_cookie", "logout", "login_failed", "login_refused_locked",
        "account_locked", "account_unlocked", "login_throttled", "login_refused_throttled",
        "user_created", "user_deactivated", "user_activated", "user_role_changed",
        "password_changed"))
st.dataframe(pd.DataFrame([
    {"When": when(e.occurred_at), "User": e.username, "Event": labels.label("audit", e.action)}
    for e in entries
]), hide_index=True, width="stretch")
