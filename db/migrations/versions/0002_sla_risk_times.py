"""SLA at-risk instants on enquiries, and indexes for personal queues and claiming

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_risk_at",
                                      db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution_risk_at",
                                      db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_enquiries_assignee_id_status", ["assignee_id", "status"],
                              unique=False)
    claimable = sa.text("assignee_id IS NULL AND status IN ('new', 'open')")
    op.create_index("ix_enquiries_claimable", "enquiries", ["team_id", "first_response_due_at"],
                    postgresql_where=claimable, sqlite_where=claimable)


def downgrade() -> None:
    op.drop_index("ix_enquiries_claimable", table_name="enquiries")
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_enquiries_assignee_id_status")
        batch_op.drop_column("resolution_risk_at")
        batch_op.drop_column("first_response_risk_at")
