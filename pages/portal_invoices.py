"""Customer portal: invoices and credit notes, viewed, printed, downloaded as PDF or UBL."""

from dashboard.ui import portal

user, _ = portal.require("invoices")
portal.invoices_page(user)
