"""Plain row tuples, one type per table, with the table's columns in the table's order.

The generator builds millions of rows; named tuples keep that fast (no ORM objects) while
``Row(column=value, ...)`` still reads like the model and fails loudly on a misspelt column.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from db.models import Base


def _row_type(table: str, name: str) -> Any:
    return namedtuple(name, [column.name for column in Base.metadata.tables[table].columns])


TeamRow = _row_type("teams", "TeamRow")
UserRow = _row_type("users", "UserRow")
CustomerRow = _row_type("customers", "CustomerRow")
ContactRow = _row_type("contacts", "ContactRow")
SiteRow = _row_type("sites", "SiteRow")
ProductRow = _row_type("products", "ProductRow")
OrderRow = _row_type("orders", "OrderRow")
OrderLineRow = _row_type("order_lines", "OrderLineRow")
OrderEventRow = _row_type("order_events", "OrderEventRow")
InvoiceRow = _row_type("invoices", "InvoiceRow")
InvoiceLineRow = _row_type("invoice_lines", "InvoiceLineRow")
PaymentRow = _row_type("payments", "PaymentRow")
AllocationRow = _row_type("payment_allocations", "AllocationRow")
ContractRow = _row_type("contracts", "ContractRow")
InstalledItemRow = _row_type("installed_items", "InstalledItemRow")
InventoryChangeRow = _row_type("inventory_changes", "InventoryChangeRow")
SlaPolicyRow = _row_type("sla_policies", "SlaPolicyRow")
EnquiryRow = _row_type("enquiries", "EnquiryRow")
EnquiryEventRow = _row_type("enquiry_events", "EnquiryEventRow")
InboundMessageRow = _row_type("inbound_messages", "InboundMessageRow")
OutboundMessageRow = _row_type("outbound_messages", "OutboundMessageRow")
AttachmentRow = _row_type("attachments", "AttachmentRow")
CannedReplyRow = _row_type("canned_replies", "CannedReplyRow")
AuditLogRow = _row_type("audit_log", "AuditLogRow")
SettingRow = _row_type("settings", "SettingRow")

ROW_TYPES: dict[str, Any] = {
    "teams": TeamRow, "users": UserRow, "customers": CustomerRow, "contacts": ContactRow,
    "sites": SiteRow, "products": ProductRow, "orders": OrderRow, "order_lines": OrderLineRow,
    "order_events": OrderEventRow, "invoices": InvoiceRow, "invoice_lines": InvoiceLineRow,
    "payments": PaymentRow, "payment_allocations": AllocationRow, "contracts": ContractRow,
    "installed_items": InstalledItemRow, "inventory_changes": InventoryChangeRow,
    "sla_policies": SlaPolicyRow, "enquiries": EnquiryRow, "enquiry_events": EnquiryEventRow,
    "inbound_messages": InboundMessageRow, "outbound_messages": OutboundMessageRow,
    "attachments": AttachmentRow, "canned_replies": CannedReplyRow, "audit_log": AuditLogRow,
    "settings": SettingRow,
}


class Batch:
    """Rows waiting to be written, per table; flushed in foreign-key order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Any]] = {table: [] for table in ROW_TYPES}

    def __getitem__(self, table: str) -> list[Any]:
        return self.rows[table]

    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def drain(self) -> list[tuple[str, list[Any]]]:
        """The non-empty tables in dependency order, emptying the batch."""
        out = []
        for table in Base.metadata.sorted_tables:
            rows = self.rows[table.name]
            if rows:
                out.append((table.name, rows))
                self.rows[table.name] = []
        return out
