"""activities, sessions, attendances and the common tables

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime
from services.common.migration_ops import create_common_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False, server_default=""),
        sa.Column("theme", sa.String(100), nullable=False, server_default=""),
        sa.Column("subgoal", sa.Integer, nullable=False),
        sa.Column("target_group", sa.String(200), nullable=False, server_default=""),
        sa.Column("funder", sa.String(200), nullable=False, server_default=""),
        sa.Column("chapter", sa.String(41), nullable=False, server_default=""),
        sa.Column("capacity", sa.Integer, nullable=False, server_default="0"),
        sa.Column("anonymous_attendance", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_activities_created", "activities", ["create_time", "id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False, server_default=""),
        sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("location", sa.String(200), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sessions_activity_date", "sessions", ["activity_id", "date", "start_time", "id"])
    op.create_table(
        "attendances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("gender", sa.Integer, nullable=False),
        sa.Column("age_band", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.UniqueConstraint("session_id", "person_id", name="uq_attendances_session_person"),
    )
    create_common_tables_v1()


def downgrade() -> None:
    for table in ("audit_log", "idempotency_keys", "dead_letters", "processed_events", "outbox",
                  "attendances", "sessions", "activities"):
        op.drop_table(table)
