"""Users and teams edited in the admin pages: versions, a forced password change, team leads

Users and teams get a ``version`` so a stale edit is refused; a user given a temporary
password must choose a new one at the next sign-in; a team names its lead.

Revision ID: 0011_user_admin
Revises: 0010
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_user_admin"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_teams_lead_id_users", "users", ["lead_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_teams_lead_id", ["lead_id"])


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_index("ix_teams_lead_id")
        batch.drop_constraint("fk_teams_lead_id_users", type_="foreignkey")
        batch.drop_column("lead_id")
        batch.drop_column("version")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("version")
