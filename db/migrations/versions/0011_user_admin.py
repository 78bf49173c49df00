"""Users and teams edited in the admin pages: versions, a forced password change, team leads

Users and teams get a ``version`` so a stale edit is refused; a user given a temporary
password must choose a new one at the next sign-in; one member of a team is its lead.

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
    # Columns only, so SQLite adds them in place: a copy of ``users`` would cascade to the
    # sessions and trip the foreign keys that point at it.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("is_team_lead", sa.Boolean(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
    # Each team's first active team lead leads it, as the demo data has it.
    op.execute("UPDATE users SET is_team_lead = TRUE WHERE id IN (SELECT MIN(id) FROM users "
               "WHERE role = 'lead' AND is_active = TRUE AND team_id IS NOT NULL "
               "GROUP BY team_id)")


def downgrade() -> None:
    # SQLite (3.35+) drops these columns in place too: none is in a key or an index.
    for table, columns in (("teams", ["version"]),
                           ("users", ["is_team_lead", "must_change_password", "version"])):
        for column in columns:
            op.drop_column(table, column)
