"""Customer portal: the company's contracts, their term, service level and renewal."""

from dashboard.ui import portal

user, _ = portal.require("contracts")
portal.contracts_page(user)
