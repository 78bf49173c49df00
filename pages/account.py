"""My account: who I am signed in as, and a new password of my own."""

import streamlit as st

from dashboard import labels
from dashboard.formatting import when
from dashboard.services import users
from dashboard.ui import auth, db, text, widgets

user = auth.require_role("rep")
st.title("My account")
widgets.show_flash()

with db.session() as s:
    me = users.get_row(session=s, user_id=user.id)
assert me is not None  # the signed-in account exists: require_role read it
left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown(f"**{text.plain(me.full_name)}**  \n"
                f"Signs in as {text.plain(me.username)} · {text.plain(me.email)}")
    st.markdown(f"Role: {labels.label('role', me.role)}  \n"
                f"Team: {text.plain(me.team) if me.team else '—'}  \n"
                f"Language: {labels.label('language', me.language)}  \n"
                f"Last sign-in: {when(me.last_login_at)}")
    st.caption("An administrator changes these on Users & access.")
with right:
    st.subheader("Change my password")
    st.caption(f"At least {users.MIN_PASSWORD_LENGTH} characters, not a common one; a few "
               "unrelated words work well. This browser stays signed in; every other "
               "session of yours ends.")
    auth.password_form(user)
