"""Closed receivables months; indexes for today's receivables, this month's sales and
closing a month

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STILL_OPEN = sa.text("open_cents <> 0")
ON_ACCOUNT = sa.text("unallocated_cents <> 0")


def upgrade() -> None:
    op.create_table(
        "receivable_closes",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("closed_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_receivable_closes")),
    )
    money = ("invoiced_cents", "credited_cents", "paid_cents", "balance_cents",
             "current_cents", "days_1_30_cents", "days_31_60_cents", "days_61_90_cents",
             "days_90_plus_cents")
    op.create_table(
        "receivable_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("account_manager_id", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in money),
        sa.ForeignKeyConstraint(["account_manager_id"], ["users.id"],
                                name=op.f("fk_receivable_months_account_manager_id_users")),
        sa.ForeignKeyConstraint(["month"], ["receivable_closes.month"], ondelete="CASCADE",
                                name=op.f("fk_receivable_months_month_receivable_closes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_months")),
        sa.UniqueConstraint("month", "segment", "country", "account_manager_id",
                            name="uq_receivable_months_slice"),
    )
    op.drop_index("ix_invoices_open_by_due", table_name="invoices")
    op.create_index("ix_invoices_open_by_due", "invoices",
                    ["due_date", "customer_id", "open_cents", "is_disputed", "status",
                     "issue_date"], postgresql_where=STILL_OPEN, sqlite_where=STILL_OPEN)
    op.drop_index("ix_invoices_sales", table_name="invoices")
    op.create_index("ix_invoices_sales", "invoices",
                    ["issue_date", "kind", "status", "total_cents", "open_cents",
                     "customer_id"])
    op.create_index("ix_payments_received_on", "payments",
                    ["received_on", "customer_id", "amount_cents"])
    op.create_index("ix_payments_on_account", "payments",
                    ["received_on", "customer_id", "unallocated_cents"],
                    postgresql_where=ON_ACCOUNT, sqlite_where=ON_ACCOUNT)
    op.create_index("ix_payment_allocations_allocated_on", "payment_allocations",
                    ["allocated_on"])


def downgrade() -> None:
    op.drop_index("ix_payment_allocations_allocated_on", table_name="payment_allocations")
    op.drop_index("ix_payments_on_account", table_name="payments")
    op.drop_index("ix_payments_received_on", table_name="payments")
    op.drop_index("ix_invoices_sales", table_name="invoices")
    op.create_index("ix_invoices_sales", "invoices",
                    ["issue_date", "kind", "status", "total_cents", "open_cents"])
    op.drop_index("ix_invoices_open_by_due", table_name="invoices")
    op.create_index("ix_invoices_open_by_due", "invoices",
                    ["due_date", "customer_id", "open_cents"],
                    postgresql_where=STILL_OPEN, sqlite_where=STILL_OPEN)
    op.drop_table("receivable_months")
    op.drop_table("receivable_closes")
