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

ORDER_STATUS_LABELS = {"received": "Received", "confirmed": "Confirmed", "picking": "Being picked",
                       "shipped": "Shipped", "in_transit": "In transit",
                       "delivered": "Delivered", "cancelled": "Cancelled"}
INVOICE_STATUS_LABELS = {"open": "Open", "partially_paid": "Partly paid", "paid": "Paid",
                         "cancelled": "Cancelled", "overdue": "Overdue",
                         "disputed": "Disputed"}
INVOICE_KIND_LABELS = {"invoice": "Invoice", "credit_note": "Credit note"}
CONTRACT_TYPE_LABELS = {"maintenance": "Maintenance", "support": "Support", "lease": "Lease",
                        "software_subscription": "Software subscription",
                        "managed_service": "Managed service"}
BILLING_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}
SERVICE_LEVEL_LABELS = {"bronze": "Bronze", "silver": "Silver", "gold": "Gold",
                        "platinum": "Platinum"}
ROLE_LABELS = {"rep": "Representative", "lead": "Team lead", "admin": "Administrator"}
CONTACT_ROLE_LABELS = {"purchasing": "Purchasing", "finance": "Finance", "it": "IT",
                       "management": "Management", "facilities": "Facilities",
                       "other": "Other"}
TIER_LABELS = {"unknown": "Unknown", "guest": "Guest", "registered": "Registered",
               "entitled": "Entitled"}
LANGUAGE_LABELS = {"nl": "Dutch", "fr": "French", "de": "German", "en": "English"}
INVENTORY_CHANGE_LABELS = {"add": "Added", "relocate": "Moved", "remove": "Removed"}
PAYMENT_METHOD_LABELS = {"bank_transfer": "Bank transfer", "direct_debit": "Direct debit",
                         "card": "Card"}
INBOUND_SOURCE_LABELS = {"smtp": "E-mail", "import": "Imported file", "web": "Web form",
                         "fax": "Fax"}
OUTBOUND_STATUS_LABELS = {"queued": "Waiting to be sent", "sending": "Being sent",
                          "sent": "Sent", "failed": "Not delivered"}
INTAKE_RESULT_LABELS = {"created": "new enquiry", "threaded": "joined its enquiry",
                        "ignored": "set aside as automatic mail",
                        "quarantined": "kept in quarantine", "pending": "waiting"}
AUDIT_LABELS = {
    "login": "Signed in", "login_cookie": "Signed in (remembered)", "logout": "Signed out",
    "login_failed": "Sign-in failed", "login_refused_locked": "Sign-in refused: locked",
    "account_locked": "Account locked", "account_unlocked": "Sign-in waits lifted",
    "login_throttled": "Sign-ins made to wait", "login_refused_throttled": "Sign-in refused: wait",
    "user_created": "User created", "user_deactivated": "User deactivated",
    "user_activated": "User reactivated", "user_role_changed": "Role changed",
    "password_changed": "Password changed", "user_updated": "User details changed",
    "password_reset": "Temporary password given",
    "password_changed_by_user": "Own password chosen", "team_created": "Team created",
    "team_updated": "Team changed", "caller_identified": "Caller identified",
    "document_sent": "Document e-mailed",
    "document_sent_to_typed_address": "Document e-mailed to an address not on file",
    "enquiry_opened": "Enquiry opened", "enquiry_viewed": "Enquiry viewed",
}

TABLES: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS, "category": CATEGORY_LABELS, "channel": CHANNEL_LABELS,
    "priority": PRIORITY_LABELS, "segment": SEGMENT_LABELS, "country": COUNTRY_LABELS,
    "verification": VERIFICATION_LABELS, "coverage": COVERAGE_LABELS, "event": EVENT_LABELS,
    "order_status": ORDER_STATUS_LABELS, "invoice_status": INVOICE_STATUS_LABELS,
    "invoice_kind": INVOICE_KIND_LABELS, "contract_type": CONTRACT_TYPE_LABELS,
    "billing": BILLING_LABELS, "service_level": SERVICE_LEVEL_LABELS, "role": ROLE_LABELS,
    "contact_role": CONTACT_ROLE_LABELS, "tier": TIER_LABELS, "language": LANGUAGE_LABELS,
    "inventory_change": INVENTORY_CHANGE_LABELS, "audit": AUDIT_LABELS,
    "payment_method": PAYMENT_METHOD_LABELS, "inbound_source": INBOUND_SOURCE_LABELS,
    "outbound_status": OUTBOUND_STATUS_LABELS, "intake_result": INTAKE_RESULT_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The words for ``value`` of ``kind`` ("status", "channel", …)."""
    if value is None:
        return NONE
    found = TABLES[kind].get(value)
    return found if found is not None else value.replace("_", " ").capitalize()
