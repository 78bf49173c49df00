"""Entry point: ``streamlit run dashboard/app.py``.

Page config, the sign-in gate and the navigation for the user's role. Nothing else.
The entry lives here, not beside ``pages/``, so Streamlit never serves those scripts on its
own (without the sign-in); every page also checks the role itself.
"""

from pathlib import Path

import streamlit as st

from dashboard import i18n
from dashboard.labels import label
from dashboard.ui import auth, db, keys, live, portal, public, search, state, text

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="CSOL console", layout="wide")
st.html(Path(__file__).parent / "ui" / "layout.css")  # a stylesheet of ours, no user text
db.engine()  # first request: migrate and, in demo mode, seed
db.settle_memory()  # once per process: start-up objects out of the collector's way
db.refresh_config()  # the business calendar and SLA defaults as saved now

authenticator = auth.authenticator()
portal.bind_cookies(authenticator.cookie_controller.cookie_model.cookie_manager)
user = auth.restore(authenticator)
if user is not None and st.session_state.get(state.LOGOUT_REQUESTED):
    auth.logout(authenticator, user)  # no rerun: the cookie deletion renders in this run
    user = None
st.session_state.pop(state.LOGOUT_REQUESTED, None)  # cleared once the logout is done
if user is None:
    # A customer signed in to the portal sees the portal's pages and nothing else.
    customer = portal.restore()
    if customer is not None:
        portal.navigation(customer, PAGES)
        st.stop()
    # Signed out: the customers' public pages beside the staff sign-in.
    tr = i18n.translator(public.language())
    shown = st.navigation({tr("Customer Support OnLine"): [
        st.Page(auth.sign_in_placeholder, title=tr("Staff sign-in"), default=True),
        st.Page(PAGES / "track.py", title=tr("Track an order"), url_path="track"),
        st.Page(PAGES / "contact.py", title=tr("Contact us"), url_path="contact"),
        st.Page(PAGES / "portal_sign_in.py", title=tr("Customer portal"), url_path="portal"),
        st.Page(PAGES / "portal_password.py", title=tr("Set your portal password"),
                url_path=portal.SET_PASSWORD_PATH, visibility="hidden"),
    ]})
    if shown.url_path in ("track", "contact", "portal", portal.SET_PASSWORD_PATH):
        shown.run()
        customer = portal.current()
        if customer is None:
            st.stop()
        # Signed in by this run: the portal follows at once, so its cookie renders now.
        portal.navigation(customer, PAGES, picker=False)
        st.stop()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Customer Support OnLine")
        st.caption("Support console: orders, invoices, contracts, installed base and "
                   "enquiries.")
        user = auth.login_form(authenticator)
    if user is None:
        st.stop()
if user.must_change_password:  # a temporary password: a new one first, nothing else
    st.navigation([st.Page(auth.sign_in_placeholder, title="New password")], position="hidden")
    auth.forced_password_change(user)
    st.stop()

with st.sidebar:
    st.markdown(f"**{text.plain(user.full_name)}**  \n{label('role', user.role)}"
                + (f" · {text.plain(user.team_name)}" if user.team_name else ""))
    st.button("Log out", key="logout_button",
              on_click=lambda: st.session_state.update({state.LOGOUT_REQUESTED: True}))
    live.notifications(user)  # toasts: a customer answered, or an enquiry is given to me
    keys.help_expander()

sections: dict[str, list[st.Page]] = {
    "Work": [
        st.Page(PAGES / "today.py", title="Today", default=True),
        st.Page(PAGES / "queue.py", title="Queue", url_path="queue"),
        st.Page(PAGES / "customer.py", title="Customer", url_path="customer"),
        st.Page(PAGES / "balances.py", title="Account balances", url_path="balances"),
        st.Page(PAGES / "log_call.py", title="Log a call", url_path="log-call"),
        st.Page(PAGES / "intake_problems.py", title="Intake problems", url_path="intake"),
        st.Page(PAGES / "enquiry.py", title="Enquiry", url_path="enquiry", visibility="hidden"),
        st.Page(PAGES / "account.py", title="My account", url_path="account"),
    ],
}
if user.has_role("lead"):
    sections["Team"] = [st.Page(PAGES / "team.py", title="Team overview"),
                        st.Page(PAGES / "metrics.py", title="Enquiry metrics",
                                url_path="metrics"),
                        st.Page(PAGES / "canned_replies.py", title="Canned replies",
                                url_path="canned-replies"),
                        st.Page(PAGES / "sla_policies.py", title="SLA policies",
                                url_path="sla-policies")]
if user.has_role("admin"):
    sections["Admin"] = [st.Page(PAGES / "users.py", title="Users & access"),
                         st.Page(PAGES / "teams.py", title="Teams", url_path="teams"),
                         st.Page(PAGES / "business_calendar.py", title="Business calendar",
                                 url_path="calendar"),
                         st.Page(PAGES / "settings.py", title="Settings", url_path="settings"),
                         st.Page(PAGES / "intake_settings.py", title="Intake settings",
                                 url_path="intake-settings"),
                         st.Page(PAGES / "outbox.py", title="Outbox", url_path="outbox"),
                         st.Page(PAGES / "audit_log.py", title="Audit log",
                                 url_path="audit-log"),
                         st.Page(PAGES / "privacy.py", title="Privacy", url_path="privacy")]

page = st.navigation(sections, expanded=True)  # an admin's sections stay open
keys.bind(keys.FIND)
if page.title != "Today":  # Today has the big search box
    search.sidebar_search()
page.run()
