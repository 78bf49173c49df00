"""A temporary password expires; a team can be retired without losing its history

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("temporary_expires_at", db.types.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("retired_at", db.types.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("retired_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("temporary_expires_at")
