"""Contacts searchable by name (any case, accents) and by e-mail domain

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.text import contact_search_name, email_domain

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("name_search", sa.String(150), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("email_domain", sa.String(254), nullable=True))
    contacts = sa.table("contacts", sa.column("id", sa.Integer),
                        sa.column("first_name", sa.String), sa.column("last_name", sa.String),
                        sa.column("email", sa.String), sa.column("name_search", sa.String),
                        sa.column("email_domain", sa.String))
    bind = op.get_bind()
    last = 0
    while True:  # the folding is Python's (accents), so the backfill runs here, in batches
        rows = bind.execute(sa.select(contacts.c.id, contacts.c.first_name,
                                      contacts.c.last_name, contacts.c.email)
                            .where(contacts.c.id > last).order_by(contacts.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        bind.execute(contacts.update().where(contacts.c.id == sa.bindparam("row_id")),
                     [{"row_id": r.id, "name_search": contact_search_name(r.first_name,
                                                                          r.last_name),
                       "email_domain": email_domain(r.email)} for r in rows])
        last = rows[-1].id
    op.create_index("ix_contacts_name_search", "contacts", ["name_search"])
    op.create_index("ix_contacts_email_domain", "contacts", ["email_domain"])
    if bind.dialect.name == "postgresql":
        op.create_index("ix_contacts_name_search_pattern", "contacts", ["name_search"],
                        postgresql_ops={"name_search": "text_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_contacts_name_search_pattern", table_name="contacts")
    op.drop_index("ix_contacts_email_domain", table_name="contacts")
    op.drop_index("ix_contacts_name_search", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("email_domain")
        batch.drop_column("name_search")
