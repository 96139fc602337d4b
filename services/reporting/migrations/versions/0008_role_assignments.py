"""role assignments from membership's facts, to count active volunteers, guides and others per period

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
        "fact_role_assignments",
        sa.Column("assignment_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("role", sa.Integer, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("group_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_role_assignments_start", "fact_role_assignments", ["start_date"])


def downgrade() -> None:
    op.drop_index("ix_fact_role_assignments_start", "fact_role_assignments")
    op.drop_table("fact_role_assignments")
