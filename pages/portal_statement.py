"""Customer portal: the statement of account as PDF, CSV or Excel."""

from dashboard.ui import portal

user, _ = portal.require("statement")
portal.statement_page(user)
