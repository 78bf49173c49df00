"""Customer portal: accounts of customer contacts, one-time links and portal sessions

``portal_accounts`` are the customers' sign-ins, apart from the staff's ``users``;
``portal_links`` keep the SHA-256 of each e-mailed one-time link; ``portal_sessions`` are the
signed-in portal browsers, apart from the staff's ``user_sessions``.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'active', 'closed')",
                           name=op.f("ck_portal_accounts_state")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_portal_accounts_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_accounts")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_portal_accounts_contact_id")),
        sa.UniqueConstraint("email", name=op.f("uq_portal_accounts_email")),
    )
    op.create_table(
        "portal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["portal_accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_portal_links_account_id_portal_accounts")),
        sa.ForeignKeyConstraint(
            ["outbound_message_id"], ["outbound_messages.id"], ondelete="SET NULL",
            name=op.f("fk_portal_links_outbound_message_id_outbound_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portal_links_token_hash")),
    )
    op.create_index(op.f("ix_portal_links_account_id"), "portal_links", ["account_id"])
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["portal_accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_portal_sessions_account_id_portal_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
    )
    op.create_index(op.f("ix_portal_sessions_account_id"), "portal_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_table("portal_sessions")
    op.drop_table("portal_links")
    op.drop_table("portal_accounts")
