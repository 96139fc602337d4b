"""differential privacy: each analyst's budget, the noisy answers drawn, and who was charged for which

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_budgets",
        sa.Column("analyst", sa.String(200), primary_key=True),
        sa.Column("spent_micro", sa.BigInteger, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "privacy_answers",
        sa.Column("period", sa.String(21), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("epsilon", sa.Float, nullable=False),
        sa.Column("scale", sa.Float, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "privacy_charges",
        sa.Column("analyst", sa.String(200), primary_key=True),
        sa.Column("period", sa.String(21), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("epsilon_micro", sa.BigInteger, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("privacy_charges", "privacy_answers", "privacy_budgets"):
        op.drop_table(table)
