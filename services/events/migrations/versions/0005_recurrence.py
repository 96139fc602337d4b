"""recurrence: an activity's RFC 5545 rule and the slot it gave each of its sessions

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
        "recurrences",
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), primary_key=True),
        sa.Column("rule", sa.String(500), nullable=False),
        sa.Column("start_date", sa.String(10), nullable=False),
        sa.Column("end_date", sa.String(10), nullable=False, server_default=""),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("location", sa.String(200), nullable=False, server_default=""),
        sa.Column("exception_dates", sa.Text, nullable=False, server_default=""),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
    )
    op.create_table(
        "recurrence_occurrences",
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("recurrences.activity_id"), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("location", sa.String(200), nullable=False, server_default=""),
        sa.Column("dropped", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_recurrence_occurrences_activity", "recurrence_occurrences",
                    ["activity_id", "date", "session_id"])


def downgrade() -> None:
    op.drop_table("recurrence_occurrences")
    op.drop_table("recurrences")
