"""volunteer hours: one record per hours entry (ids, day, minutes, newest revision)

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
    op.create_table(
        "fact_volunteer_hours",
        sa.Column("entry_id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_volunteer_hours_date", "fact_volunteer_hours", ["date"])


def downgrade() -> None:
    op.drop_table("fact_volunteer_hours")
