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
                          "sent": "Sent", "failed": "Not delivered",
                          "cancelled": "Cancelled"}
OUTBOUND_KIND_LABELS = {"reply": "Reply", "invoice": "Invoice", "statement": "Statement",
                        "notification": "Notification"}
# Where an invoice's Peppol e-invoice is, and why a receiver rejected one (Peppol status
# reason codes).
EINVOICE_STATE_LABELS = {"sent": "Sent, awaiting delivery", "delivered": "Delivered",
                         "rejected": "Rejected by the customer",
                         "not_on_peppol": "Customer not on Peppol: sent by e-mail"}
EINVOICE_REASON_LABELS = {
    "NON": "No issue", "REF": "References incorrect", "LEG": "Legal information incorrect",
    "REC": "Receiver unknown", "QUA": "Item quality insufficient", "DEL": "Delivery issues",
    "PRI": "Prices incorrect", "QTY": "Quantity incorrect", "ITM": "Items incorrect",
    "PAY": "Payment terms incorrect", "UNR": "Not recognised", "FIN": "Finance terms incorrect",
    "PPD": "Partially paid", "OTH": "Other",
}
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
    "document_notified": "Document e-mailed to a subscribed contact",
    "contact_statement_notifications": "Monthly statement switched",
    # the administration of replies, intake and the outbox, and the writes they watch over
    "canned_reply_created": "Canned reply created", "canned_reply_changed": "Canned reply changed",
    "canned_reply_retired": "Canned reply retired",
    "canned_reply_restored": "Canned reply offered again",
    "intake_settings_changed": "Intake settings changed",
    "email_queued": "E-mail queued", "email_sent": "E-mail sent",
    "email_failed": "E-mail not delivered", "email_resent": "E-mail sent again",
    "email_cancelled": "E-mail cancelled", "email_deferred": "E-mail to be tried again",
    "email_interrupted": "E-mail delivery interrupted",
    "intake_ignored": "Message set aside as automatic",
    "intake_quarantined": "Message kept in quarantine", "enquiry_received": "Enquiry received",
    "enquiry_status": "Enquiry status changed", "enquiry_assigned": "Enquiry assigned",
    "enquiry_priority": "Enquiry priority changed",
    "enquiry_category": "Enquiry category changed", "enquiry_reply": "Reply sent",
    "enquiry_claimed": "Enquiry claimed", "enquiry_merged": "Enquiry merged",
    "enquiry_linked": "Document linked", "enquiry_note": "Internal note added",
    "enquiry_customer_message": "Customer message added",
    "intake_reprocessed": "Intake message processed again",
    "intake_enquiry_by_hand": "Enquiry made by hand from a message",
    "intake_message_id_reused": "Message-ID used twice",
    "inventory_added": "Item added", "inventory_relocated": "Item moved",
    "inventory_removed": "Item removed",
    "contact_invoice_notifications": "Invoice notifications changed",
    "receivables.close": "Receivable month closed",
    "contact_exported": "Contact's data exported",
    "erasure_requested": "Erasure of a contact requested",
    "erasure_withdrawn": "Erasure of a contact withdrawn",
    "contact_erased": "Contact's personal data erased",
}
ENTITY_LABELS = {
    "enquiry": "Enquiry", "customer": "Customer", "contact": "Contact", "user": "User",
    "outbound_message": "Outgoing e-mail", "inbound_message": "Incoming message",
    "installed_item": "Installed item", "canned_reply": "Canned reply",
    "intake_settings": "Intake settings", "receivable_close": "Receivables close",
    "setting": "Setting", "sla_policy": "SLA policy", "team": "Team",
}
FIELD_LABELS = {
    "name": "Name", "category": "Category", "is_active": "Offered to representatives",
    **{f"subject_{code}": f"Subject ({name})" for code, name in (
        ("en", "English"), ("fr", "French"), ("nl", "Dutch"), ("de", "German"))},
    **{f"body_{code}": f"Text ({name})" for code, name in (
        ("en", "English"), ("fr", "French"), ("nl", "Dutch"), ("de", "German"))},
    "intake_address": "Intake address", "auto_assign": "Auto-assignment",
    "fax_gateways": "Fax gateways", "automatic_mail": "Automatic mail rules",
    "status": "Status", "attempts": "Attempts", "error": "Error", "to": "To",
    "subject": "Subject", "kind": "Kind", "assignee_id": "Assignee", "priority": "Priority",
    "reference": "Reference", "channel": "Channel", "enquiry_id": "Enquiry",
    "customer_id": "Customer", "contact_id": "Contact", "role": "Role",
    "username": "Username", "reason": "Reason", "body": "Text",
    "setting_changed": "Setting changed", "sla_policy_created": "SLA policy created",
    "sla_policy_changed": "SLA policy changed", "sla_recomputed": "Due times worked out again",
    "closure_added": "Company closure added", "closure_removed": "Company closure removed",
    "audit_purged": "Old audit rows deleted",
}

ERASURE_STATUS_LABELS = {"pending": "Waiting for a second administrator", "erased": "Erased",
                         "withdrawn": "Withdrawn"}

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
    "einvoice_state": EINVOICE_STATE_LABELS, "einvoice_reason": EINVOICE_REASON_LABELS,
    "outbound_kind": OUTBOUND_KIND_LABELS, "erasure_status": ERASURE_STATUS_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The words for ``value`` of ``kind`` ("status", "channel", …)."""
    if value is None:
        return NONE
    found = TABLES[kind].get(value)
    return found if found is not None else value.replace("_", " ").capitalize()


def entity_label(entity_type: str | None) -> str:
    """The words for an audit row's entity kind. Kept out of ``TABLES``: these are names of
    things ("enquiry", "user"), which ordinary text uses as words too."""
    return label_in(ENTITY_LABELS, entity_type)


def field_label(field: str | None) -> str:
    """The words for a field in an audit row's before/after (kept out of ``TABLES`` as
    above: "name", "to" and "reference" are words as well as keys)."""
    return label_in(FIELD_LABELS, field)


def label_in(table: dict[str, str], value: str | None) -> str:
    if value is None:
        return NONE
    found = table.get(value)
    return found if found is not None else value.replace("_", " ").capitalize()
