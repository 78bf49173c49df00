"""E-mail notifications of new invoices and monthly statements to subscribed contacts

``document_notifications`` keeps one row per document and contact mailed; its unique key
is what makes a second or concurrent run send nothing twice. Contacts can subscribe to a
monthly statement as well as to new invoices.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("statement_notifications", sa.Boolean(),
                                        nullable=False, server_default=sa.false()))
    op.create_table(
        "document_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("document_key", sa.String(20), nullable=False),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('invoice', 'statement')",
                           name=op.f("ck_document_notifications_kind")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_document_notifications_contact_id_contacts")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_document_notifications_customer_id_customers")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_document_notifications_invoice_id_invoices")),
        sa.ForeignKeyConstraint(
            ["outbound_message_id"], ["outbound_messages.id"],
            name=op.f("fk_document_notifications_outbound_message_id_outbound_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_notifications")),
        sa.UniqueConstraint("kind", "contact_id", "document_key",
                            name="uq_document_notifications_kind_contact_id_document_key"),
    )
    op.create_index(op.f("ix_document_notifications_customer_id"), "document_notifications",
                    ["customer_id"])
    op.create_index(op.f("ix_document_notifications_invoice_id"), "document_notifications",
                    ["invoice_id"])


def downgrade() -> None:
    op.drop_table("document_notifications")
    op.drop_column("contacts", "statement_notifications")
