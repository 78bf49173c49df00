"""Sign-in, the remember-me cookie, server-side sessions and role checks.

streamlit-authenticator keeps the signed-in state and writes the cookie; the password check,
throttling, sessions and audit are ours (``services.users``, ``services.sessions``), kept in
the shared database so they hold across processes. The cookie only names a session: every run
asks the database whether that session still holds.
"""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth

from dashboard.config import Settings
from dashboard.services import session_tokens, sessions, users
from dashboard.services.login_throttle import ClientIdentity
from dashboard.services.sessions import SessionPolicy
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets

# A random id per browser, set at its first sign-in: sign-ins from a browser the account has
# used before are throttled apart from everyone else's.
CLIENT_COOKIE = "csol_client"
CLIENT_COOKIE_DAYS = 400  # the longest a browser keeps a cookie
UNLOCK_HINT = ("Too many failed sign-ins make the next ones wait. An administrator can always "
               "get in: on the server, `python -m dashboard users unlock USERNAME` lifts the "
               "wait.")


def authenticator() -> stauth.Authenticate:
    """Built once per script run, from a fresh copy of the users (it mutates its dict)."""
    cfg = db.settings()
    with db.session() as s:
        credentials = users.authenticator_credentials(session=s)
    return stauth.Authenticate(
        copy.deepcopy(credentials), cfg.cookie_name, cfg.cookie_key, cfg.cookie_expiry_days,
        auto_hash=False, login_sleep_time=cfg.login_sleep_seconds,
    )


def policy(cfg: Settings) -> SessionPolicy:
    return SessionPolicy(lifetime=timedelta(hours=cfg.session_hours),
                         idle=timedelta(minutes=cfg.session_idle_minutes))


def restore(auth: stauth.Authenticate) -> UserInfo | None:
    """The signed-in user: this browser session's, or one restored from the cookie, as long as
    the server-side session it names still holds."""
    if st.session_state.get(state.AUTH_STATUS):
        session_id = st.session_state.get(state.SESSION_ID)
        user = _holding(session_id) if isinstance(session_id, str) else None
        if user is None:  # logged out elsewhere, deactivated, new password or role, timed out
            _end(auth)
            return None
        st.session_state[state.USER] = user
        return user
    if st.session_state.get(state.AUTH_LOGOUT):
        return None  # logged out in this browser session: the cookie it sent is not used again
    cfg = db.settings()
    token = st.context.cookies.get(cfg.cookie_name)
    if token is None:
        return None
    claims = session_tokens.verify(token, cfg.cookie_key, now=db.now())
    user = _holding(claims.session_id) if claims else None
    if claims is None or user is None or user.username != claims.username:
        # Signed out: the sign-in component then ignores the cookie and the browser is told
        # to drop it.
        st.session_state[state.AUTH_LOGOUT] = True
        auth.cookie_controller.delete_cookie()
        return None
    with db.session() as s:
        users.record_cookie_login(session=s, user=user)
    _signed_in_state(user, claims.session_id)
    return user


def _holding(session_id: str) -> UserInfo | None:
    with db.session() as s:
        held = sessions.check(session=s, session_id=session_id, policy=policy(db.settings()),
                              now=db.now())
        return users.get_user_by_id(session=s, user_id=held.user_id) if held else None


def _end(auth: stauth.Authenticate) -> None:
    st.session_state[state.AUTH_LOGOUT] = True
    auth.cookie_controller.delete_cookie()
    _clear()


def client_identity() -> ClientIdentity:
    client_id = st.context.cookies.get(CLIENT_COOKIE)
    usable = isinstance(client_id, str) and 20 <= len(client_id) <= 64
    address = st.context.ip_address
    return ClientIdentity(client_id=client_id if usable else None,
                          address=address if isinstance(address, str) else None)


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
        client = client_identity()
        new_client_id = None
        if client.client_id is None:
            new_client_id = secrets.token_urlsafe(32)
            client = ClientIdentity(client_id=new_client_id, address=client.address)
        with db.session() as s:
            result = users.attempt_login(session=s, username=username, password=password,
                                         client=client, policy=policy(cfg), now=db.now())
        if result.ok:
            user = result.user
            _sign_in(auth, cfg, result, new_client_id)
        else:
            st.error(result.message)
    st.caption(UNLOCK_HINT)
    if cfg.demo_mode and user is None:
        _demo_accounts()
    return user


def _signed_in_state(user: UserInfo, session_id: str) -> None:
    st.session_state[state.AUTH_STATUS] = True
    st.session_state[state.AUTH_USERNAME] = user.username
    st.session_state[state.AUTH_NAME] = user.full_name
    st.session_state[state.AUTH_ROLES] = [user.role]
    st.session_state[state.AUTH_LOGOUT] = None
    st.session_state[state.USER] = user
    st.session_state[state.SESSION_ID] = session_id


def _sign_in(auth: stauth.Authenticate, cfg: Settings, result: users.LoginResult,
             new_client_id: str | None) -> None:
    assert result.user is not None and result.session_id and result.session_expires_at
    _signed_in_state(result.user, result.session_id)
    expires = min(result.session_expires_at,
                  datetime.now(UTC) + timedelta(days=cfg.cookie_expiry_days))
    token = session_tokens.issue(username=result.user.username, session_id=result.session_id,
                                 expires_at=expires, key=cfg.cookie_key)
    # No rerun after this: the cookie component has to render in this run to be set.
    cookies = auth.cookie_controller.cookie_model.cookie_manager
    cookies.set(cfg.cookie_name, token, expires_at=expires)
    if new_client_id is not None:
        cookies.set(CLIENT_COOKIE, new_client_id, key="set_client",
                    expires_at=datetime.now(UTC) + timedelta(days=CLIENT_COOKIE_DAYS))


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
    """End the session on the server first: from then on the cookie is refused whatever the
    browser does with it."""
    with db.session() as s:
        users.record_logout(session=s, user=user,
                            session_id=st.session_state.get(state.SESSION_ID), now=db.now())
    auth.logout(location="unrendered")
    _clear()
    st.query_params.clear()  # the last customer or enquiry is not left in the address bar


def _clear() -> None:
    for key in (state.AUTH_STATUS, state.AUTH_USERNAME, state.AUTH_NAME, state.AUTH_ROLES,
                state.USER, state.SESSION_ID):
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


def password_form(user: UserInfo, *, current_label: str = "Current password",
                  form_key: str = "own_password_change") -> None:
    """Change one's own password: this browser stays signed in, every other session ends."""
    with st.form(form_key, enter_to_submit=True):
        current = st.text_input(current_label, type="password",
                                autocomplete="current-password",
                                key=state.NEW_PASSWORD_CURRENT)
        new = st.text_input("New password", type="password", autocomplete="new-password",
                            key=state.NEW_PASSWORD)
        repeat = st.text_input("New password again", type="password",
                               autocomplete="new-password", key=state.NEW_PASSWORD_REPEAT)
        submitted = st.form_submit_button("Save password", type="primary")
    if submitted:
        try:
            with db.session() as s:
                users.change_own_password(
                    session=s, user_id=user.id,
                    session_id=st.session_state.get(state.SESSION_ID), current=current,
                    new=new, repeat=repeat, now=db.now())
        except (ValueError, RuntimeError) as exc:
            widgets.show_problems(exc)
        else:
            for key in (state.NEW_PASSWORD_CURRENT, state.NEW_PASSWORD,
                        state.NEW_PASSWORD_REPEAT):
                st.session_state.pop(key, None)
            st.session_state[state.FLASH] = "Your new password is saved"
            st.rerun()


def sign_in_placeholder() -> None:
    """The only page before signing in: it keeps the menu of a previous user off screen."""


def forced_password_change(user: UserInfo) -> None:
    """After a temporary password: choose a new one before anything else. This browser's
    session stays signed in; any other ends."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Choose a new password")
        st.caption(f"Signed in as {text.plain(user.username)} with a temporary password. "
                   f"Choose your own to go on: at least {users.MIN_PASSWORD_LENGTH} "
                   "characters, not a common one; a few unrelated words work well.")
        password_form(user, current_label="Temporary password",
                      form_key="forced_password_change")
        st.button("Log out", key="logout_button",
                  on_click=lambda: st.session_state.update({state.LOGOUT_REQUESTED: True}))
