"""Indexes for the team metrics and the receivables portfolio

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_enquiries_resolved_at", "enquiries", ["resolved_at"])
    op.create_index("ix_enquiries_first_response_at", "enquiries", ["first_response_at"])
    op.create_index("ix_enquiries_first_response_due_at", "enquiries",
                    ["first_response_due_at"])
    still_open = sa.text("open_cents <> 0")
    op.create_index("ix_invoices_open_by_due", "invoices",
                    ["due_date", "customer_id", "open_cents"],
                    postgresql_where=still_open, sqlite_where=still_open)
    op.create_index("ix_invoices_sales", "invoices",
                    ["issue_date", "kind", "status", "total_cents", "open_cents"])


def downgrade() -> None:
    op.drop_index("ix_invoices_sales", table_name="invoices")
    op.drop_index("ix_invoices_open_by_due", table_name="invoices")
    op.drop_index("ix_enquiries_first_response_due_at", table_name="enquiries")
    op.drop_index("ix_enquiries_first_response_at", table_name="enquiries")
    op.drop_index("ix_enquiries_resolved_at", table_name="enquiries")
