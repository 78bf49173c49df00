"""Public: the online forms by subject; each becomes a web enquiry in the queue."""

from dashboard.ui import public

tr = public.language_picker()
public.contact_form(tr)
public.footer(tr)
