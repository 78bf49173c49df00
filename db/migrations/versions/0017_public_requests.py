"""Requests to the public pages, counted per client so each may ask only so often

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(12), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('track', 'form')", name=op.f("ck_public_requests_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_requests")),
    )
    op.create_index("ix_public_requests_scope_client_at", "public_requests",
                    ["scope", "client", "at"])
    op.create_index(op.f("ix_public_requests_at"), "public_requests", ["at"])


def downgrade() -> None:
    op.drop_table("public_requests")
