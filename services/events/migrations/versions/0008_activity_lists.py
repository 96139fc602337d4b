"""the node's lists of themes and target groups for activities

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_list_entries",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(60), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activity_list_entries")
