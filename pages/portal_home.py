"""Customer portal: the signed-in contact's account and what it shows."""

from dashboard.ui import portal

user, _ = portal.require("order_status")
portal.home_page(user)
