"""Public: set the portal password from the one-time link in the e-mail."""

from dashboard.ui import portal

portal.set_password_page()
