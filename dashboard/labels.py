"""Words for stored values: every code shown to a person is looked up here.

One table per kind of value. ``label(kind, value)`` shows ``None`` as "—" and an unknown code
as a capitalised phrase rather than the raw code.
"""

from __future__ import annotations

NONE = "—"

STATUS_LABELS = {
    "new": "New", "open": "Open", "pending_customer": "Pending customer",
    "pending_internal": "Pending internal", "resolved": "Resolved", "closed": "Closed",
}
CATEGORY_LABELS = {"orders": "Orders & delivery", "invoices": "Invoices & payments",
                   "contracts": "Contracts", "inventory": "Inventory & maintenance",
                   "other": "Other"}
CHANNEL_LABELS = {"phone": "Phone", "fax": "Fax", "email": "E-mail", "web": "Web form"}
PRIORITY_LABELS = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
SEGMENT_LABELS = {"enterprise": "Enterprise", "mid_market": "Mid-market",
                  "small_business": "Small business", "public_sector": "Public sector"}
COUNTRY_LABELS = {"BE": "Belgium", "LU": "Luxembourg"}
VERIFICATION_LABELS = {
    "none": "Not verified", "known_voice": "Known to me", "customer_number": "Gave customer number",
    "invoice_number": "Gave an invoice number", "callback": "Called back on number on file",
    "email_on_file": "Wrote from the e-mail on file",
}
COVERAGE_LABELS = {"all": "All", "covered": "Covered", "not_covered": "Not covered"}
EVENT_LABELS = {"message_in": "Message from the customer", "reply": "Reply",
                "note": "Internal note", "call": "Phone call", "status": "Status",
                "assignment": "Assignment", "priority": "Priority", "category": "Category",
                "link": "Linked", "merge": "Merge", "sla": "SLA"}

TABLES: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS, "category": CATEGORY_LABELS, "channel": CHANNEL_LABELS,
    "priority": PRIORITY_LABELS, "segment": SEGMENT_LABELS, "country": COUNTRY_LABELS,
    "verification": VERIFICATION_LABELS, "coverage": COVERAGE_LABELS, "event": EVENT_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The words for ``value`` of ``kind`` ("status", "channel", …)."""
    if value is None:
        return NONE
    found = TABLES[kind].get(value)
    return found if found is not None else value.replace("_", " ").capitalize()
