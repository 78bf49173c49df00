"""Every ``st.session_state`` key the app uses, named in one place."""

# Set by streamlit-authenticator (its names, not ours).
AUTH_STATUS = "authentication_status"
AUTH_USERNAME = "username"
AUTH_NAME = "name"
AUTH_ROLES = "roles"
AUTH_LOGOUT = "logout"

# Ours.
USER = "csol_user"                  # dashboard.services.users.UserInfo of the signed-in user
LOGIN_USERNAME = "login_username"   # login form widgets
LOGIN_PASSWORD = "login_password"
LOGOUT_REQUESTED = "logout_requested"
SESSION_ID = "csol_session_id"    # the server-side session (services.sessions) of this sign-in
SEARCH_RESULTS = "search_results"   # (query, hits) of the last search
SEARCH_CHOICE = "search_choice"     # True while the last search's matches wait for a pick
CUSTOMER_ID = "customer_id"         # the customer open on the customer page
CUSTOMER_FOCUS = "customer_focus"   # (document kind, id) the search opened it for
CALLERS = "callers"                 # {customer id: Caller} verified during this session
FLASH = "flash_message"             # a confirmation to show once after a rerun
ENQUIRY_DRAFT = "enquiry_draft"     # the "open an enquiry" dialog waiting to be saved
CALL_PREFILL = "call_prefill"       # {"customer_id": …} when "Log a call" starts from a customer
SEEN_VERSION = "seen_version"       # + "_<enquiry id>": the version the rep is editing
QUEUE_SELECT_MODE = "queue_select_mode"  # a lead ticks rows for bulk actions instead of opening
BULK_UNDO = "bulk_last_close"            # BulkClose: what the last bulk close did, to undo it
BULK_PENDING = "bulk_pending"       # BulkPending: a bulk action waiting to be confirmed
NEWS_SEEN = "news_seen_event"       # the last enquiry event already told as a toast
PUBLIC_LANGUAGE = "public_language"  # the language a visitor chose on the public pages
PUBLIC_LANGUAGE_PICKER = "public_language_picker"
PUBLIC_TOPIC = "public_topic"        # which online form is open
PUBLIC_SENT = "public_sent"          # (reference, e-mail) of the form just sent
CANNED_PICK = "canned_pick"         # the canned reply open on its page (id, or "new")
CANNED_SEEN = "canned_seen"         # {reply id: version} as opened, for a stale-edit check
INTAKE_SEEN = "intake_seen"         # the intake settings version the form was opened at
RECOMPUTE_PREVIEW = "recompute_preview"  # (panel key, sla_admin.Preview) shown before applying
POLICY_CHOICE = "sla_policy_choice"   # the policy open in the SLA policies form (id, or "new")
SEEN_SETTING = "seen_setting"     # + "_<form>": the version of a policy or setting being edited
ADMIN_USER_SEEN = "admin_user_seen"  # + "_<user id>": the account version the admin is editing
ADMIN_TEAM_RETIRING = "admin_team_retiring"  # the team whose retirement awaits a yes or no
ADMIN_TEAM_SEEN = "admin_team_seen"  # + "_<team id>": the team version the admin is editing
ADMIN_TEMPORARY_PASSWORD = "admin_temporary_password"  # (name, username, password), shown once
PRIVACY_QUERY = "privacy_query"      # what the admin typed to find a contact on the privacy page
PRIVACY_CONFIRM = "privacy_confirm"  # (request id, version) of the erasure being confirmed
NEW_PASSWORD_CURRENT = "new_password_current"  # the forced password change after a temporary one
NEW_PASSWORD = "new_password"
NEW_PASSWORD_REPEAT = "new_password_repeat"
PORTAL_USER = "portal_user"          # services.portal.PortalUser of the signed-in customer contact
PORTAL_SESSION_ID = "portal_session_id"  # the portal session (services.portal) of this sign-in
PORTAL_SIGNED_OUT = "portal_signed_out"  # this browser session signed out of the portal
PORTAL_LOGOUT_REQUESTED = "portal_logout_requested"
PORTAL_COOKIES = "portal_cookies"   # the cookie component of this run (ui.portal.bind_cookies)
PORTAL_LINK_ASKED = "portal_link_asked"  # the e-mail a set-password link was asked for
PORTAL_CHANGE_SENT = "portal_change_sent"  # reference of the inventory change just asked for
PORTAL_PASSWORD_SET = "portal_password_set"  # the e-mail whose password was just set
