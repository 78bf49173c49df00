"""Customer portal: the company's installed inventory by site and what covers it."""

from dashboard.ui import portal

user, _ = portal.require("inventory")
portal.inventory_page(user)
