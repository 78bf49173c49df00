"""Customer portal: the company's orders, searched, with delivery tracking (no money)."""

from dashboard.ui import portal

user, _ = portal.require("orders")
portal.orders_page(user)
