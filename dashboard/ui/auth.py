"""Sign-in, the remember-me cookie and role checks.

streamlit-authenticator keeps the signed-in state and the JWT cookie; the password check,
lockout and audit are ours (``services.users``) so they are persisted in the shared database
and hold across processes.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth

from dashboard.services import session_tokens, users
from dashboard.services.users import UserInfo
from dashboard.ui import db, state


def authenticator() -> stauth.Authenticate:
    """Built once per script run, from a fresh copy of the users (it mutates its dict)."""
    cfg = db.settings()
    with db.session() as s:
        credentials = users.authenticator_credentials(session=s)
    return stauth.Authenticate(
        copy.deepcopy(credentials), cfg.cookie_name, cfg.cookie_key, cfg.cookie_expiry_days,
        auto_hash=False, login_sleep_time=cfg.login_sleep_seconds,
    )


def restore(auth: stauth.Authenticate) -> UserInfo | None:
    """The signed-in user, restoring the session from the remember-me cookie if there is one."""
    was_signed_in = bool(st.session_state.get(state.AUTH_STATUS))
    if not was_signed_in and _unusable_cookie():
        # Signed out, as after a logout: the sign-in component then ignores the cookie
        # instead of failing on it, and the browser is told to drop it.
        st.session_state[state.AUTH_LOGOUT] = True
        auth.cookie_controller.delete_cookie()
        return None
    if not was_signed_in and _revoked_cookie(auth):
        auth.cookie_controller.delete_cookie()
        return None
    try:
        auth.login(location="unrendered")
    except stauth.LoginError:  # cookie for a user who no longer exists or is inactive
        _clear()
        return None
    if not st.session_state.get(state.AUTH_STATUS):
        return None
    user = st.session_state.get(state.USER)
    if user is None or user.username != st.session_state.get(state.AUTH_USERNAME):
        with db.session() as s:
            user = users.get_user(session=s, username=st.session_state[state.AUTH_USERNAME])
            if user is not None and not was_signed_in:
                users.record_cookie_login(session=s, user=user)
        if user is None:
            _clear()
            return None
        st.session_state[state.USER] = user
    return user


def _unusable_cookie() -> bool:
    """A remember-me cookie is present but is not a well-formed, unexpired token of ours."""
    cfg = db.settings()
    token = st.context.cookies.get(cfg.cookie_name)
    if token is None or st.session_state.get(state.AUTH_LOGOUT):
        return False
    return session_tokens.verify(token, cfg.cookie_key, now=db.now()) is None


def _revoked_cookie(auth: stauth.Authenticate) -> bool:
    """A cookie issued before its user's last logout (deleting it may never have reached
    the browser) is refused here, on the server."""
    if st.session_state.get(state.AUTH_LOGOUT):
        return False  # the authenticator already ignores cookies after a logout in this session
    token = auth.cookie_controller.get_cookie()
    if not token:
        return False
    expiry_days = db.settings().cookie_expiry_days
    issued = datetime.fromtimestamp(float(token["exp_date"]), UTC) - timedelta(days=expiry_days)
    with db.session() as s:
        return users.logged_out_since(session=s, username=str(token["username"]),
                                      since=issued)


def login_form(auth: stauth.Authenticate) -> UserInfo | None:
    """Render the sign-in form; return the user when this run signed them in."""
    cfg = db.settings()
    with st.form("login", clear_on_submit=False, enter_to_submit=True):
        st.subheader("Sign in")
        username = st.text_input("Username", key=state.LOGIN_USERNAME, autocomplete="username")
        password = st.text_input("Password", type="password", key=state.LOGIN_PASSWORD,
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    user = None
    if submitted:
        with db.session() as s:
            result = users.attempt_login(session=s, username=username, password=password)
        if result.ok:
            user = result.user
            _sign_in(auth, user)  # type: ignore[arg-type]
        else:
            st.error(result.message)
    if cfg.demo_mode and user is None:
        _demo_accounts()
    return user


def _sign_in(auth: stauth.Authenticate, user: UserInfo) -> None:
    st.session_state[state.AUTH_STATUS] = True
    st.session_state[state.AUTH_USERNAME] = user.username
    st.session_state[state.AUTH_NAME] = user.full_name
    st.session_state[state.AUTH_ROLES] = [user.role]
    st.session_state[state.AUTH_LOGOUT] = None
    st.session_state[state.USER] = user
    # No rerun after this: the cookie component has to render in this run to be set.
    auth.cookie_controller.set_cookie()


def _demo_accounts() -> None:
    from seed.demo_accounts import DEMO_ACCOUNTS

    with st.container(border=True):
        st.markdown("**Demo accounts** (demo mode only)")
        st.table([
            {"Role": a.role, "Username": a.username, "Password": a.password,
             "Name": a.full_name}
            for a in DEMO_ACCOUNTS
        ])


def logout(auth: stauth.Authenticate, user: UserInfo) -> None:
    """Record the logout first: from then on the cookie is refused whatever the browser does."""
    with db.session() as s:
        users.record_logout(session=s, user=user)
    auth.logout(location="unrendered")
    _clear()
    st.query_params.clear()  # the last customer or enquiry is not left in the address bar


def _clear() -> None:
    for key in (state.AUTH_STATUS, state.AUTH_USERNAME, state.AUTH_NAME, state.AUTH_ROLES,
                state.USER):
        st.session_state[key] = None


def current_user() -> UserInfo | None:
    if not st.session_state.get(state.AUTH_STATUS):
        return None
    user = st.session_state.get(state.USER)
    return user if isinstance(user, UserInfo) else None


def require_role(role: str) -> UserInfo:
    """Second line of defence on every page: stop unless the user holds ``role`` (or higher)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    if not user.has_role(role):  # type: ignore[union-attr]
        st.error("You do not have access to this page.")
        st.stop()
    return user  # type: ignore[return-value]


def sign_in_placeholder() -> None:
    """The only page before signing in: it keeps the menu of a previous user off screen."""
