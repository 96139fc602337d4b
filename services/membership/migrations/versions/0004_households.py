"""households and their members (a person in at most one household)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
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
        "households",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "household_members",
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("household_id", sa.String(64), sa.ForeignKey("households.id"), nullable=False),
        sa.Column("role", sa.Integer, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_household_members_household", "household_members",
                    ["household_id", "create_time", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_household_members_household", "household_members")
    op.drop_table("household_members")
    op.drop_table("households")
