"""the fee and paid date of membership years, for counted members per funder

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fact_membership_years") as batch:
        batch.add_column(sa.Column("fee_nok", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("paid_date", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("fact_membership_years") as batch:
        batch.drop_column("paid_date")
        batch.drop_column("fee_nok")
