"""registration: places per session or per course, with a waiting list

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("household_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
        sa.Column("promote_time", UTCDateTime, nullable=True),
    )
    op.create_index("uq_registrations_scope_person_active", "registrations", ["activity_id", "session_id", "person_id"],
                    unique=True, sqlite_where=sa.text("state <> 6"), postgresql_where=sa.text("state <> 6"))
    op.create_index("ix_registrations_scope_seq", "registrations", ["activity_id", "session_id", "seq"])


def downgrade() -> None:
    op.drop_table("registrations")
