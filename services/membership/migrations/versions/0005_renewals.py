"""renewals of membership years, and membership years by year

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_membership_years_year", "membership_years", ["year"])
    op.create_table(
        "renewals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("from_year", sa.Integer, nullable=False),
        sa.Column("apply_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "renewal_entries",
        sa.Column("renewal_id", sa.String(64), sa.ForeignKey("renewals.id"), primary_key=True),
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("outcome", sa.Integer, nullable=False),
        sa.Column("reason", sa.Integer, nullable=False),
        sa.Column("from_state", sa.Integer, nullable=False),
        sa.Column("from_fee_nok", sa.BigInteger, nullable=False),
        sa.Column("to_fee_nok", sa.BigInteger, nullable=False),
        sa.Column("fee_source", sa.Integer, nullable=False),
        sa.Column("to_state", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("renewal_entries")
    op.drop_table("renewals")
    op.drop_index("ix_membership_years_year", "membership_years")
