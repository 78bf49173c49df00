"""Public: track an order with its number and the customer number or delivery postcode."""

from dashboard.ui import public

tr = public.language_picker()
public.track_form(tr)
public.footer(tr)
