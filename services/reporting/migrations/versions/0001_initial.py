"""fact tables (persons, membership years, activities, sessions, attendances, referrals) and the common tables

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
        "fact_persons",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("gender", sa.Integer, nullable=False),
        sa.Column("birth_year", sa.Integer, nullable=False),
        sa.Column("registered_date", sa.Date, nullable=True),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "fact_membership_years",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("payment_state", sa.Integer, nullable=False),
        sa.Column("birth_year", sa.Integer, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_membership_years_year", "fact_membership_years", ["year"])
    op.create_table(
        "fact_activities",
        sa.Column("activity_id", sa.String(64), primary_key=True),
        sa.Column("subgoal", sa.Integer, nullable=False),
        sa.Column("theme", sa.String(100), nullable=False, server_default=""),
        sa.Column("funder", sa.String(100), nullable=False, server_default=""),
        sa.Column("anonymous_attendance", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "fact_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("subgoal", sa.Integer, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_sessions_date", "fact_sessions", ["date"])
    op.create_table(
        "fact_attendances",
        sa.Column("attendance_id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("gender", sa.Integer, nullable=False),
        sa.Column("age_band", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_attendances_date", "fact_attendances", ["date"])
    op.create_table(
        "fact_referrals",
        sa.Column("referral_id", sa.String(64), primary_key=True),
        sa.Column("direction", sa.Integer, nullable=False),
        sa.Column("partner_kind", sa.Integer, nullable=False),
        sa.Column("reason_category", sa.Integer, nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("created_date", sa.Date, nullable=False),
        sa.Column("changed_date", sa.Date, nullable=False),
        sa.Column("target_organization", sa.String(64), nullable=False, server_default=""),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_referrals_created", "fact_referrals", ["created_date"])
    create_common_tables_v1()


def downgrade() -> None:
    for table in ("audit_log", "idempotency_keys", "dead_letters", "processed_events", "outbox",
                  "fact_referrals", "fact_attendances", "fact_sessions", "fact_activities",
                  "fact_membership_years", "fact_persons"):
        op.drop_table(table)
