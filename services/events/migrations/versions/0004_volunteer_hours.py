"""volunteer hours: entries of a person's time given to an activity or a session

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
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
        "hours_entries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("task", sa.String(200), nullable=False, server_default=""),
        sa.Column("logged_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
        sa.Column("withdraw_time", UTCDateTime, nullable=True),
    )
    op.create_index("ix_hours_entries_activity", "hours_entries", ["activity_id", "date", "create_time", "id"])
    op.create_index("ix_hours_entries_session", "hours_entries", ["session_id", "date", "create_time", "id"])
    op.create_index("ix_hours_entries_person", "hours_entries", ["person_id", "date", "create_time", "id"])


def downgrade() -> None:
    op.drop_table("hours_entries")
