"""Canned replies carry a version; a failed e-mail can be cancelled

A canned reply's edit is written only over the version the admin saw. An outgoing e-mail
that failed can be cancelled by an admin: status ``cancelled`` (the column grows to hold it).

Revision ID: 0013_admin_content
Revises: 0012_calendar_settings
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_admin_content"
down_revision: str | None = "0012_calendar_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_STATUSES = "status IN ('queued', 'sending', 'sent', 'failed')"
NEW_STATUSES = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')"


def _statuses(check: str, length: int) -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_constraint(op.f("ck_outbound_messages_status"), type_="check")
        batch.alter_column("status", type_=sa.String(length), existing_nullable=False)
        batch.create_check_constraint(op.f("ck_outbound_messages_status"), check)


def _without_foreign_keys(change: Callable[[], None]) -> None:
    """SQLite copies the outbox table and drops the old one, whose rows attachments point
    at: foreign keys are switched off first (only possible before this migration's
    transaction has written anything, hence first thing) and checked after."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        op.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"Foreign keys broken by the outbox change: {broken[:5]}")


def upgrade() -> None:
    def change() -> None:
        _statuses(NEW_STATUSES, 12)
        with op.batch_alter_table("canned_replies") as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
    _without_foreign_keys(change)


def downgrade() -> None:
    def change() -> None:
        op.execute("UPDATE outbound_messages SET status = 'failed' "
                   "WHERE status = 'cancelled'")
        _statuses(OLD_STATUSES, 8)
        with op.batch_alter_table("canned_replies") as batch:
            batch.drop_column("version")
    _without_foreign_keys(change)
