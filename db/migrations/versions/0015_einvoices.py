"""Peppol e-invoices: each customer's Peppol address, each invoice's delivery state

A customer's address is ``scheme:id`` (``0208:0403019261`` for a Belgian enterprise number,
``9938:LU15027442`` for a Luxembourg VAT number), filled here from the VAT number where there
is one. An invoice records whether its e-invoice was sent, delivered, rejected (with the
receiver's reason code and words) or could not go because the customer is not on Peppol.

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-01 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0015"
down_revision: str | None = "0013_admin_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("sent", "delivered", "rejected", "not_on_peppol")
CHECK = "einvoice_state IS NULL OR einvoice_state IN ({listed})"


def upgrade() -> None:
    # Plain ADD COLUMN, no table rebuild: invoices is referenced by other tables, and
    # SQLite cannot drop a referenced table that holds rows.
    op.add_column("customers", sa.Column("peppol_endpoint", sa.String(60), nullable=True))
    op.execute("UPDATE customers SET peppol_endpoint = '0208:' || substr(vat_number, 3) "
               "WHERE country = 'BE' AND vat_number IS NOT NULL")
    op.execute("UPDATE customers SET peppol_endpoint = '9938:' || vat_number "
               "WHERE country = 'LU' AND vat_number IS NOT NULL")
    check = CHECK.format(listed=", ".join(f"'{s}'" for s in STATES))
    if op.get_bind().dialect.name == "sqlite":  # a CHECK comes only with its column there
        op.execute(f"ALTER TABLE invoices ADD COLUMN einvoice_state VARCHAR(16) "
                   f"CONSTRAINT ck_invoices_einvoice_state CHECK ({check})")
    else:
        op.add_column("invoices", sa.Column("einvoice_state", sa.String(16), nullable=True))
        op.create_check_constraint(op.f("ck_invoices_einvoice_state"), "invoices", check)
    op.add_column("invoices", sa.Column("einvoice_reason", sa.String(3), nullable=True))
    op.add_column("invoices", sa.Column("einvoice_note", sa.String(300), nullable=True))
    op.add_column("invoices", sa.Column("einvoice_at", db.types.UTCDateTime(timezone=True),
                                        nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_invoices_einvoice_state"), "invoices", type_="check")
    for column in ("einvoice_at", "einvoice_note", "einvoice_reason", "einvoice_state"):
        op.drop_column("invoices", column)
    op.drop_column("customers", "peppol_endpoint")
