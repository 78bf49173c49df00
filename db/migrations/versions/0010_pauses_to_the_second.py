"""Paused time kept to the second; closed receivable months worked out again

Paused business time was kept in whole minutes, so resolution due times came 1–59 s early;
it is now kept in seconds. The closed months were worked out under the earlier definitions
of what counts and how credits age (``dashboard.services.receivables``): they are dropped,
to be worked out again the first time they are shown.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTERS = ["team_id", "assignee_id", "channel", "category", "priority", "customer_id"]
COVERING = {
    "ix_enquiries_resolved_at": ["resolved_at", "merged_into_id", "created_at",
                                 "first_response_at"],
    "ix_enquiries_first_response_at": ["first_response_at", "merged_into_id", "created_at",
                                       "resolved_at"],
}


def _swap(old: str, new: str, fill: str) -> None:
    for name in COVERING:
        op.drop_index(name, table_name="enquiries")
    with op.batch_alter_table("enquiries") as batch:
        batch.add_column(sa.Column(new, sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"UPDATE enquiries SET {new} = {fill}")
    with op.batch_alter_table("enquiries") as batch:
        batch.drop_column(old)
    for name, columns in COVERING.items():
        op.create_index(name, "enquiries", [*columns, new, *FILTERS])


def _forget_closed_months() -> None:
    op.execute("DELETE FROM receivable_months")
    op.execute("DELETE FROM receivable_closes")


def upgrade() -> None:
    _swap("paused_minutes", "paused_seconds", "paused_minutes * 60")
    _forget_closed_months()


def downgrade() -> None:
    _swap("paused_seconds", "paused_minutes", "paused_seconds / 60")
    _forget_closed_months()
