"""Requests to erase a contact's personal data, confirmed by a second administrator

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erased", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("status IN ('pending', 'erased', 'withdrawn')",
                           name=op.f("ck_erasure_requests_status")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_erasure_requests_contact_id_contacts")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_erasure_requests_customer_id_customers")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_erasure_requests_requested_by_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_erasure_requests_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(op.f("ix_erasure_requests_contact_id"), "erasure_requests", ["contact_id"])
    op.create_index(op.f("ix_erasure_requests_status"), "erasure_requests", ["status"])
    # One open request per contact, and one erasure: a second one is refused by the database.
    op.create_index("uq_erasure_requests_one_open", "erasure_requests", ["contact_id"],
                    unique=True, sqlite_where=sa.text("status IN ('pending', 'erased')"),
                    postgresql_where=sa.text("status IN ('pending', 'erased')"))


def downgrade() -> None:
    op.drop_table("erasure_requests")
