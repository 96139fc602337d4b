"""withdrawals (and new consents) for statistics, from ConsentChanged facts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_statistics_consents",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("changed_date", sa.Date, primary_key=True),
        sa.Column("withdrawn", sa.Boolean, primary_key=True),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fact_statistics_consents")
