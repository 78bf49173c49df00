"""Enquiry indexes that cover the team metrics; merged enquiries indexed apart

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = sa.text("merged_into_id IS NOT NULL")
FILTERS = ["team_id", "assignee_id", "channel", "category", "priority", "customer_id"]
# name: (columns before, columns now)
WIDENED = {
    "ix_enquiries_status_assignee_id": (
        ["status", "assignee_id"], ["status", "assignee_id", "merged_into_id"]),
    "ix_enquiries_created_at": (
        ["created_at"],
        ["created_at", "merged_into_id", "resolved_at", "reopen_count", *FILTERS]),
    "ix_enquiries_resolved_at": (
        ["resolved_at"],
        ["resolved_at", "merged_into_id", "created_at", "first_response_at", "paused_minutes",
         *FILTERS]),
    "ix_enquiries_first_response_at": (
        ["first_response_at"],
        ["first_response_at", "merged_into_id", "created_at", "resolved_at", "paused_minutes",
         *FILTERS]),
    "ix_enquiries_first_response_due_at": (
        ["first_response_due_at"],
        ["first_response_due_at", "merged_into_id", "first_response_at", "status", *FILTERS]),
    "ix_enquiries_resolution_due_at": (
        ["resolution_due_at"],
        ["resolution_due_at", "merged_into_id", "resolved_at", "status", *FILTERS]),
}


def upgrade() -> None:
    for name, (_, columns) in WIDENED.items():
        op.drop_index(name, table_name="enquiries")
        op.create_index(name, "enquiries", columns)
    op.drop_index("ix_enquiries_merged_into_id", table_name="enquiries")
    op.create_index("ix_enquiries_merged_into_id", "enquiries", ["merged_into_id"],
                    postgresql_where=MERGED, sqlite_where=MERGED)


def downgrade() -> None:
    op.drop_index("ix_enquiries_merged_into_id", table_name="enquiries")
    op.create_index("ix_enquiries_merged_into_id", "enquiries", ["merged_into_id"])
    for name, (columns, _) in WIDENED.items():
        op.drop_index(name, table_name="enquiries")
        op.create_index(name, "enquiries", columns)
