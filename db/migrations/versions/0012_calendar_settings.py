"""Configurable business calendar, versioned SLA policies and settings

Company closures (bridge days and the like) get a table of their own; SLA policies get an
at-risk share and a version, settings a version, so a stale edit is refused. The four settings
the demo seeded that nothing read are dropped: their values live on in the code's defaults.

Revision ID: 0012_calendar_settings
Revises: 0010
Create Date: 2026-12-01 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_calendar_settings"
down_revision: str | None = "0010"
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
    with op.batch_alter_table("sla_policies") as batch:
        batch.add_column(sa.Column("at_risk_percent", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.create_check_constraint(
            "at_risk_percent",
            "at_risk_percent IS NULL OR (at_risk_percent >= 0 AND at_risk_percent <= 100)")
    with op.batch_alter_table("settings") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
    settings = sa.table("settings", sa.column("key", sa.String))
    op.execute(settings.delete().where(settings.c.key.in_(UNREAD)))


def downgrade() -> None:
    with op.batch_alter_table("settings") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("sla_policies") as batch:
        batch.drop_constraint("ck_sla_policies_at_risk_percent", type_="check")
        batch.drop_column("version")
        batch.drop_column("at_risk_percent")
    op.drop_table("business_closures")
