"""Invoice lines keep their VAT category (S standard, AA reduced, AE reverse charge)

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("vat_category", sa.String(2), nullable=False,
                                   server_default="S"))
    # Lines written before: 0 % was only ever reverse charge, 6 % and 3 % the reduced rates.
    lines = sa.table("invoice_lines", sa.column("vat_rate_pct", sa.Integer),
                     sa.column("vat_category", sa.String))
    op.execute(lines.update().where(lines.c.vat_rate_pct == 0).values(vat_category="AE"))
    op.execute(lines.update().where(lines.c.vat_rate_pct.in_((3, 6, 8, 12, 14)))
               .values(vat_category="AA"))
    with op.batch_alter_table("invoice_lines") as batch:
        batch.create_check_constraint(
            op.f("ck_invoice_lines_vat_category"),
            "vat_category IN ('S', 'AA', 'AE') AND (vat_category = 'AE') = (vat_rate_pct = 0)")


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_constraint(op.f("ck_invoice_lines_vat_category"), type_="check")
        batch.drop_column("vat_category")
