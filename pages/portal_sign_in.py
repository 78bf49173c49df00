"""Public: the customer portal's sign-in, and the e-mailed link that sets a password."""

from dashboard.ui import portal

portal.sign_in_page()
