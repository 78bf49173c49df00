"""Plain row tuples, one constructor per table, with the table's columns in the table's order.

The generator builds millions of rows; plain tuples keep that fast (no ORM objects, and
they pickle quickly between processes) while ``InvoiceRow(number=..., ...)`` still reads
like the model and fails loudly on a misspelt or missing column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from db.models import Base

Row = tuple[Any, ...]
RowMaker = Callable[..., Row]


def _row_maker(table: str, name: str) -> RowMaker:
    """A keyword-only function returning the values as a tuple in column order."""
    columns = [column.name for column in Base.metadata.tables[table].columns]
    source = (f"def {name}(*, {', '.join(columns)}):\n"
              f"    return ({', '.join(columns)},)\n")
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # generated from the model's column names only
    maker: RowMaker = namespace[name]
    maker.columns = tuple(columns)  # type: ignore[attr-defined]
    return maker


TeamRow = _row_maker("teams", "TeamRow")
UserRow = _row_maker("users", "UserRow")
CustomerRow = _row_maker("customers", "CustomerRow")
ContactRow = _row_maker("contacts", "ContactRow")
SiteRow = _row_maker("sites", "SiteRow")
ProductRow = _row_maker("products", "ProductRow")
OrderRow = _row_maker("orders", "OrderRow")
OrderLineRow = _row_maker("order_lines", "OrderLineRow")
OrderEventRow = _row_maker("order_events", "OrderEventRow")
InvoiceRow = _row_maker("invoices", "InvoiceRow")
InvoiceLineRow = _row_maker("invoice_lines", "InvoiceLineRow")
PaymentRow = _row_maker("payments", "PaymentRow")
AllocationRow = _row_maker("payment_allocations", "AllocationRow")
ContractRow = _row_maker("contracts", "ContractRow")
InstalledItemRow = _row_maker("installed_items", "InstalledItemRow")
InventoryChangeRow = _row_maker("inventory_changes", "InventoryChangeRow")
SlaPolicyRow = _row_maker("sla_policies", "SlaPolicyRow")
EnquiryRow = _row_maker("enquiries", "EnquiryRow")
EnquiryEventRow = _row_maker("enquiry_events", "EnquiryEventRow")
InboundMessageRow = _row_maker("inbound_messages", "InboundMessageRow")
OutboundMessageRow = _row_maker("outbound_messages", "OutboundMessageRow")
AttachmentRow = _row_maker("attachments", "AttachmentRow")
CannedReplyRow = _row_maker("canned_replies", "CannedReplyRow")
AuditLogRow = _row_maker("audit_log", "AuditLogRow")
SettingRow = _row_maker("settings", "SettingRow")
ClosureRow = _row_maker("business_closures", "ClosureRow")

ROW_MAKERS: dict[str, RowMaker] = {
    "teams": TeamRow, "users": UserRow, "customers": CustomerRow, "contacts": ContactRow,
    "sites": SiteRow, "products": ProductRow, "orders": OrderRow, "order_lines": OrderLineRow,
    "order_events": OrderEventRow, "invoices": InvoiceRow, "invoice_lines": InvoiceLineRow,
    "payments": PaymentRow, "payment_allocations": AllocationRow, "contracts": ContractRow,
    "installed_items": InstalledItemRow, "inventory_changes": InventoryChangeRow,
    "sla_policies": SlaPolicyRow, "enquiries": EnquiryRow, "enquiry_events": EnquiryEventRow,
    "inbound_messages": InboundMessageRow, "outbound_messages": OutboundMessageRow,
    "attachments": AttachmentRow, "canned_replies": CannedReplyRow, "audit_log": AuditLogRow,
    "settings": SettingRow, "business_closures": ClosureRow,
}


# Not a table: priority changes the loader replays through the app's workflow after the
# load, as (enquiry id, new priority, epoch seconds, user id).
ESCALATIONS = "escalations"


class Batch:
    """Rows waiting to be written, per table; drained in foreign-key order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {table: [] for table in ROW_MAKERS}
        self.escalations: list[Row] = []

    def __getitem__(self, table: str) -> list[Row]:
        return self.rows[table]

    def drain(self) -> list[tuple[str, list[Row]]]:
        """The non-empty tables in dependency order, emptying the batch."""
        out = []
        for table in Base.metadata.sorted_tables:
            rows = self.rows.get(table.name)  # tables filled after the load have no maker
            if rows:
                out.append((table.name, rows))
                self.rows[table.name] = []
        if self.escalations:
            out.append((ESCALATIONS, self.escalations))
            self.escalations = []
        return out
