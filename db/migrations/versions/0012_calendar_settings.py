"""Configurable business calendar, versioned SLA policies and settings

Company closures (bridge days and the like) get a table of their own; SLA policies get an
at-risk share and a version, settings a version, so a stale edit is refused. The four settings
the demo seeded that nothing read are dropped: their values live on in the code's defaults.

Revision ID: 0012_calendar_settings
Revises: 0011_user_admin
Create Date: 2026-12-01 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_calendar_settings"
down_revision: str | None = "0011_user_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = ("auto_close_business_days", "sla_at_risk_fraction", "outbox", "company")


def upgrade() -> None:
    op.create_table(
        "business_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_closures")),
        sa.UniqueConstraint("day", name=op.f("uq_business_closures_day")),
    )
    # Plain ADD COLUMN, not a batch copy: enquiries refer to sla_policies, and SQLite would
    # refuse to drop the old table under them. Both databases take a column CHECK this way.
    op.execute("ALTER TABLE sla_policies ADD COLUMN at_risk_percent INTEGER "
               "CONSTRAINT ck_sla_policies_at_risk_percent CHECK (at_risk_percent IS NULL OR "
               "(at_risk_percent >= 0 AND at_risk_percent <= 100))")
    op.add_column("sla_policies", sa.Column("version", sa.Integer(), nullable=False,
                                            server_default="1"))
    op.add_column("settings", sa.Column("version", sa.Integer(), nullable=False,
                                        server_default="1"))
    settings = sa.table("settings", sa.column("key", sa.String))
    op.execute(settings.delete().where(settings.c.key.in_(UNREAD)))


def downgrade() -> None:
    with op.batch_alter_table("settings") as batch:
        batch.drop_column("version")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_sla_policies_at_risk_percent"), "sla_policies",
                           type_="check")
        op.drop_column("sla_policies", "version")
        op.drop_column("sla_policies", "at_risk_percent")
        op.drop_table("business_closures")
        return
    # SQLite: copied from the table as 0010 had it (reflection would carry the new CHECK
    # over to a table without its column).
    with op.batch_alter_table("sla_policies", copy_from=_sla_policies_0010()) as batch:
        batch.drop_column("version")
        batch.drop_column("at_risk_percent")
    op.drop_table("business_closures")


def _sla_policies_0010() -> sa.Table:
    return sa.Table(
        "sla_policies", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("segment", sa.String(length=20), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("at_risk_percent", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')",
                           name="ck_sla_policies_priority"),
        sa.CheckConstraint("first_response_minutes > 0 AND "
                           "resolution_minutes >= first_response_minutes",
                           name="ck_sla_policies_targets_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_sla_policies"),
        sa.UniqueConstraint("name", name="uq_sla_policies_name"),
        sa.UniqueConstraint("priority", "channel", "segment", name="uq_sla_policies_scope"))
